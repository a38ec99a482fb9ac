package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// memberFacts is a customer's customer_activity row (migration 0031), the
// facts /stats counts members by.
type memberFacts struct {
	Store        int64
	MemberSince  *time.Time
	Reachable    bool
	Marketing    bool
	Sections     int16
	Balance      int64
	FirstBought  *time.Time
	LastBought   *time.Time
	Purchases    int32
	rowsDiffered int64 // rows of the whole table that differ from customer_activity_source
}

func readFacts(t *testing.T, db *postgres.DB, customerID int64) memberFacts {
	t.Helper()
	var f memberFacts
	var store *int64
	if err := db.Pool().QueryRow(t.Context(), `SELECT store_id, member_since, reachable, marketing, sections_done,
		balance, first_purchase_at, last_purchase_at, purchases FROM customer_activity WHERE customer_id = $1`,
		customerID).Scan(&store, &f.MemberSince, &f.Reachable, &f.Marketing, &f.Sections, &f.Balance,
		&f.FirstBought, &f.LastBought, &f.Purchases); err != nil {
		t.Fatalf("customer %d's activity row: %v", customerID, err)
	}
	if store != nil {
		f.Store = *store
	}
	f.rowsDiffered = activityDrift(t, db)
	return f
}

// activityDrift counts the customers whose maintained row differs from
// what customer_activity_source computes from the source tables (a
// missing or extra row counts too).
func activityDrift(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	return sqlOne[int64](t, db, `SELECT count(*) FROM customer_activity a
		FULL JOIN customer_activity_source s USING (customer_id)
		WHERE (a.store_id, a.member_since, a.reachable, a.marketing, a.sections_done, a.balance,
		       a.first_purchase_at, a.last_purchase_at, a.purchases)
		      IS DISTINCT FROM
		      (s.store_id, s.member_since, s.reachable, s.marketing, s.sections_done, s.balance,
		       s.first_purchase_at, s.last_purchase_at, s.purchases)`)
}

func tp(t time.Time) *time.Time { t = us(t); return &t }

// TestMemberFactsFollowEveryChange walks one customer from the consent to
// the erasure through the use cases, and after each step checks the
// fields of their customer_activity row by hand and the whole table
// against the source tables: join, purchase, profile sections, consent
// withdrawn and given, blocked and back, a cancellation, the erasure.
func TestMemberFactsFollowEveryChange(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	a := addShop(t, db, "A")
	biz := &domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback(),
		WelcomeBonus: 100, Questionnaire: domain.Questionnaire{Sections: []domain.Section{{ID: "about"}, {ID: "family"}}}}
	svc := domain.NewService(biz, nil, nil, clock.Now)
	step := func(what string, fn func(ctx context.Context, tx domain.Tx) error) {
		t.Helper()
		clock.Advance(time.Hour)
		if err := db.Update(ctx, func(tx domain.Tx) error { return fn(ctx, tx) }); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	check := func(what string, c *domain.Customer, want memberFacts) {
		t.Helper()
		checkEqual(t, what, readFacts(t, db, c.ID), want)
	}

	// Consent given, onboarding not finished: a row, but not a member.
	c := &domain.Customer{TelegramID: 71, ChatID: 71, FirstName: "Ann", Phone: "+79001234567", Language: "en"}
	step("consent", func(ctx context.Context, tx domain.Tx) error { return tx.CreateCustomer(ctx, c) })
	check("before joining", c, memberFacts{Reachable: true})

	var card *domain.Card
	step("join", func(ctx context.Context, tx domain.Tx) error {
		res, err := svc.Join(ctx, tx, domain.JoinRequest{Customer: c, StoreCode: "A", PhoneShared: true})
		if err == nil {
			card = res.Card
		}
		return err
	})
	joined := tp(c.JoinedAt)
	welcome := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID)
	if welcome == 0 {
		t.Fatal("no welcome bonus: the balance is not exercised")
	}
	check("joined", c, memberFacts{Store: a.ID, MemberSince: joined, Reachable: true, Balance: welcome})

	var bought []*domain.Purchase
	buy := func(key string) {
		step("purchase "+key, func(ctx context.Context, tx domain.Tx) error {
			res, err := svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card.ID, ShopID: a.ID,
				Source: domain.SourceBot, IdempotencyKey: key, Amount: 100000, Currency: "RUB"})
			if err == nil {
				bought = append(bought, &res.Purchase)
			}
			return err
		})
	}
	buy("p1")
	buy("p2")
	balance := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID)
	if balance <= welcome {
		t.Fatalf("balance %d after two purchases, welcome %d: no points earned", balance, welcome)
	}
	first, last := tp(bought[0].CreatedAt), tp(bought[1].CreatedAt)
	check("two purchases", c, memberFacts{Store: a.ID, MemberSince: joined, Reachable: true, Balance: balance,
		FirstBought: first, LastBought: last, Purchases: 2})

	step("first section offered and answered", func(ctx context.Context, tx domain.Tx) error {
		if err := tx.OfferSection(ctx, c.ID, "about", clock.Now()); err != nil {
			return err
		}
		return tx.CompleteSection(ctx, c.ID, "about", clock.Now())
	})
	step("second section completed", func(ctx context.Context, tx domain.Tx) error {
		return tx.CompleteSection(ctx, c.ID, "family", clock.Now())
	})
	step("second section completed again", func(ctx context.Context, tx domain.Tx) error {
		return tx.CompleteSection(ctx, c.ID, "family", clock.Now())
	})
	want := memberFacts{Store: a.ID, MemberSince: joined, Reachable: true, Balance: balance,
		FirstBought: first, LastBought: last, Purchases: 2, Sections: 2}
	check("profile complete", c, want)

	step("marketing on", func(ctx context.Context, tx domain.Tx) error { return svc.SetMarketing(ctx, tx, c, true) })
	want.Marketing = true
	check("marketing on", c, want)
	step("marketing off", func(ctx context.Context, tx domain.Tx) error { return svc.SetMarketing(ctx, tx, c, false) })
	want.Marketing = false
	check("marketing off", c, want)
	step("marketing on again", func(ctx context.Context, tx domain.Tx) error { return svc.SetMarketing(ctx, tx, c, true) })
	want.Marketing = true

	if err := db.Outbox().MarkUnreachable(ctx, c.ChatID); err != nil {
		t.Fatal(err)
	}
	want.Reachable = false
	check("blocked the bot", c, want)
	step("wrote again", func(ctx context.Context, tx domain.Tx) error { return tx.MarkChatReachable(ctx, c.ChatID) })
	want.Reachable = true
	check("back", c, want)

	step("cancel the last purchase", func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CancelPurchase(ctx, tx, bought[1].PublicID, 0, 0)
		return err
	})
	want.Balance = sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID)
	want.LastBought, want.Purchases = first, 1
	if want.Balance >= balance {
		t.Fatalf("balance %d after the cancellation, %d before: the reversal is not exercised", want.Balance, balance)
	}
	check("cancelled", c, want)

	step("erase", func(ctx context.Context, tx domain.Tx) error { return svc.EraseCustomer(ctx, tx, c) })
	// Not a member any more (member_since NULL), sections deleted, the
	// consent and the chat gone, the balance forfeited; the card and the
	// purchases stay.
	want.MemberSince, want.Marketing, want.Reachable, want.Sections, want.Balance = nil, false, false, 0, 0
	check("erased", c, want)

	var k *domain.KPIs
	step("report", func(ctx context.Context, tx domain.Tx) (err error) {
		k, err = svc.KPIs(ctx, tx, domain.Period{From: t0, To: clock.Now().Add(time.Hour)}, 0)
		return err
	})
	if k.Members != 0 || k.PointsOutstanding != 0 {
		t.Errorf("after the erasure the report counts %d members, %d points", k.Members, k.PointsOutstanding)
	}
}

