package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestLoadCheckout: in one round trip, the locked card, its customer, a
// purchase with the same key, and what the rules decide on: the rolling
// spend, the velocity counts, the last purchase and the lot summary, each
// counted from the times the query gives (the business clock's), by card
// id or by number.
func TestLoadCheckout(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	cashier := addStaff(t, db, 900, domain.RoleCashier, shop.ID)
	cust, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	expires := t0.AddDate(0, 0, 20)
	credit(t, db, card.ID, 50, domain.LotRegular, time.Time{})
	credit(t, db, card.ID, 100, domain.LotPromo, expires)
	credit(t, db, card.ID, 10, domain.LotPromo, t0.AddDate(0, 0, 40))
	credit(t, db, other.ID, 10, domain.LotPromo, t0.AddDate(0, 0, 1))

	old := purchaseAt(card, shop.ID, 1_000, t0.AddDate(-1, 0, -1))    // before the spend window
	twoDays := purchaseAt(card, shop.ID, 2_000, t0.AddDate(0, 0, -2)) // spend only
	recent := purchaseAt(card, shop.ID, 4_000, t0.Add(-30*time.Minute))
	recent.StaffID = cashier.ID
	cancelled := purchaseAt(card, shop.ID, 8_000, t0.Add(-10*time.Minute))
	cancelled.StaffID = cashier.ID
	elsewhere := purchaseAt(other, shop.ID, 16_000, t0.Add(-5*time.Minute))
	elsewhere.StaffID = cashier.ID
	for _, p := range []*domain.Purchase{old, twoDays, recent, cancelled, elsewhere} {
		writePurchase(t, db, p, domain.PurchaseWrites{})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.MarkPurchaseCancelled(ctx, cancelled.ID, 0, t0)
	})

	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := tx.FindCardByID(ctx, card.ID)
		card = c
		return err
	})
	var lots []domain.Lot
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		lots, err = tx.ListOpenLots(ctx, card.ID)
		return err
	})
	base := domain.CheckoutQuery{CardID: card.ID, IdempotencyKey: "fresh", StaffID: cashier.ID,
		SpendSince: t0.AddDate(-1, 0, 0), CardSince: t0.Add(-24 * time.Hour), StaffSince: t0.Add(-time.Hour)}
	want := domain.CheckoutState{Card: *card, Customer: *cust, Purchases: 1, Spend: 6_000,
		CardCount: 2, StaffCount: 3,
		ExpiryFacts: domain.ExpiryFacts{LastPurchase: recent.CreatedAt, EarliestExpiry: expires, HasRegular: true}}

	byNumber := base
	byNumber.CardID, byNumber.CardNumber = 0, card.Number
	withLots := base
	withLots.WithLots = true
	repeat := base
	repeat.IdempotencyKey = twoDays.IdempotencyKey
	noStaff := base
	noStaff.StaffID = 0
	narrow := base
	narrow.SpendSince, narrow.CardSince, narrow.StaffSince = t0.Add(-time.Hour), t0.Add(-20*time.Minute), t0.Add(-6*time.Minute)
	for _, tc := range []struct {
		name   string
		q      domain.CheckoutQuery
		change func(*domain.CheckoutState)
	}{
		{"by id", base, nil},
		{"by number", byNumber, nil},
		{"with lots", withLots, func(st *domain.CheckoutState) { st.Lots = lots }},
		{"a repeated key", repeat, func(st *domain.CheckoutState) { st.PrevPublicID = twoDays.PublicID }},
		{"from the POS", noStaff, func(st *domain.CheckoutState) { st.StaffCount = 0 }},
		{"narrow windows", narrow, func(st *domain.CheckoutState) { st.Spend, st.CardCount, st.StaffCount = 4_000, 1, 1 }},
	} {
		w := want
		if tc.change != nil {
			tc.change(&w)
		}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.LoadCheckout(ctx, tc.q)
			if err == nil {
				checkEqual(t, tc.name, *got, w)
			}
			return err
		})
	}
}

