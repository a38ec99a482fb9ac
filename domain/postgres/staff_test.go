package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestStaffRoundTrip: SaveStaff inserts with the business clock's time;
// saving the same Telegram user again updates and re-activates the same
// row (a revoked cashier invited back), keeping its id and first time
// and counting the save in its Version.
func TestStaffRoundTrip(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	owner := addStaff(t, db, 1, domain.RoleOwner, 0)
	s := &domain.Staff{TelegramID: 2, ChatID: 3, FirstName: "Kim", Role: domain.RoleCashier, ShopID: shop.ID, InvitedBy: owner.ID}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveStaff(ctx, s) })
	want := *s
	want.CreatedAt, want.Version = t0, 1
	checkEqual(t, "saved", *s, want)
	find := func(name string, want domain.Staff) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			byTG, err := tx.FindStaffByTelegramID(ctx, want.TelegramID)
			if err != nil {
				return err
			}
			byID, err := tx.FindStaffByID(ctx, want.ID)
			checkEqual(t, name+" by Telegram id", byTG, &want)
			checkEqual(t, name+" by id", byID, &want)
			return err
		})
	}
	find("new", want)

	revoked := clock.Advance(time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.RevokeStaff(ctx, s.ID, revoked) })
	want.RevokedAt = revoked
	find("revoked", want)
	// A second revocation keeps the first time.
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.RevokeStaff(ctx, s.ID, clock.Advance(time.Hour))
	})
	find("revoked twice", want)

	clock.Advance(time.Hour)
	back := &domain.Staff{TelegramID: 2, ChatID: 4, FirstName: "Kim B", Role: domain.RoleManager}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveStaff(ctx, back) })
	want = domain.Staff{ID: s.ID, TelegramID: 2, ChatID: 4, FirstName: "Kim B", Role: domain.RoleManager, CreatedAt: t0, Version: 2}
	checkEqual(t, "saved again", *back, want)
	find("back", want)

	for name, fn := range map[string]func(ctx context.Context, tx domain.Tx) error{
		"missing Telegram id": func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindStaffByTelegramID(ctx, 999)
			return err
		},
		"missing id": func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindStaffByID(ctx, 999)
			return err
		},
	} {
		checkErr(t, name, txErr(t, db, fn), domain.ErrNotFound)
	}
}

// TestListStaff: active staff only, owners first, then managers, then
// cashiers; a store's list has its own staff and those of every store.
func TestListStaff(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	a, b := addShop(t, db, "a"), addShop(t, db, "b")
	cashierA := addStaff(t, db, 1, domain.RoleCashier, a.ID)
	managerB := addStaff(t, db, 2, domain.RoleManager, b.ID)
	owner := addStaff(t, db, 3, domain.RoleOwner, 0)
	managerA := addStaff(t, db, 4, domain.RoleManager, a.ID)
	gone := addStaff(t, db, 5, domain.RoleCashier, a.ID)
	goneOwner := addStaff(t, db, 6, domain.RoleOwner, 0)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.RevokeStaff(ctx, gone.ID, clock.Now()); err != nil {
			return err
		}
		return tx.RevokeStaff(ctx, goneOwner.ID, clock.Now())
	})
	for _, tc := range []struct {
		name string
		shop int64
		want []*domain.Staff
	}{
		{"all stores", 0, []*domain.Staff{owner, managerB, managerA, cashierA}},
		{"store a", a.ID, []*domain.Staff{owner, managerA, cashierA}},
		{"store b", b.ID, []*domain.Staff{owner, managerB}},
		{"a store without staff", 999, []*domain.Staff{owner}},
	} {
		want := make([]domain.Staff, len(tc.want))
		for i, s := range tc.want {
			want[i] = *s
		}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.ListStaff(ctx, tc.shop)
			checkEqual(t, tc.name, got, want)
			return err
		})
	}
}

