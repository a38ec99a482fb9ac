package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestCardRoundTrip: a new card has no points and the business clock's
// time; each finder reads it back; missing ones are ErrNotFound.
func TestCardRoundTrip(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addMember(t, db, clock, 1) // another card, which no finder may return
	clock.Advance(time.Minute)
	cust := &domain.Customer{TelegramID: 2, FirstName: "Bob"}
	var card *domain.Card
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		card, err = tx.CreateCard(ctx, cust.ID, "98765432")
		return err
	})
	want := &domain.Card{ID: card.ID, CustomerID: cust.ID, Number: "98765432", CreatedAt: clock.Now()}
	checkEqual(t, "CreateCard", card, want)

	type finder func(ctx context.Context, tx domain.Tx) (*domain.Card, error)
	for _, tc := range []struct {
		name    string
		find    finder
		wantErr error
	}{
		{"by customer", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) {
			return tx.FindCardByCustomer(ctx, cust.ID)
		}, nil},
		{"by id", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) { return tx.FindCardByID(ctx, card.ID) }, nil},
		{"by number", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) {
			return tx.FindCardByNumber(ctx, "98765432")
		}, nil},
		{"lock", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) { return tx.LockCard(ctx, card.ID) }, nil},
		{"missing customer", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) { return tx.FindCardByCustomer(ctx, 999) }, domain.ErrNotFound},
		{"missing id", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) { return tx.FindCardByID(ctx, 999) }, domain.ErrNotFound},
		{"missing number", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) {
			return tx.FindCardByNumber(ctx, "11111111")
		}, domain.ErrNotFound},
		{"lock missing", func(ctx context.Context, tx domain.Tx) (*domain.Card, error) { return tx.LockCard(ctx, 999) }, domain.ErrNotFound},
	} {
		var got *domain.Card
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			got, err = tc.find(ctx, tx)
			return err
		})
		switch {
		case tc.wantErr != nil:
			checkErr(t, tc.name, err, tc.wantErr)
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		default:
			checkEqual(t, tc.name, got, want)
		}
	}
}

// TestCreateCardConflict: a taken number is ErrConflict and leaves the
// transaction usable, so the caller draws another number and goes on; a
// second card for one customer is ErrConflict too.
func TestCreateCardConflict(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, taken := addMember(t, db, clock, 1)
	c := &domain.Customer{TelegramID: 2, FirstName: "Bob"}
	var card *domain.Card
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		_, err = tx.CreateCard(ctx, c.ID, taken.Number)
		checkErr(t, "a taken number", err, domain.ErrConflict)
		card, err = tx.CreateCard(ctx, c.ID, "22222222")
		return err
	})
	if card.Number != "22222222" || card.CustomerID != c.ID {
		t.Errorf("the second draw gave %+v", card)
	}
	checkErr(t, "a second card", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.CreateCard(ctx, c.ID, "33333333")
		return err
	}), domain.ErrConflict)
}