// TestLoadCheckoutOfANewCard: a card without purchases or lots reads as
// such; a missing card (by id or number) is ErrNotFound.
func TestLoadCheckoutOfANewCard(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	cust, card := addMember(t, db, clock, 1)
	q := domain.CheckoutQuery{CardID: card.ID, SpendSince: t0.AddDate(-1, 0, 0), CardSince: t0.Add(-24 * time.Hour),
		StaffSince: t0.Add(-time.Hour), WithLots: true}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.LoadCheckout(ctx, q)
		if err == nil {
			checkEqual(t, "a new card", *got, domain.CheckoutState{Card: *card, Customer: *cust, Lots: []domain.Lot{}})
		}
		return err
	})
	for _, missing := range []domain.CheckoutQuery{{CardID: 999}, {CardNumber: "99999999"}, {CardID: 999, WithLots: true},
		{CardNumber: "99999999", WithLots: true}} {
		checkErr(t, "a missing card", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.LoadCheckout(ctx, missing)
			return err
		}), domain.ErrNotFound)
	}
}

// TestLoadCheckoutLocksTheCard: the card stays locked until the
// purchase's transaction ends, so two checkouts of one card queue up.
func TestLoadCheckoutLocksTheCard(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	_, card := addMember(t, db, clock, 1)
	for _, q := range []domain.CheckoutQuery{{CardID: card.ID}, {CardNumber: card.Number, WithLots: true}} {
		release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.LoadCheckout(ctx, q)
			return err
		})
		if !lockedElsewhere(t, db, `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`, card.ID) {
			t.Errorf("%+v: the card is not locked during the checkout", q)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHeldWelcome: a welcome bonus held for the first purchase is read by
// LoadCheckout (holding it again keeps the first), and the purchase that
// pays it writes it as a promo lot and ends the hold, in its transaction.
func TestHeldWelcome(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	_, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	held := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.HoldWelcome(ctx, domain.HeldWelcome{CardID: card.ID, Points: 50, ValidDays: 30, At: held}); err != nil {
			return err
		}
		return tx.HoldWelcome(ctx, domain.HeldWelcome{CardID: card.ID, Points: 999, ValidDays: 1, At: clock.Now()})
	})
	checkTime(t, "held_at", sqlOne[time.Time](t, db, `SELECT held_at FROM held_welcome WHERE card_id = $1`, card.ID), held)
	load := func(id int64) (h domain.HeldWelcome) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			st, err := tx.LoadCheckout(ctx, domain.CheckoutQuery{CardID: id})
			if err == nil {
				h = st.Held
			}
			return err
		})
		return h
	}
	checkEqual(t, "held", load(card.ID), domain.HeldWelcome{Points: 50, ValidDays: 30, Round: 1})
	checkEqual(t, "another card", load(other.ID), domain.HeldWelcome{})

	at := clock.Advance(time.Minute)
	expires := at.AddDate(0, 0, 30)
	p := purchaseAt(card, shop.ID, 1000, at)
	writePurchase(t, db, p, domain.PurchaseWrites{Welcome: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerWelcome,
		Amount: 50, IdempotencyKey: domain.WelcomeBonusKey(card.CustomerID), ExpiresAt: expires}})
	checkEqual(t, "after the purchase", load(card.ID), domain.HeldWelcome{})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		lots, err := tx.ListOpenLots(ctx, card.ID)
		if len(lots) == 1 {
			checkEqual(t, "welcome lot", lots[0], domain.Lot{ID: lots[0].ID, Kind: domain.LotPromo, Remaining: 50, ExpiresAt: expires, CreatedAt: at})
		} else {
			t.Errorf("lots %+v, want the welcome bonus", lots)
		}
		return err
	})
	if b := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID); b != 50 {
		t.Errorf("balance %d, want 50", b)
	}
}