// TestInvites: an invite is stored by its token's hash and found by it,
// locked until the transaction that takes it ends, so two people opening
// one link cannot both use it; a used invite says when.
func TestInvites(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	owner := addStaff(t, db, 1, domain.RoleOwner, 0)
	_, hash := domain.NewInviteToken()
	inv := &domain.Invite{Role: domain.RoleCashier, ShopID: shop.ID, CreatedBy: owner.ID, ExpiresAt: t0.Add(domain.InviteTTL)}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateInvite(ctx, inv, hash) })
	if inv.ID == 0 {
		t.Fatal("CreateInvite left ID 0")
	}
	checkTime(t, "invites.created_at", sqlOne[time.Time](t, db, `SELECT created_at FROM invites WHERE id = $1`, inv.ID), t0)
	// An invite made by the CLI has no maker and no store.
	_, cliHash := domain.NewInviteToken()
	cli := &domain.Invite{Role: domain.RoleOwner, ExpiresAt: t0.Add(domain.InviteTTL)}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateInvite(ctx, cli, cliHash) })

	for _, want := range []*domain.Invite{inv, cli} {
		h := hash
		if want == cli {
			h = cliHash
		}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.TakeInvite(ctx, h)
			checkEqual(t, "taken", got, want)
			return err
		})
	}
	checkErr(t, "a duplicate hash", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.CreateInvite(ctx, &domain.Invite{Role: domain.RoleCashier, ExpiresAt: t0}, hash)
	}), domain.ErrConflict)
	checkErr(t, "an unknown token", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.TakeInvite(ctx, domain.HashSecret("nope"))
		return err
	}), domain.ErrNotFound)

	const lock = `SELECT 1 FROM invites WHERE id = $1 FOR UPDATE`
	release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.TakeInvite(ctx, hash)
		return err
	})
	if !lockedElsewhere(t, db, lock, inv.ID) {
		t.Error("the invite is not locked while it is being taken")
	}
	if lockedElsewhere(t, db, lock, cli.ID) {
		t.Error("taking one invite locked another")
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}

	cashier := addStaff(t, db, 2, domain.RoleCashier, shop.ID)
	used := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkInviteUsed(ctx, inv.ID, cashier.ID, used) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.TakeInvite(ctx, hash)
		want := *inv
		want.UsedAt, want.UsedBy = used, cashier.ID
		checkEqual(t, "used", got, &want)
		return err
	})
	if by := sqlOne[int64](t, db, `SELECT used_by FROM invites WHERE id = $1`, inv.ID); by != cashier.ID {
		t.Errorf("used_by %d, want %d", by, cashier.ID)
	}
}

// TestVoidInvitesBy: revoking someone voids the unused invites they made,
// at the time given, once; used invites and other people's stay as they
// were.
func TestVoidInvitesBy(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	manager := addStaff(t, db, 1, domain.RoleManager, shop.ID)
	owner := addStaff(t, db, 2, domain.RoleOwner, 0)
	cashier := addStaff(t, db, 3, domain.RoleCashier, shop.ID)
	invite := func(by int64) (*domain.Invite, []byte) {
		_, hash := domain.NewInviteToken()
		inv := &domain.Invite{Role: domain.RoleCashier, ShopID: shop.ID, CreatedBy: by, ExpiresAt: t0.Add(domain.InviteTTL)}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateInvite(ctx, inv, hash) })
		return inv, hash
	}
	open, openHash := invite(manager.ID)
	used, usedHash := invite(manager.ID)
	owners, ownersHash := invite(owner.ID)
	usedAt := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.MarkInviteUsed(ctx, used.ID, cashier.ID, usedAt)
	})
	voided := clock.Advance(time.Minute)
	for _, at := range []time.Time{voided, clock.Advance(time.Minute)} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.VoidInvitesBy(ctx, manager.ID, at) })
	}
	open.VoidedAt, used.UsedAt, used.UsedBy = voided, usedAt, cashier.ID
	for _, w := range []struct {
		inv  *domain.Invite
		hash []byte
	}{{open, openHash}, {used, usedHash}, {owners, ownersHash}} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.TakeInvite(ctx, w.hash)
			checkEqual(t, fmt.Sprint("invite ", w.inv.ID), got, w.inv)
			return err
		})
	}
}

