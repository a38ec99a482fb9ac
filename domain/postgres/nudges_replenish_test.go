package postgres_test

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/migrations"
)

const day = 24 * time.Hour

// buyIn records a POS purchase with categories on the card, now, through
// the service (so its reactions run), and returns it.
func buyIn(t *testing.T, db *postgres.DB, svc *domain.Service, card *domain.Card, cats ...string) domain.Purchase {
	t.Helper()
	var res *domain.PurchaseResult
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		res, err = svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card.ID, ShopID: 1, Source: domain.SourcePOS,
			IdempotencyKey: domain.NewPublicID(), Amount: 100000, Currency: "RUB", Categories: cats})
		return err
	})
	return res.Purchase
}

// replenishRule watches coffee beans (14 days) and pet food (30), two
// days ahead, by the customer's own rhythm from the third visit on.
func replenishRule(id string) domain.NudgeRule {
	return domain.NudgeRule{ID: id, Kind: domain.NudgeReplenish, Enabled: true, Window: 3, AttributionDays: 7,
		Cycles: map[string]int{"coffee_beans": 14, "pet_food": 30}, LeadDays: 2, PersonalAfter: 3}
}

// runAt moves the clock to day d (from the start) plus extra and runs the
// engine, failing the test on an error.
func runAt(t *testing.T, db *postgres.DB, clock *fakeClock, svc *domain.Service, start time.Time, at time.Duration) domain.NudgeReport {
	t.Helper()
	clock.Advance(start.Add(at).Sub(clock.Now()))
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestReplenishBeforeTheCycleEnds: two days before a category's cycle
// ends after the last purchase in it, once per purchase and category;
// not for a customer who bought in the category again since (nor for one
// whose repeat was cancelled: the earlier purchase counts again), nor for
// a category the rule does not watch.
func TestReplenishBeforeTheCycleEnds(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	svc := nudgeService(clock, replenishRule("restock"))
	start := clock.Now()
	_, anna := addMember(t, db, clock, 1)
	_, bob := addMember(t, db, clock, 2)
	_, carl := addMember(t, db, clock, 3)
	_, dora := addMember(t, db, clock, 4)
	annas := buyIn(t, db, svc, anna, "coffee_beans", "pet_food")
	buyIn(t, db, svc, bob, "coffee_beans")
	buyIn(t, db, svc, carl, "milk")
	doras := buyIn(t, db, svc, dora, "coffee_beans")

	clock.Advance(5 * day)
	buyIn(t, db, svc, bob, "coffee_beans", "milk")
	again := buyIn(t, db, svc, dora, "coffee_beans")
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CancelPurchase(ctx, tx, again.PublicID, 1, 0)
		return err
	})

	if rep := runAt(t, db, clock, svc, start, 12*day-time.Minute); rep.Sent != 0 {
		t.Fatalf("a minute before day 12: %+v", rep)
	}
	plans, err := svc.DryRunNudges(t.Context(), db, "restock", start.Add(12*day))
	if err != nil || len(plans) != 2 {
		t.Fatalf("dry run at day 12: %+v, %v", plans, err)
	}
	for _, p := range plans {
		if p.Category != "coffee_beans" || p.Reason == "" {
			t.Fatalf("plan %+v, want coffee beans with a reason", p)
		}
	}
	if rep := runAt(t, db, clock, svc, start, 12*day); rep.Sent != 2 {
		t.Fatalf("day 12: %+v, want Anna's and Dora's coffee beans", rep)
	}
	for _, occ := range []string{occurrence(annas, "coffee_beans"), occurrence(doras, "coffee_beans")} {
		if nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE rule = 'restock' AND occurrence = $1`, occ) != 1 {
			t.Fatalf("no nudge for occurrence %s", occ)
		}
	}
	if rep := runAt(t, db, clock, svc, start, 12*day+time.Hour); rep.Sent != 0 {
		t.Fatalf("again at day 12: %+v", rep)
	}
	if rep := runAt(t, db, clock, svc, start, 17*day); rep.Sent != 1 {
		t.Fatalf("day 17: %+v, want Bob's (he bought again on day 5)", rep)
	}
	if rep := runAt(t, db, clock, svc, start, 28*day); rep.Sent != 1 {
		t.Fatalf("day 28: %+v, want Anna's pet food", rep)
	}
	if nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE occurrence = $1`, occurrence(annas, "pet_food")) != 1 {
		t.Fatal("Anna's pet food is not the occurrence")
	}
	if rep := runAt(t, db, clock, svc, start, 60*day); rep.Sent != 0 {
		t.Fatalf("day 60: %+v", rep)
	}
	if n := nudgeCount(t, db, `SELECT count(*) FROM nudges n JOIN customers c ON c.id = n.customer_id WHERE c.telegram_id = 3`); n != 0 {
		t.Fatal("milk is not watched, yet Carl got a reminder")
	}
}

