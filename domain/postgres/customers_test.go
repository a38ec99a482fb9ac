package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestCustomerRoundTrip: what CreateCustomer writes, both finders read
// back, with CreatedAt from the business clock.
func TestCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	want := &domain.Customer{TelegramID: 501, ChatID: 502, FirstName: "Анна", Phone: "+79990001122", Language: "ru",
		JoinedStoreID: shop.ID, JoinedAt: t0.Add(-time.Hour), Marketing: true}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateCustomer(ctx, want) })
	if want.ID == 0 {
		t.Fatal("CreateCustomer left ID 0")
	}
	checkTime(t, "CreatedAt", want.CreatedAt, clock.Now())

	for _, find := range []struct {
		name string
		fn   func(ctx context.Context, tx domain.Tx) (*domain.Customer, error)
	}{
		{"FindCustomerByID", func(ctx context.Context, tx domain.Tx) (*domain.Customer, error) {
			return tx.FindCustomerByID(ctx, want.ID)
		}},
		{"FindCustomerByTelegramID", func(ctx context.Context, tx domain.Tx) (*domain.Customer, error) {
			return tx.FindCustomerByTelegramID(ctx, want.TelegramID)
		}},
	} {
		var got *domain.Customer
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			got, err = find.fn(ctx, tx)
			return err
		})
		checkEqual(t, find.name, got, want)
	}
}

// TestCustomerNotFound: a missing customer is ErrNotFound, by either key.
func TestCustomerNotFound(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addMember(t, db, clock, 7)
	for _, tc := range []struct {
		name string
		fn   func(ctx context.Context, tx domain.Tx) error
	}{
		{"by id", func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindCustomerByID(ctx, 999)
			return err
		}},
		{"by telegram id", func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindCustomerByTelegramID(ctx, 8)
			return err
		}},
		{"update", func(ctx context.Context, tx domain.Tx) error {
			return tx.UpdateCustomer(ctx, &domain.Customer{ID: 999, FirstName: "Nobody"})
		}},
	} {
		checkErr(t, tc.name, txErr(t, db, tc.fn), domain.ErrNotFound)
	}
}

// TestCustomerConflicts: a phone or a Telegram account belongs to one
// customer; taking it again is ErrConflict, and the refused write changes
// nothing.
func TestCustomerConflicts(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ann := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "Ann", Phone: "+15550001"}
	bob := &domain.Customer{TelegramID: 2, ChatID: 2, FirstName: "Bob", Phone: "+15550002"}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.CreateCustomer(ctx, ann); err != nil {
			return err
		}
		return tx.CreateCustomer(ctx, bob)
	})
	for _, tc := range []struct {
		name string
		fn   func(ctx context.Context, tx domain.Tx) error
	}{
		{"create with a taken phone", func(ctx context.Context, tx domain.Tx) error {
			return tx.CreateCustomer(ctx, &domain.Customer{TelegramID: 3, FirstName: "Eve", Phone: ann.Phone})
		}},
		{"create with a taken Telegram id", func(ctx context.Context, tx domain.Tx) error {
			return tx.CreateCustomer(ctx, &domain.Customer{TelegramID: ann.TelegramID, FirstName: "Eve"})
		}},
		{"update to a taken phone", func(ctx context.Context, tx domain.Tx) error {
			b := *bob
			b.Phone = ann.Phone
			return tx.UpdateCustomer(ctx, &b)
		}},
	} {
		checkErr(t, tc.name, txErr(t, db, tc.fn), domain.ErrConflict)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindCustomerByID(ctx, bob.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "Bob after the refused update", got, bob)
		return nil
	})
	if n := sqlOne[int](t, db, `SELECT count(*) FROM customers`); n != 2 {
		t.Errorf("%d customers, want the 2 created", n)
	}
}

// TestUpdateCustomer: every mutable field is saved; CreatedAt is not one.
func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	c, _ := addMember(t, db, clock, 10)
	clock.Advance(time.Hour)
	want := *c
	want.TelegramID, want.ChatID, want.FirstName, want.Phone, want.Language = 11, 12, "Renamed", "+15550011", "ru"
	want.JoinedStoreID, want.JoinedAt, want.Marketing = shop.ID, clock.Now(), true
	changed := want
	changed.CreatedAt = clock.Now() // not saved
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.UpdateCustomer(ctx, &changed) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindCustomerByID(ctx, c.ID)
		checkEqual(t, "after update", got, &want)
		return err
	})

	// Zero values clear the nullable columns.
	cleared := want
	cleared.TelegramID, cleared.ChatID, cleared.Phone, cleared.JoinedStoreID, cleared.JoinedAt = 0, 0, "", 0, time.Time{}
	cleared.Marketing = false
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.UpdateCustomer(ctx, &cleared) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindCustomerByID(ctx, c.ID)
		checkEqual(t, "after clearing", got, &cleared)
		return err
	})
	if n := sqlOne[int](t, db, `SELECT count(*) FROM customers WHERE telegram_id IS NULL AND phone IS NULL AND joined_at IS NULL`); n != 1 {
		t.Errorf("zero values stored as %d NULL rows, want 1", n)
	}
}

