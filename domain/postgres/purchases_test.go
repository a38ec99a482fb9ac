package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// purchaseAt is a POS purchase of amount on card at a time, with no
// points moved; write it with writePurchase.
func purchaseAt(card *domain.Card, shopID, amount int64, at time.Time) *domain.Purchase {
	n := fixtureSeq.Add(1)
	return &domain.Purchase{PublicID: fmt.Sprint("p_test", n), CardID: card.ID, CustomerID: card.CustomerID,
		ShopID: shopID, Source: domain.SourcePOS, ReceiptID: fmt.Sprint("R-", n), IdempotencyKey: fmt.Sprint("pos:", n),
		RequestHash: "h", Amount: amount, Currency: "RUB", Categories: []string{}, Flags: []string{}, CreatedAt: at}
}

// writePurchase writes p and w in one transaction.
func writePurchase(t *testing.T, db *postgres.DB, p *domain.Purchase, w domain.PurchaseWrites) {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.WritePurchase(ctx, p, w) })
}

// TestWritePurchaseRoundTrip: a purchase, its debit with the lots that pay
// it and its credit as a regular lot commit together, at the purchase's
// time; both finders read the purchase back as written.
func TestWritePurchaseRoundTrip(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	cashier := addStaff(t, db, 900, domain.RoleCashier, shop.ID)
	_, card := addMember(t, db, clock, 1)
	promo := credit(t, db, card.ID, 100, domain.LotPromo, t0.AddDate(0, 0, 10))
	promoLot := sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, promo.ID)
	clock.Advance(time.Minute)
	at := t0.Add(30 * time.Second) // the purchase's time, as the business decided it

	p := &domain.Purchase{PublicID: "p_round", CardID: card.ID, CustomerID: card.CustomerID, ShopID: shop.ID,
		StaffID: cashier.ID, Source: domain.SourceBot, ReceiptID: "R-1", Amount: 123450, Currency: "RUB",
		Earned: 10, Redeemed: 30, Categories: []string{"coffee", "cake"}, Flags: []string{domain.FlagCardVelocity},
		CreatedAt: at, IdempotencyKey: "bot:round", RequestHash: "hash"}
	w := domain.PurchaseWrites{
		Debit: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerRedeem, Amount: -30, Reason: p.PublicID, IdempotencyKey: "purchase:p_round:redeem"},
		Uses:  []domain.LotUse{{LotID: promoLot, Points: 30}},
		Credit: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerEarn, Amount: 10, Reason: p.PublicID,
			IdempotencyKey: "purchase:p_round:earn"},
	}
	writePurchase(t, db, p, w)
	if p.ID == 0 {
		t.Fatal("WritePurchase left ID 0 after commit")
	}
	want := *p
	for _, find := range []struct {
		name string
		fn   func(ctx context.Context, tx domain.Tx) (*domain.Purchase, error)
	}{
		{"by key", func(ctx context.Context, tx domain.Tx) (*domain.Purchase, error) {
			return tx.FindPurchaseByKey(ctx, "bot:round")
		}},
		{"by public id", func(ctx context.Context, tx domain.Tx) (*domain.Purchase, error) {
			return tx.FindPurchaseByPublicID(ctx, "p_round")
		}},
	} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := find.fn(ctx, tx)
			checkEqual(t, find.name, got, &want)
			return err
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		uses, err := tx.ListLotUses(ctx, p.ID)
		checkEqual(t, "lot uses", uses, w.Uses)
		if err != nil {
			return err
		}
		rows, err := tx.ListLedger(ctx, card.ID, 2)
		if err != nil {
			return err
		}
		if len(rows) != 2 {
			t.Fatalf("ledger %+v, want the debit and the credit", rows)
		}
		checkEqual(t, "ledger", []domain.LedgerEntry{rows[0], rows[1]}, []domain.LedgerEntry{
			{ID: rows[0].ID, CardID: card.ID, Kind: domain.LedgerEarn, Amount: 10, Reason: "p_round",
				IdempotencyKey: "purchase:p_round:earn", BalanceAfter: 80, CreatedAt: at},
			{ID: rows[1].ID, CardID: card.ID, Kind: domain.LedgerRedeem, Amount: -30, Reason: "p_round",
				IdempotencyKey: "purchase:p_round:redeem", BalanceAfter: 70, CreatedAt: at},
		})
		lots, err := tx.ListOpenLots(ctx, card.ID)
		checkEqual(t, "lots", lots, []domain.Lot{
			{ID: promoLot, Kind: domain.LotPromo, Remaining: 70, ExpiresAt: t0.AddDate(0, 0, 10), CreatedAt: t0},
			{ID: sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, rows[0].ID), Kind: domain.LotRegular,
				Remaining: 10, CreatedAt: at},
		})
		return err
	})

	// A POS purchase with no staff, receipt, categories or points.
	bare := &domain.Purchase{PublicID: "p_bare", CardID: card.ID, CustomerID: card.CustomerID, ShopID: shop.ID,
		Source: domain.SourcePOS, Amount: 1, Currency: "RUB", CreatedAt: at, IdempotencyKey: "pos:bare"}
	writePurchase(t, db, bare, domain.PurchaseWrites{})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindPurchaseByKey(ctx, "pos:bare")
		want := *bare
		want.Categories, want.Flags = []string{}, []string{}
		checkEqual(t, "bare purchase", got, &want)
		if err != nil {
			return err
		}
		uses, err := tx.ListLotUses(ctx, bare.ID)
		if len(uses) != 0 {
			t.Errorf("lot uses of a purchase paid without points: %+v", uses)
		}
		return err
	})
}

