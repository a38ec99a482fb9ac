package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestLockCardHoldsTheRow: LockCard keeps the card row locked until its
// transaction ends, so every change of a card's points queues up behind
// it; other cards stay free.
func TestLockCardHoldsTheRow(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	const lock = `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`
	release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.LockCard(ctx, card.ID)
		return err
	})
	if !lockedElsewhere(t, db, lock, card.ID) {
		t.Error("the card is not locked while LockCard's transaction is open")
	}
	if lockedElsewhere(t, db, lock, other.ID) {
		t.Error("LockCard locked another card")
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if lockedElsewhere(t, db, lock, card.ID) {
		t.Error("the card is still locked after the transaction ended")
	}
}

// TestListOpenLots: the card's lots with points left, oldest first, with
// kind, expiry and time; spent lots and other cards' lots are not listed.
func TestListOpenLots(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	expires := t0.AddDate(0, 0, 30)
	promo := credit(t, db, card.ID, 100, domain.LotPromo, expires)
	clock.Advance(time.Minute)
	spent := credit(t, db, card.ID, 5, domain.LotRegular, time.Time{})
	clock.Advance(time.Minute)
	regular := credit(t, db, card.ID, 50, domain.LotRegular, time.Time{})
	credit(t, db, other.ID, 7, domain.LotRegular, time.Time{})
	lotOf := func(ledgerID int64) int64 {
		return sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, ledgerID)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.UseLots(ctx, []domain.LotUse{{LotID: lotOf(spent.ID), Points: 5}})
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListOpenLots(ctx, card.ID)
		checkEqual(t, "open lots", got, []domain.Lot{
			{ID: lotOf(promo.ID), Kind: domain.LotPromo, Remaining: 100, ExpiresAt: expires, CreatedAt: promo.CreatedAt},
			{ID: lotOf(regular.ID), Kind: domain.LotRegular, Remaining: 50, CreatedAt: regular.CreatedAt},
		})
		checkTime(t, "the regular lot's time", regular.CreatedAt, t0.Add(2*time.Minute))
		return err
	})
}

// TestUseAndRestoreLots: UseLots takes points from each lot, RestoreLots
// gives the same back; a lot cannot go below zero or above its amount, an
// unknown lot is ErrNotFound, and a refused move moves no lot at all.
func TestUseAndRestoreLots(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	a := credit(t, db, card.ID, 30, domain.LotPromo, t0.AddDate(0, 1, 0))
	b := credit(t, db, card.ID, 20, domain.LotRegular, time.Time{})
	la := sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, a.ID)
	lb := sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, b.ID)
	remaining := func() [2]int64 {
		t.Helper()
		return [2]int64{
			sqlOne[int64](t, db, `SELECT remaining FROM point_lots WHERE id = $1`, la),
			sqlOne[int64](t, db, `SELECT remaining FROM point_lots WHERE id = $1`, lb),
		}
	}
	use := []domain.LotUse{{LotID: la, Points: 30}, {LotID: lb, Points: 5}}
	restore := func(ctx context.Context, tx domain.Tx, uses []domain.LotUse) error {
		// Both lots live at t0: no new lot, so the row is not needed.
		_, err := tx.RestoreLots(ctx, domain.LedgerEntry{CardID: card.ID}, uses, t0, time.Time{})
		return err
	}
	steps := []struct {
		name    string
		fn      func(ctx context.Context, tx domain.Tx) error
		wantErr bool
		want    [2]int64
	}{
		{"use", func(ctx context.Context, tx domain.Tx) error { return tx.UseLots(ctx, use) }, false, [2]int64{0, 15}},
		{"use nothing", func(ctx context.Context, tx domain.Tx) error { return tx.UseLots(ctx, nil) }, false, [2]int64{0, 15}},
		{"overdraw a lot", func(ctx context.Context, tx domain.Tx) error {
			return tx.UseLots(ctx, []domain.LotUse{{LotID: lb, Points: 1}, {LotID: la, Points: 1}})
		}, true, [2]int64{0, 15}},
		{"restore", func(ctx context.Context, tx domain.Tx) error { return restore(ctx, tx, use) }, false, [2]int64{30, 20}},
		{"restore past the amount", func(ctx context.Context, tx domain.Tx) error {
			return restore(ctx, tx, []domain.LotUse{{LotID: lb, Points: 1}})
		}, true, [2]int64{30, 20}},
		{"restore nothing", func(ctx context.Context, tx domain.Tx) error { return restore(ctx, tx, nil) }, false, [2]int64{30, 20}},
	}
	for _, s := range steps {
		err := txErr(t, db, s.fn)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: err = %v, want an error: %v", s.name, err, s.wantErr)
		}
		if got := remaining(); got != s.want {
			t.Errorf("%s: remaining %v, want %v", s.name, got, s.want)
		}
	}
	for name, fn := range map[string]func(ctx context.Context, tx domain.Tx) error{
		"use an unknown lot": func(ctx context.Context, tx domain.Tx) error {
			return tx.UseLots(ctx, []domain.LotUse{{LotID: la, Points: 1}, {LotID: 999, Points: 1}})
		},
		"restore an unknown lot": func(ctx context.Context, tx domain.Tx) error {
			return restore(ctx, tx, []domain.LotUse{{LotID: 999, Points: 1}})
		},
	} {
		checkErr(t, name, txErr(t, db, fn), domain.ErrNotFound)
	}
	if got := remaining(); got != [2]int64{30, 20} {
		t.Errorf("after refused moves: remaining %v, want [30 20]", got)
	}
}