// TestMarkChatReachable: a customer marked unreachable (blocked the bot)
// is reachable again once their chat writes; other chats keep their mark.
func TestMarkChatReachable(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	a, _ := addMember(t, db, clock, 21)
	b, _ := addMember(t, db, clock, 22)
	for _, chat := range []int64{a.ChatID, b.ChatID} {
		if err := db.Outbox().MarkUnreachable(ctx, chat); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkChatReachable(ctx, a.ChatID) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, want := range []struct {
			id          int64
			unreachable bool
		}{{a.ID, false}, {b.ID, true}} {
			c, err := tx.FindCustomerByID(ctx, want.id)
			if err != nil {
				return err
			}
			if c.Unreachable != want.unreachable {
				t.Errorf("customer %d: Unreachable = %v, want %v", c.ID, c.Unreachable, want.unreachable)
			}
		}
		// A chat nobody has is no error.
		return tx.MarkChatReachable(ctx, 999)
	})
}

// TestConsents: each consent given or withdrawn is a row, listed oldest
// first with the time the business gave; the customer's marketing flag
// follows the newest marketing consent.
func TestConsents(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	c, _ := addMember(t, db, clock, 30)
	other, _ := addMember(t, db, clock, 31)
	steps := []struct {
		consent   domain.Consent
		marketing bool
	}{
		{domain.Consent{Kind: domain.ConsentPersonalData, Version: "pd-1", Granted: true}, false},
		{domain.Consent{Kind: domain.ConsentMarketing, Version: "m-1", Granted: true}, true},
		{domain.Consent{Kind: domain.ConsentPersonalData, Version: "pd-2", Granted: true}, true},
		{domain.Consent{Kind: domain.ConsentMarketing, Version: "m-1", Granted: false}, false},
	}
	var want []domain.Consent
	for i, s := range steps {
		s.consent.At = clock.Advance(time.Minute)
		want = append(want, s.consent)
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			if err := tx.AppendConsent(ctx, c.ID, s.consent); err != nil {
				return err
			}
			got, err := tx.FindCustomerByID(ctx, c.ID)
			if err == nil && got.Marketing != s.marketing {
				t.Errorf("after consent %d (%+v): Marketing = %v, want %v", i, s.consent, got.Marketing, s.marketing)
			}
			return err
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListConsents(ctx, c.ID)
		checkEqual(t, "ListConsents", got, want)
		if err != nil {
			return err
		}
		none, err := tx.ListConsents(ctx, other.ID)
		if len(none) != 0 {
			t.Errorf("another customer's consents: %+v, want none", none)
		}
		return err
	})
}

// TestSetCustomerPhone: the phone is set; one another customer has is
// ErrConflict and leaves the transaction usable (the flow answers and
// goes on), unless it is verified (the account's own shared contact) and
// the other only typed it: then it moves. A missing customer is
// ErrNotFound.
func TestSetCustomerPhone(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ann, _ := addMember(t, db, clock, 1)
	bob, _ := addMember(t, db, clock, 2)
	eve, _ := addMember(t, db, clock, 3)
	const typed, shared = false, true
	steps := []struct {
		name     string
		who      int64
		phone    string
		verified bool
		want     error
	}{
		{"Ann types a number", ann.ID, "+15550001", typed, nil},
		{"Bob types Ann's number", bob.ID, "+15550001", typed, domain.ErrConflict},
		{"Bob types his own", bob.ID, "+15550002", typed, nil},
		{"Eve shares hers, typed by Ann", eve.ID, "+15550001", shared, nil},
		{"Ann shares Eve's verified number", ann.ID, "+15550001", shared, domain.ErrConflict},
		{"Ann types it again", ann.ID, "+15550001", typed, domain.ErrConflict},
		{"a missing customer", 999, "+15550009", shared, domain.ErrNotFound},
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, s := range steps {
			_, err := tx.SetCustomerPhone(ctx, s.who, s.phone, s.verified)
			if s.want == nil && err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if s.want != nil {
				checkErr(t, s.name, err, s.want)
			}
		}
		return nil
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for id, want := range map[int64]string{ann.ID: "", bob.ID: "+15550002", eve.ID: "+15550001"} {
			c, err := tx.FindCustomerByID(ctx, id)
			if err != nil {
				return err
			}
			if c.Phone != want {
				t.Errorf("customer %d: phone %q, want %q", id, c.Phone, want)
			}
		}
		return nil
	})
	for id, want := range map[int64]bool{bob.ID: false, eve.ID: true} {
		if v := sqlOne[bool](t, db, `SELECT phone_verified FROM customers WHERE id = $1`, id); v != want {
			t.Errorf("customer %d: phone_verified %v, want %v", id, v, want)
		}
	}
}