// TestWritePurchaseRefusals: a taken idempotency key is ErrConflict, a
// debit past the balance ErrInsufficientPoints, and neither leaves a row.
func TestWritePurchaseRefusals(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	_, card := addMember(t, db, clock, 1)
	first := purchaseAt(card, shop.ID, 1000, t0)
	writePurchase(t, db, first, domain.PurchaseWrites{})

	again := purchaseAt(card, shop.ID, 2000, t0)
	again.IdempotencyKey = first.IdempotencyKey
	overdraft := purchaseAt(card, shop.ID, 2000, t0)
	for _, tc := range []struct {
		name string
		p    *domain.Purchase
		w    domain.PurchaseWrites
		want error
	}{
		{"a taken key", again, domain.PurchaseWrites{Credit: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerEarn,
			Amount: 5, IdempotencyKey: "again:earn"}}, domain.ErrConflict},
		{"an overdraft", overdraft, domain.PurchaseWrites{Debit: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerRedeem,
			Amount: -5, IdempotencyKey: "overdraft:redeem"}}, domain.ErrInsufficientPoints},
	} {
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			if err := tx.WritePurchase(ctx, tc.p, tc.w); err != nil {
				return err
			}
			_, err := tx.FindCardByID(ctx, card.ID) // the writes go out with it
			return err
		})
		checkErr(t, tc.name, err, tc.want)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM purchases`); n != 1 {
		t.Errorf("%d purchases, want the first only", n)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM ledger`); n != 0 {
		t.Errorf("%d ledger rows written by refused purchases", n)
	}
	for name, fn := range map[string]func(ctx context.Context, tx domain.Tx) error{
		"missing key": func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindPurchaseByKey(ctx, "nope")
			return err
		},
		"missing public id": func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.FindPurchaseByPublicID(ctx, "p_nope")
			return err
		},
	} {
		checkErr(t, name, txErr(t, db, fn), domain.ErrNotFound)
	}
}