func occurrence(p domain.Purchase, category string) string {
	return strconv.FormatInt(p.ID, 10) + ":" + category
}

// TestReplenishByTheCustomersOwnRhythm: a customer who bought coffee beans
// every 10 days (three visits) is reminded two days before their own next
// time (day 28), not by the 14-day cycle (day 32); one with two visits
// goes by the cycle. A rule watching every category reminds by the own
// rhythm in a category no cycle names.
func TestReplenishByTheCustomersOwnRhythm(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	anyCat := domain.NudgeRule{ID: "any", Kind: domain.NudgeReplenish, Enabled: true, Window: 3, AttributionDays: 7,
		LeadDays: 2, PersonalAfter: 3, AllCategories: true}
	svc := nudgeService(clock, replenishRule("restock"), anyCat)
	start := clock.Now()
	_, eve := addMember(t, db, clock, 1)
	_, fay := addMember(t, db, clock, 2)
	for _, d := range []int{0, 10, 20} {
		clock.Advance(start.Add(time.Duration(d) * day).Sub(clock.Now()))
		buyIn(t, db, svc, eve, "coffee_beans")
		if d < 20 {
			buyIn(t, db, svc, fay, "coffee_beans")
		}
		buyIn(t, db, svc, fay, "tea")
		if d == 0 {
			buyIn(t, db, svc, fay, "tea") // the same day: one visit
		}
	}
	var visits, median int
	if err := db.Pool().QueryRow(t.Context(), `SELECT visits, median_days FROM replenishments r
		JOIN customers c ON c.id = r.customer_id WHERE c.telegram_id = 2 AND category = 'tea'`).Scan(&visits, &median); err != nil {
		t.Fatal(err)
	}
	if visits != 3 || median != 10 {
		t.Fatalf("Fay's tea: %d visits, median %d days; want 3 and 10", visits, median)
	}
	count := func(rule string, tg int64) int {
		return nudgeCount(t, db, `SELECT count(*) FROM nudges n JOIN customers c ON c.id = n.customer_id
			WHERE n.rule = $1 AND c.telegram_id = $2`, rule, tg)
	}
	runAt(t, db, clock, svc, start, 22*day)
	if count("restock", 2) != 1 || count("restock", 1) != 0 {
		t.Fatal("day 22: want Fay's reminder by the cycle (two visits), not Eve's")
	}
	runAt(t, db, clock, svc, start, 28*day-time.Minute)
	if count("restock", 1) != 0 {
		t.Fatal("Eve reminded before her own rhythm's day")
	}
	runAt(t, db, clock, svc, start, 28*day)
	if count("restock", 1) != 1 {
		t.Fatal("day 28: no reminder by Eve's own rhythm")
	}
	if count("any", 1) != 1 || count("any", 2) != 1 {
		t.Fatal("day 28: the every-category rule missed Eve's beans or Fay's tea")
	}
	runAt(t, db, clock, svc, start, 32*day)
	if count("restock", 1) != 1 {
		t.Fatal("Eve got the cycle's reminder on top of her own rhythm's")
	}
	if count("any", 2) != 1 || count("restock", 2) != 1 {
		t.Fatal("tea is not in the cycles: only the every-category rule reminds of it, once")
	}
	backfillAgrees(t, db)
}

// backfillAgrees checks that the migration's backfill of the purchases
// made before it computes what the reaction to each purchase did.
func backfillAgrees(t *testing.T, db *postgres.DB) {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*_nudge_replenish_offers.sql")
	if err != nil || len(files) != 1 {
		t.Fatalf("the replenishment migration: %v, %v", files, err)
	}
	src, err := fs.ReadFile(migrations.FS, files[0])
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	from := strings.Index(text, "INSERT INTO replenishments")
	backfill := text[from : from+strings.Index(text[from:], ";")]
	const rows = `SELECT string_agg(concat_ws(' ', customer_id, category, purchase_id, bought_at, visits, median_days, personal_at), ', '
		ORDER BY customer_id, category) FROM replenishments`
	var tracked, filled string
	ctx := t.Context()
	if err := db.Pool().QueryRow(ctx, rows).Scan(&tracked); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `DELETE FROM replenishments`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, backfill); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, rows).Scan(&filled); err != nil {
		t.Fatal(err)
	}
	if tracked != filled || tracked == "" {
		t.Fatalf("the reactions tracked\n%s\nthe backfill computes\n%s", tracked, filled)
	}
}