// TestAPIKeys: a key is stored by its hash and names its store, listed by
// store, prefix or hash, oldest first; an unknown or revoked key finds no
// store, and VerifyAPIKey fails the transaction with ErrRevoked; a
// revocation keeps its first time; a hash is unique.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	a, b := addShop(t, db, "a"), addShop(t, db, "b")
	keyA, hashA := domain.NewAPIKey()
	_, hashB := domain.NewAPIKey()
	_, hashC := domain.NewAPIKey()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.CreateAPIKey(ctx, a.ID, hashA, domain.APIKeyPrefix(keyA)); err != nil {
			return err
		}
		if err := tx.CreateAPIKey(ctx, b.ID, hashB, "lb_bbbb"); err != nil {
			return err
		}
		return tx.CreateAPIKey(ctx, b.ID, hashC, "lb_cccc")
	})
	var keys []domain.APIKey
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		keys, err = tx.ListAPIKeys(ctx, domain.APIKeyFilter{})
		return err
	})
	if len(keys) != 3 {
		t.Fatalf("ListAPIKeys = %+v, want 3 keys", keys)
	}
	checkEqual(t, "all keys", keys, []domain.APIKey{
		{ID: keys[0].ID, ShopID: a.ID, StoreCode: "a", Prefix: domain.APIKeyPrefix(keyA), CreatedAt: t0},
		{ID: keys[1].ID, ShopID: b.ID, StoreCode: "b", Prefix: "lb_bbbb", CreatedAt: t0},
		{ID: keys[2].ID, ShopID: b.ID, StoreCode: "b", Prefix: "lb_cccc", CreatedAt: t0},
	})
	for _, tc := range []struct {
		name string
		f    domain.APIKeyFilter
		want []domain.APIKey
	}{
		{"by store", domain.APIKeyFilter{ShopID: b.ID}, keys[1:]},
		{"by prefix", domain.APIKeyFilter{Prefix: "lb_cccc"}, keys[2:]},
		{"by hash", domain.APIKeyFilter{Hash: domain.HashSecret(keyA)}, keys[:1]},
		{"by all three", domain.APIKeyFilter{ShopID: b.ID, Prefix: "lb_bbbb", Hash: hashB}, keys[1:2]},
		{"nothing", domain.APIKeyFilter{ShopID: a.ID, Prefix: "lb_bbbb"}, nil},
	} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.ListAPIKeys(ctx, tc.f)
			if len(got) != 0 || len(tc.want) != 0 {
				checkEqual(t, tc.name, got, tc.want)
			}
			return err
		})
	}
	checkErr(t, "a duplicate hash", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.CreateAPIKey(ctx, b.ID, hashA, "lb_dup")
	}), domain.ErrConflict)

	revoked := clock.Advance(time.Hour)
	for _, at := range []time.Time{revoked, clock.Advance(time.Hour)} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.RevokeAPIKey(ctx, keys[1].ID, at) })
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListAPIKeys(ctx, domain.APIKeyFilter{Hash: hashB})
		want := keys[1]
		want.RevokedAt = revoked
		checkEqual(t, "revoked", got, []domain.APIKey{want})
		return err
	})
	for _, tc := range []struct {
		name      string
		hash      []byte
		shop      int64
		findErr   error
		verifyErr error
	}{
		{"active", hashA, a.ID, nil, nil},
		{"active, by its key", domain.HashSecret(keyA), a.ID, nil, nil},
		{"another active", hashC, b.ID, nil, nil},
		{"revoked", hashB, 0, domain.ErrNotFound, domain.ErrRevoked},
		{"unknown", domain.HashSecret("lb_nope"), 0, domain.ErrNotFound, domain.ErrRevoked},
	} {
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.FindAPIKeyShop(ctx, tc.hash)
			if got != tc.shop {
				t.Errorf("%s: FindAPIKeyShop = %d, want %d", tc.name, got, tc.shop)
			}
			return err
		})
		checkErr(t, tc.name+": FindAPIKeyShop", err, tc.findErr)
		err = txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			if err := tx.VerifyAPIKey(ctx, tc.hash); err != nil {
				return err
			}
			_, err := tx.FindShopByID(ctx, a.ID) // the check goes out with it
			return err
		})
		checkErr(t, tc.name+": VerifyAPIKey", err, tc.verifyErr)
	}
}