// TestMarkPurchaseCancelled: the cancellation's time and who (0: the POS)
// are kept; cancelling again is ErrConflict (a second cancel racing the
// first rolls back) and changes nothing; a cancelled purchase no longer
// counts as spend or as the last purchase.
func TestMarkPurchaseCancelled(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	manager := addStaff(t, db, 900, domain.RoleManager, shop.ID)
	_, card := addMember(t, db, clock, 1)
	older := purchaseAt(card, shop.ID, 1000, t0.Add(-2*time.Hour))
	newer := purchaseAt(card, shop.ID, 3000, t0.Add(-time.Hour))
	pos := purchaseAt(card, shop.ID, 500, t0.Add(-3*time.Hour))
	for _, p := range []*domain.Purchase{older, newer, pos} {
		writePurchase(t, db, p, domain.PurchaseWrites{})
	}
	at := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.MarkPurchaseCancelled(ctx, newer.ID, manager.ID, at); err != nil {
			return err
		}
		return tx.MarkPurchaseCancelled(ctx, pos.ID, 0, at)
	})
	for _, p := range []*domain.Purchase{newer, pos} {
		checkErr(t, "a second cancel", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			return tx.MarkPurchaseCancelled(ctx, p.ID, manager.ID, clock.Advance(time.Minute))
		}), domain.ErrConflict)
	}
	checkErr(t, "a missing purchase", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.MarkPurchaseCancelled(ctx, 999, 0, at)
	}), domain.ErrConflict)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, w := range []struct {
			p  *domain.Purchase
			by int64
		}{{newer, manager.ID}, {pos, 0}} {
			got, err := tx.FindPurchaseByPublicID(ctx, w.p.PublicID)
			if err != nil {
				return err
			}
			want := *w.p
			want.CancelledAt, want.CancelledBy = at, w.by
			checkEqual(t, "cancelled "+w.p.PublicID, got, &want)
		}
		spend, err := tx.SpendSince(ctx, card.ID, t0.AddDate(-1, 0, 0))
		if err != nil {
			return err
		}
		if spend != 1000 {
			t.Errorf("spend %d, want 1000 (cancelled purchases excluded)", spend)
		}
		last, err := tx.LastPurchaseAt(ctx, card.ID)
		checkTime(t, "last purchase", last, older.CreatedAt)
		return err
	})
}

// TestSpendSinceAndLastPurchaseAt: the card's own purchases from since on
// (inclusive); none at all is 0 and the zero time. CardForQuote reads the
// same spend, with the card and its owner.
func TestSpendSinceAndLastPurchaseAt(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { // customers' ids then differ from their cards'
		return tx.CreateCustomer(ctx, &domain.Customer{TelegramID: 99, FirstName: "No card"})
	})
	_, card := addMember(t, db, clock, 1)
	_, other := addMember(t, db, clock, 2)
	_, fresh := addMember(t, db, clock, 3)
	for i, amount := range []int64{100, 200, 400} {
		writePurchase(t, db, purchaseAt(card, shop.ID, amount, t0.AddDate(0, 0, -100*(2-i))), domain.PurchaseWrites{})
	}
	writePurchase(t, db, purchaseAt(other, shop.ID, 10000, t0), domain.PurchaseWrites{})
	for _, tc := range []struct {
		card  int64
		since time.Time
		want  int64
	}{
		{card.ID, t0.AddDate(-1, 0, 0), 700},
		{card.ID, t0.AddDate(0, 0, -100), 600}, // inclusive
		{card.ID, t0.AddDate(0, 0, -100).Add(time.Microsecond), 400},
		{card.ID, t0.Add(time.Microsecond), 0},
		{fresh.ID, t0.AddDate(-1, 0, 0), 0},
	} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.SpendSince(ctx, tc.card, tc.since)
			if got != tc.want {
				t.Errorf("SpendSince(card %d, %v) = %d, want %d", tc.card, tc.since, got, tc.want)
			}
			if err != nil {
				return err
			}
			// The quote's reads in one: the same card, owner and spend.
			qCard, qCust, spend, x, _, err := tx.CardForQuote(ctx, tc.card, tc.since)
			if err != nil {
				return err
			}
			if last, err := tx.LastPurchaseAt(ctx, tc.card); err != nil || !last.Equal(x.LastPurchase) {
				t.Errorf("CardForQuote(card %d) last purchase %v, want %v (%v)", tc.card, x.LastPurchase, last, err)
			}
			if spend != tc.want {
				t.Errorf("CardForQuote(card %d, %v) spend %d, want %d", tc.card, tc.since, spend, tc.want)
			}
			wantCard, err := tx.FindCardByID(ctx, tc.card)
			if err != nil {
				return err
			}
			wantCust, err := tx.FindCustomerByID(ctx, wantCard.CustomerID)
			checkEqual(t, "CardForQuote's card", qCard, wantCard)
			checkEqual(t, "CardForQuote's customer", qCust, wantCust)
			return err
		})
	}
	checkErr(t, "CardForQuote of a missing card", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, _, _, _, _, err := tx.CardForQuote(ctx, 999, t0)
		return err
	}), domain.ErrNotFound)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		last, err := tx.LastPurchaseAt(ctx, card.ID)
		checkTime(t, "last purchase", last, t0)
		if err != nil {
			return err
		}
		none, err := tx.LastPurchaseAt(ctx, fresh.ID)
		if !none.IsZero() {
			t.Errorf("last purchase of a card without any: %v, want the zero time", none)
		}
		return err
	})
}