// TestMemberFactsHealAndRebuild: a customer written with the triggers off
// (as the seeds write) has no row until a rebuild; if one is missing all
// the same, the next change to any of their facts writes it whole from
// the source tables. The bulk rebuild writes what the triggers kept, for a
// member with an unfinished section and a cancelled purchase, one who only
// gave consent (no card) and an erased one.
func TestMemberFactsHealAndRebuild(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	a := addShop(t, db, "A")
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	buy := func(card int64, key string) *domain.Purchase {
		t.Helper()
		clock.Advance(time.Hour)
		var p *domain.Purchase
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			res, err := svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card, ShopID: a.ID,
				Source: domain.SourceBot, IdempotencyKey: key, Amount: 50000, Currency: "RUB"})
			if err == nil {
				p = &res.Purchase
			}
			return err
		})
		return p
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	c, card := addMember(t, db, clock, 72)
	buy(card.ID, "h1")

	exec(`DELETE FROM customer_activity WHERE customer_id = $1`, c.ID)
	if n := activityDrift(t, db); n != 1 {
		t.Fatalf("%d rows differ after deleting one, want 1", n)
	}
	buy(card.ID, "h2")
	if f := readFacts(t, db, c.ID); f.rowsDiffered != 0 || f.Purchases != 2 {
		t.Errorf("after the purchase that heals it: %d purchases, %d rows differ", f.Purchases, f.rowsDiffered)
	}

	d, dcard := addMember(t, db, clock, 73)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, s := range []string{"about", "family"} {
			if err := tx.OfferSection(ctx, d.ID, s, clock.Now()); err != nil {
				return err
			}
		}
		return tx.CompleteSection(ctx, d.ID, "about", clock.Now())
	})
	buy(dcard.ID, "d1")
	cancelled := buy(dcard.ID, "d2")
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CancelPurchase(ctx, tx, cancelled.PublicID, 0, 0)
		return err
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.CreateCustomer(ctx, &domain.Customer{TelegramID: 74, ChatID: 74, Language: "en"})
	})
	e, _ := addMember(t, db, clock, 75)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return svc.EraseCustomer(ctx, tx, e) })
	if f := readFacts(t, db, d.ID); f.rowsDiffered != 0 || f.Sections != 1 || f.Purchases != 1 {
		t.Fatalf("the second member's row: %+v", f)
	}

	const rows = `SELECT string_agg(a::text, ';' ORDER BY customer_id) FROM customer_activity a`
	kept := sqlOne[string](t, db, rows)
	exec(`UPDATE customer_activity SET purchases = 9, balance = 0, reachable = false, sections_done = 5`)
	if n := activityDrift(t, db); n != 4 {
		t.Fatalf("%d rows differ after spoiling all 4, want 4", n)
	}
	exec(`SELECT customer_activity_rebuild()`)
	if n := activityDrift(t, db); n != 0 {
		t.Errorf("%d rows differ after the rebuild", n)
	}
	if got := sqlOne[string](t, db, rows); got != kept {
		t.Errorf("the rebuild wrote\n%s\nthe triggers had kept\n%s", got, kept)
	}
}