// TestRestoreLotsRenewsExpiredLots: points of a lot expired at now do not
// go back into it (the expiry would write them off) but come back as one
// new regular lot of the credit row, with no own expiry, made when the row
// was; those of live lots go back into them.
func TestRestoreLotsRenewsExpiredLots(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	a := credit(t, db, card.ID, 30, domain.LotPromo, t0.AddDate(0, 0, 1))
	b := credit(t, db, card.ID, 20, domain.LotPromo, t0.AddDate(0, 0, 2))
	c := credit(t, db, card.ID, 10, domain.LotRegular, time.Time{})
	lot := func(ledgerID int64) int64 {
		return sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, ledgerID)
	}
	use := []domain.LotUse{{LotID: lot(a.ID), Points: 30}, {LotID: lot(b.ID), Points: 5}, {LotID: lot(c.ID), Points: 4}}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.UseLots(ctx, use) })
	clock.Advance(36 * time.Hour) // a is dead, b and c live
	now := clock.Now()
	var row domain.LedgerEntry
	var renewed int64
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		row, _, err = tx.AppendLedger(ctx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerReturn, Amount: 39,
			IdempotencyKey: "test:give", CreatedAt: now})
		if err != nil {
			return err
		}
		renewed, err = tx.RestoreLots(ctx, row, use, now, time.Time{})
		return err
	})
	if renewed != 30 {
		t.Errorf("renewed %d, want 30", renewed)
	}
	for _, w := range []struct {
		ledger, remaining int64
	}{{a.ID, 0}, {b.ID, 20}, {c.ID, 10}} {
		if got := sqlOne[int64](t, db, `SELECT remaining FROM point_lots WHERE ledger_id = $1`, w.ledger); got != w.remaining {
			t.Errorf("lot of row %d: remaining %d, want %d", w.ledger, got, w.remaining)
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		lots, err := tx.ListOpenLots(ctx, card.ID)
		checkEqual(t, "open lots", lots, []domain.Lot{
			{ID: lot(b.ID), Kind: domain.LotPromo, Remaining: 20, ExpiresAt: t0.AddDate(0, 0, 2), CreatedAt: b.CreatedAt},
			{ID: lot(c.ID), Kind: domain.LotRegular, Remaining: 10, CreatedAt: c.CreatedAt},
			{ID: lot(row.ID), Kind: domain.LotRegular, Remaining: 30, CreatedAt: now},
		})
		return err
	})
}