// TestOfferFollowsWhatTheCustomerConvertedOn: Anna came back after a
// discount, so a rule that picks the learned offer gives her the discount
// (no points in the ledger); Bob, who never converted, gets the first
// offer, points. The stats count conversions per offer type.
func TestOfferFollowsWhatTheCustomerConvertedOn(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	beans := domain.NudgeRule{ID: "beans", Kind: domain.NudgeReplenish, Enabled: true, Window: 3, AttributionDays: 7,
		Cycles: map[string]int{"coffee_beans": 5}, Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Percent: 10, Days: 7}}}
	learned := domain.NudgeRule{ID: "learned", Kind: domain.NudgeOnboarding, Enabled: true, Days: 20, Window: 7,
		AttributionDays: 7, OfferChoice: domain.OfferLastConverted, Offers: []domain.NudgeOffer{
			{Type: domain.OfferPoints, Points: 50}, {Type: domain.OfferDiscount, Percent: 15}, {Type: domain.OfferGift}}}
	svc := nudgeService(clock, beans, learned)
	start := clock.Now()
	_, anna := addMember(t, db, clock, 1)
	addMember(t, db, clock, 2)
	buyIn(t, db, svc, anna, "coffee_beans")
	if rep := runAt(t, db, clock, svc, start, 5*day); rep.Sent != 1 {
		t.Fatalf("day 5: %+v, want Anna's discount", rep)
	}
	clock.Advance(day)
	buyIn(t, db, svc, anna) // she comes back
	if n := nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE rule = 'beans' AND offer = 'discount' AND converted_at IS NOT NULL`); n != 1 {
		t.Fatal("the discount's conversion is not recorded")
	}
	if rep := runAt(t, db, clock, svc, start, 20*day); rep.Sent != 2 {
		t.Fatalf("day 20: %+v, want both", rep)
	}
	offer := func(tg int64) (offer string, points int64) {
		err := db.Pool().QueryRow(t.Context(), `SELECT n.offer, n.points FROM nudges n JOIN customers c ON c.id = n.customer_id
			WHERE n.rule = 'learned' AND c.telegram_id = $1`, tg).Scan(&offer, &points)
		if err != nil {
			t.Fatal(err)
		}
		return offer, points
	}
	if o, p := offer(1); o != domain.OfferDiscount || p != 0 {
		t.Fatalf("Anna got %s (%d points), want the discount she came back for", o, p)
	}
	if o, p := offer(2); o != domain.OfferPoints || p != 50 {
		t.Fatalf("Bob got %s (%d points), want the first offer, 50 points", o, p)
	}
	if n := nudgeCount(t, db, `SELECT count(*) FROM ledger WHERE kind = 'nudge'`); n != 1 {
		t.Fatalf("%d nudge credits, want Bob's only: a discount touches no ledger", n)
	}
	var stats []domain.NudgeOfferStat
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		stats, err = svc.NudgeOfferStatsSince(ctx, tx, start, 0)
		return err
	})
	want := []domain.NudgeOfferStat{{Offer: "discount", Sent: 2, ConvertedSent: 1}, {Offer: "points", Sent: 1}}
	if len(stats) != 2 || stats[0] != want[0] || stats[1] != want[1] {
		t.Fatalf("offer stats %+v, want %+v", stats, want)
	}
}

// TestWinBackKnowsTheCategoryItHasATextFor: the due row of a rule with
// category texts carries the category of the triggering purchase.
func TestWinBackKnowsTheCategoryItHasATextFor(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	r := domain.NudgeRule{ID: "wb", Kind: domain.NudgeWinBack, Enabled: true, Days: 30, Window: 7, AttributionDays: 7,
		CategoryText: map[string]map[string]string{"bucket": {"en": "tip"}}}
	svc := nudgeService(clock, r)
	_, anna := addMember(t, db, clock, 1)
	_, bob := addMember(t, db, clock, 2)
	buyIn(t, db, svc, anna, "mop", "bucket")
	buyIn(t, db, svc, bob, "mop")
	plans, err := svc.DryRunNudges(t.Context(), db, "wb", clock.Now().Add(30*day))
	if err != nil || len(plans) != 2 {
		t.Fatalf("%+v, %v", plans, err)
	}
	if plans[0].Category != "bucket" || plans[1].Category != "" {
		t.Fatalf("categories %q and %q, want bucket and none", plans[0].Category, plans[1].Category)
	}
}