// TestListPurchases: recent purchases of a store (0: all), newest first,
// from since on, at most limit, cancelled ones included (the manager
// sees them); a customer's purchases, oldest first, for the export.
func TestListPurchases(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	a, b := addShop(t, db, "a"), addShop(t, db, "b")
	ann, annCard := addMember(t, db, clock, 1)
	bob, bobCard := addMember(t, db, clock, 2)
	boris := addStaff(t, db, 900, domain.RoleCashier, a.ID)
	// The list names who bought and who rang it up (staff by -id; the
	// POS API: nobody).
	names := map[int64]string{ann.ID: ann.FirstName, bob.ID: bob.FirstName, -boris.ID: boris.FirstName, 0: ""}
	var all []*domain.Purchase // oldest first
	for i, s := range []struct {
		card *domain.Card
		shop int64
	}{{annCard, a.ID}, {bobCard, b.ID}, {annCard, b.ID}, {bobCard, a.ID}, {annCard, a.ID}} {
		p := purchaseAt(s.card, s.shop, int64(100*(i+1)), t0.Add(time.Duration(i-5)*time.Hour))
		if i == 3 {
			p.StaffID, p.Source = boris.ID, domain.SourceBot
		}
		writePurchase(t, db, p, domain.PurchaseWrites{})
		all = append(all, p)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.MarkPurchaseCancelled(ctx, all[4].ID, 0, t0)
	})
	all[4].CancelledAt = t0
	pick := func(idx ...int) []domain.Purchase {
		out := []domain.Purchase{}
		for _, i := range idx {
			out = append(out, *all[i])
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		shop  int64
		since time.Time
		limit int
		want  []domain.Purchase
	}{
		{"all stores", 0, t0.AddDate(0, 0, -1), 10, pick(4, 3, 2, 1, 0)},
		{"store a", a.ID, t0.AddDate(0, 0, -1), 10, pick(4, 3, 0)},
		{"store b", b.ID, t0.AddDate(0, 0, -1), 10, pick(2, 1)},
		{"since", 0, all[2].CreatedAt, 10, pick(4, 3, 2)},
		{"limit", 0, t0.AddDate(0, 0, -1), 2, pick(4, 3)},
		{"nothing", a.ID, t0, 10, pick()},
	} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			recent, err := tx.ListRecentPurchases(ctx, tc.shop, tc.since, tc.limit)
			got := []domain.Purchase{}
			for _, r := range recent {
				got = append(got, r.Purchase)
				if r.CustomerName != names[r.CustomerID] || r.StaffName != names[-r.StaffID] {
					t.Errorf("%s: %s bought by %q, rung up by %q", tc.name, r.PublicID, r.CustomerName, r.StaffName)
				}
			}
			checkEqual(t, tc.name, got, tc.want)
			return err
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListCustomerPurchases(ctx, ann.ID)
		checkEqual(t, "Ann's purchases", got, pick(0, 2, 4))
		if err != nil {
			return err
		}
		none, err := tx.ListCustomerPurchases(ctx, 999)
		if len(none) != 0 {
			t.Errorf("purchases of a missing customer: %+v", none)
		}
		return err
	})
}