// TestAppendLedger: a row moves the balance and records balance_after
// and the business clock's time (when the caller gives none); the same
// idempotency key again returns the first row with created=false and
// moves nothing; a debit past zero is ErrInsufficientPoints.
func TestAppendLedger(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	expires := t0.AddDate(0, 3, 0)
	given := t0.Add(-time.Hour) // a time the business chose
	steps := []struct {
		name        string
		entry       domain.LedgerEntry
		want        domain.LedgerEntry // ID and CardID filled in below
		wantCreated bool
		balance     int64
	}{
		{"credit", domain.LedgerEntry{Kind: domain.LedgerWelcome, Amount: 100, Reason: "hi", IdempotencyKey: "a", ExpiresAt: expires},
			domain.LedgerEntry{Kind: domain.LedgerWelcome, Amount: 100, Reason: "hi", IdempotencyKey: "a", ExpiresAt: expires,
				BalanceAfter: 100, CreatedAt: t0}, true, 100},
		{"debit at a given time", domain.LedgerEntry{Kind: domain.LedgerRedeem, Amount: -30, IdempotencyKey: "b", CreatedAt: given},
			domain.LedgerEntry{Kind: domain.LedgerRedeem, Amount: -30, IdempotencyKey: "b", BalanceAfter: 70, CreatedAt: given}, true, 70},
		{"repeated key, other body", domain.LedgerEntry{Kind: domain.LedgerEarn, Amount: 500, IdempotencyKey: "a"},
			domain.LedgerEntry{Kind: domain.LedgerWelcome, Amount: 100, Reason: "hi", IdempotencyKey: "a", ExpiresAt: expires,
				BalanceAfter: 100, CreatedAt: t0}, false, 70},
		{"debit to zero", domain.LedgerEntry{Kind: domain.LedgerRedeem, Amount: -70, IdempotencyKey: "c"},
			domain.LedgerEntry{Kind: domain.LedgerRedeem, Amount: -70, IdempotencyKey: "c", BalanceAfter: 0, CreatedAt: t0}, true, 0},
	}
	ids := map[string]int64{}
	for _, s := range steps {
		s.entry.CardID = card.ID
		var row domain.LedgerEntry
		var created bool
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			row, created, err = tx.AppendLedger(ctx, s.entry)
			return err
		})
		if created != s.wantCreated {
			t.Errorf("%s: created = %v, want %v", s.name, created, s.wantCreated)
		}
		if id, seen := ids[s.entry.IdempotencyKey]; seen && row.ID != id {
			t.Errorf("%s: row %d, want the first row %d", s.name, row.ID, id)
		}
		ids[s.entry.IdempotencyKey] = row.ID
		s.want.ID, s.want.CardID = row.ID, card.ID
		checkEqual(t, s.name, row, s.want)
		if b := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID); b != s.balance {
			t.Errorf("%s: balance %d, want %d", s.name, b, s.balance)
		}
	}

	err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, _, err := tx.AppendLedger(ctx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerRedeem, Amount: -1, IdempotencyKey: "d"})
		return err
	})
	checkErr(t, "overdraft", err, domain.ErrInsufficientPoints)
	if n := sqlOne[int](t, db, `SELECT count(*) FROM ledger WHERE card_id = $1`, card.ID); n != 3 {
		t.Errorf("%d ledger rows, want 3", n)
	}
}

// TestListLedger: newest first, at most limit rows, only the card's own.
func TestListLedger(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	var want []domain.LedgerEntry
	for i := range 5 {
		clock.Advance(time.Minute)
		e := domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerEarn, Amount: int64(i + 1), IdempotencyKey: fmt.Sprint("k", i)}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			row, _, err := tx.AppendLedger(ctx, e)
			want = append([]domain.LedgerEntry{row}, want...)
			return err
		})
	}
	credit(t, db, other.ID, 9, domain.LotRegular, time.Time{})
	for _, limit := range []int{10, 5, 2} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.ListLedger(ctx, card.ID, limit)
			checkEqual(t, fmt.Sprint("limit ", limit), got, want[:min(limit, len(want))])
			return err
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListLedger(ctx, 999, 10)
		if len(got) != 0 {
			t.Errorf("a missing card's ledger: %+v", got)
		}
		return err
	})
}

// TestAppendCredit: a credit and its lot are written together, the lot
// holding the whole amount with the row's expiry and time; a repeated key
// writes neither and returns the first row.
func TestAppendCredit(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	expires := t0.AddDate(0, 1, 0)
	e := domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerBonus, Amount: 40, Reason: "city", IdempotencyKey: "bonus:city", ExpiresAt: expires}
	var first domain.LedgerEntry
	for i, wantCreated := range []bool{true, false} {
		var row domain.LedgerEntry
		var created bool
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			row, created, err = tx.AppendCredit(ctx, e, domain.LotPromo)
			return err
		})
		if created != wantCreated {
			t.Errorf("call %d: created = %v, want %v", i+1, created, wantCreated)
		}
		if i == 0 {
			first = row
			want := e
			want.ID, want.BalanceAfter, want.CreatedAt = row.ID, 40, clock.Now()
			checkEqual(t, "row", row, want)
		} else {
			checkEqual(t, "repeated row", row, first)
		}
		clock.Advance(time.Minute)
		e.Amount = 1000 // a repeat with another body changes nothing
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		lots, err := tx.ListOpenLots(ctx, card.ID)
		if len(lots) == 1 {
			checkEqual(t, "lot", lots[0], domain.Lot{ID: lots[0].ID, Kind: domain.LotPromo, Remaining: 40, ExpiresAt: expires, CreatedAt: t0})
		} else {
			t.Errorf("lots %+v, want one", lots)
		}
		return err
	})
	if b := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID); b != 40 {
		t.Errorf("balance %d, want 40", b)
	}
	if id := sqlOne[int64](t, db, `SELECT ledger_id FROM point_lots WHERE card_id = $1`, card.ID); id != first.ID {
		t.Errorf("the lot points at ledger row %d, want %d", id, first.ID)
	}
}
