package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// kpiShop is the small history every KPI test reads, written through the
// use cases at the times it happened, so the purchase triggers and the
// ledger run as in production. N is the report's now (t0). The values the
// tests expect are worked out by hand from it (see each test).
//
//	c1 joined A N-100d, offers yes, profile complete (2 of 2 sections), signed up by Kira;
//	   bonus 50 at N-100d; bought 1000 ₽ at A N-95d (Kira, +30), 2000 ₽ at A N-10d
//	   paying 10 points (Kira, +59), rated 5; nudge sent N-12d, converted (2000 ₽)
//	c2 joined A N-50d, blocked the bot; bought 500 ₽ at B N-45d (Lev, +15), rated 1 at N-45d;
//	   nudge held out N-12d
//	c3 joined B N-20d, offers yes, 1 section complete; bought 1000 ₽ at B N-5d (Lev, +30),
//	   rated 2; 1000 ₽ at B N-3d, cancelled N-3d; nudge sent N-12d, not converted
//	c4 joined A N-200d; bought 300 ₽ at A N-150d (+9); 9 points expired N-1d;
//	   nudge sent N-40d (before the period)
//	c5 joined A N-2d through Kira's link, welcome 100 at N-2d, never bought
//	c6 joined A N-60d, erased; c7 gave consent only (not a member)
type kpiShop struct {
	db         *postgres.DB
	svc        *domain.Service
	a, b       *domain.Shop
	kira, lev  *domain.Staff
	n          time.Time
	c1, c2, c3 int64
}

// set moves the fake clock to t (tests only).
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func newKPIShop(t *testing.T) *kpiShop {
	t.Helper()
	db, clock := newStore(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "A", Name: "Shop A", TimeZone: "UTC"},
		{Code: "B", Name: "Shop B", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	biz := &domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback(),
		Questionnaire: domain.Questionnaire{Sections: []domain.Section{{ID: "about"}, {ID: "family"}}},
		Gamification:  domain.Gamification{Referral: domain.ReferralConfig{Enabled: true}}}
	k := &kpiShop{db: db, svc: domain.NewService(biz, nil, nil, clock.Now), n: clock.Now()}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		if k.a, err = tx.FindShopByCode(ctx, "A"); err != nil {
			return err
		}
		k.b, err = tx.FindShopByCode(ctx, "B")
		return err
	})
	k.kira = addStaff(t, db, 801, domain.RoleCashier, k.a.ID)
	k.lev = addStaff(t, db, 802, domain.RoleCashier, k.a.ID)
	day := func(d int) time.Time { return k.n.AddDate(0, 0, -d) }
	member := func(tg int64, joined int, shop *domain.Shop, marketing bool) (int64, int64) {
		clock.set(day(joined))
		c := &domain.Customer{TelegramID: tg, ChatID: tg, FirstName: "M", Language: "en", JoinedStoreID: shop.ID,
			JoinedAt: clock.Now(), Marketing: marketing}
		var card *domain.Card
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			card, err = tx.CreateCard(ctx, c.ID, cardNumber(tg))
			return err
		})
		return c.ID, card.ID
	}
	seq := 0
	buy := func(card int64, d int, shop *domain.Shop, staff *domain.Staff, amount, redeem int64) *domain.Purchase {
		clock.set(day(d))
		seq++
		var p *domain.Purchase
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			res, err := k.svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card, ShopID: shop.ID,
				StaffID: staff.ID, Source: domain.SourceBot, IdempotencyKey: fmt.Sprint("kpi:", seq),
				Amount: amount * 100, Currency: "RUB", Redeem: redeem})
			if err == nil {
				p = &res.Purchase
			}
			return err
		})
		return p
	}
	none := &domain.Staff{}
	rate := func(p *domain.Purchase, stars int) {
		clock.set(p.CreatedAt)
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			return tx.SaveFeedback(ctx, &domain.Feedback{PurchaseID: p.ID, CustomerID: p.CustomerID, ShopID: p.ShopID,
				StaffID: p.StaffID, Stars: stars, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt})
		})
	}
	credit := func(card int64, d int, kind domain.LedgerKind, points int64) {
		clock.set(day(d))
		seq++
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			e := domain.LedgerEntry{CardID: card, Kind: kind, Amount: points, IdempotencyKey: fmt.Sprint("kpi:", seq)}
			if points < 0 {
				_, _, err := tx.AppendLedger(ctx, e)
				return err
			}
			_, _, err := tx.AppendCredit(ctx, e, domain.LotPromo)
			return err
		})
	}
	sections := func(customer int64, d int, ids ...string) {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			for _, id := range ids {
				if err := tx.OfferSection(ctx, customer, id, day(d)); err != nil {
					return err
				}
				if err := tx.CompleteSection(ctx, customer, id, day(d)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	exec := func(sql string, args ...any) {
		if _, err := db.Pool().Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	nudge := func(customer int64, d int, outcome string, converted bool, revenue int64) {
		var conv *time.Time
		if converted {
			at := day(d - 1)
			conv = &at
		}
		exec(`INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until,
			converted_at, revenue) VALUES ('winback', $1, $2, true, $3, $4, $4, $4, $5, $6)`,
			customer, fmt.Sprint(d), outcome, day(d), conv, revenue*100)
	}

	var card1, card2, card3, card4, card5 int64
	k.c1, card1 = member(1, 100, k.a, true)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SetSignedUpBy(ctx, k.c1, k.kira.ID) })
	credit(card1, 100, domain.LedgerBonus, 50)
	sections(k.c1, 90, "about", "family")
	buy(card1, 95, k.a, k.kira, 1000, 0)
	rate(buy(card1, 10, k.a, k.kira, 2000, 10), 5)
	nudge(k.c1, 12, "sent", true, 2000)

	k.c2, card2 = member(2, 50, k.a, false)
	exec(`UPDATE customers SET unreachable_at = $2 WHERE id = $1`, k.c2, day(30))
	rate(buy(card2, 45, k.b, k.lev, 500, 0), 1)
	nudge(k.c2, 12, "held_out", false, 0)

	k.c3, card3 = member(3, 20, k.b, true)
	sections(k.c3, 19, "about")
	rate(buy(card3, 5, k.b, k.lev, 1000, 0), 2)
	cancelled := buy(card3, 3, k.b, k.lev, 1000, 0)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := k.svc.CancelPurchase(ctx, tx, cancelled.PublicID, 0, k.lev.ID)
		return err
	})
	nudge(k.c3, 12, "sent", false, 0)

	c4, card4 := member(4, 200, k.a, false)
	buy(card4, 150, k.a, none, 300, 0)
	credit(card4, 1, domain.LedgerExpire, -9)
	nudge(c4, 40, "sent", true, 300)

	var c5 int64
	c5, card5 = member(5, 2, k.a, false)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SetSignedUpBy(ctx, c5, k.kira.ID) })
	credit(card5, 2, domain.LedgerWelcome, 100)

	// Answers: c3's bad rating (2, N-5d) was replied to 90 minutes
	// after; questions: c1's at A N-3d replied in 20 minutes, c3's at B
	// N-4d replied in 3 hours, N-1d closed without an answer, c2's at B
	// N-2d waiting, and c1's N-40d (before the month) replied in a day.
	exec(`UPDATE feedback SET handled_by = $2, handled_at = created_at + interval '90 minutes', resolution = $3, answered = true
		WHERE customer_id = $1`, k.c3, k.lev.ID, domain.ResolutionReplied)
	exec(`UPDATE feedback SET handled_by = $2, handled_at = created_at + interval '1 minute', resolution = $3
		WHERE customer_id = $1`, k.c2, k.lev.ID, domain.ResolutionResolved)
	ask := func(customer int64, shop *domain.Shop, d int, resolution string, wait time.Duration) {
		var by *int64
		var at *time.Time
		if resolution != "" {
			by, at = &k.lev.ID, new(day(d).Add(wait))
		}
		exec(`INSERT INTO inquiries (customer_id, store_id, text, created_at, handled_by, handled_at, resolution, answered)
			VALUES ($1, $2, 'oat milk?', $3, $4, $5, $6, $6 = 'replied')`, customer, shop.ID, day(d), by, at, resolution)
	}
	ask(k.c1, k.a, 3, domain.ResolutionReplied, 20*time.Minute)
	ask(k.c3, k.b, 4, domain.ResolutionReplied, 3*time.Hour)
	ask(k.c3, k.b, 1, domain.ResolutionResolved, time.Minute)
	ask(k.c2, k.b, 2, "", 0)
	ask(k.c1, k.a, 40, domain.ResolutionReplied, 24*time.Hour)

	c6, _ := member(6, 60, k.a, true)
	exec(`UPDATE customers SET erased_at = $2 WHERE id = $1`, c6, day(59))
	exec(`INSERT INTO customers (telegram_id, chat_id, first_name, language, created_at) VALUES (7, 7, '', 'en', $1)`, day(1))
	clock.set(k.n)
	return k
}

// month is the report of the 30 days up to N (and an hour past it).
func (k *kpiShop) month() domain.Period {
	return domain.Period{From: k.n.AddDate(0, 0, -30), To: k.n.Add(time.Hour)}
}

func (k *kpiShop) kpis(t *testing.T, p domain.Period, shopID int64) *domain.KPIs {
	t.Helper()
	var out *domain.KPIs
	inTx(t, k.db, func(ctx context.Context, tx domain.Tx) (err error) {
		out, err = k.svc.KPIs(ctx, tx, p, shopID)
		return err
	})
	return out
}

// TestKPIsAllStores: every indicator of the month, worked out by hand
// from the history of kpiShop.
func TestKPIsAllStores(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	got := k.kpis(t, k.month(), 0)
	want := &domain.KPIs{Period: k.month(),
		Members: 5, NewMembers: 2, // c1–c5; c3 and c5 joined in the month
		Reachable: 4, Marketing: 2, ProfileComplete: 1, Sections: 2, // c2 blocked; c1, c3 said yes; c1 only
		Active: 2, Sleeping: 1, Lost: 1, NeverBought: 1, // c1, c3 · c2 · c4 · c5
		Buyers: 4, Repeaters: 1, // c1 bought twice
		Purchases: 2, PeriodBuyers: 2, Revenue: 300000, // c1's 2000 ₽ and c3's 1000 ₽ (the cancelled one is not)
		PointsIssued:   59 + 30 + 100, // earned on them (1990 ₽ × 3 %, rounded down; 30) and c5's welcome
		PointsRedeemed: 10, PointsExpired: 9,
		PointsOutstanding: (50 + 30 - 10 + 59) + 15 + 30 + 0 + 100,
		Ratings:           2, StarsSum: 7, BadRatings: 1, // 5 and 2; c2's 1 was before the month
		// c3's 2 answered in 90 min; c1's and c3's questions answered in
		// 20 min and 3 h (the median is the lower of two), one closed, one
		// waiting.
		Care: domain.CareStat{BadHandled: 1, BadMedian: 90 * time.Minute, Questions: 4, Answered: 2, NoAnswer: 1,
			QuestionsMedian: 20 * time.Minute},
		Nudges:    domain.NudgeStat{Due: 3, Sent: 2, HeldOut: 1, ConvertedSent: 1, RevenueSent: 200000},
		Referrals: true, // the referral program is in; nobody came through a friend's link
	}
	checkEqual(t, "kpis", got, want)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"reachable share", got.Share(got.Reachable), 800},
		{"marketing share", got.Share(got.Marketing), 400},
		{"profile share", got.Share(got.ProfileComplete), 200},
		{"repeat rate", got.RepeatRate(), 250},
		{"frequency", got.Frequency(), 10},
		{"redemption rate", got.RedemptionRate(), 53}, // 10 of 189 = 5.29 %
		{"average stars", got.AverageStars(), 35},
		{"bad share", got.BadShare(), 500},
		{"uplift", got.Nudges.Uplift(), 500},
		{"questions waiting", got.Care.Waiting(), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
	if a := got.AverageReceipt(); a != 150000 {
		t.Errorf("average receipt %d, want 150000", a)
	}
	if l := got.Liability(100); l != 27400 {
		t.Errorf("liability %d, want 27400 (274 points × 1 ₽)", l)
	}
}

// TestKPIsOneStore: with store A chosen, the customer indicators are A's
// members (c1, c2, c4, c5) and the money and ratings A's receipts.
func TestKPIsOneStore(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	got := k.kpis(t, k.month(), k.a.ID)
	want := &domain.KPIs{Period: k.month(), ShopID: k.a.ID,
		Members: 4, NewMembers: 1, Reachable: 3, Marketing: 1, ProfileComplete: 1, Sections: 2,
		Active: 1, Sleeping: 1, Lost: 1, NeverBought: 1, Buyers: 3, Repeaters: 1,
		Purchases: 1, PeriodBuyers: 1, Revenue: 200000,
		PointsIssued: 59 + 100, PointsRedeemed: 10, PointsExpired: 9, PointsOutstanding: 129 + 15 + 0 + 100,
		Ratings: 1, StarsSum: 5,
		Care:      domain.CareStat{Questions: 1, Answered: 1, QuestionsMedian: 20 * time.Minute}, // c1's at A
		Nudges:    domain.NudgeStat{Due: 2, Sent: 1, HeldOut: 1, ConvertedSent: 1, RevenueSent: 200000},
		Referrals: true,
	}
	checkEqual(t, "kpis of A", got, want)
	if r := got.RepeatRate(); r != 333 {
		t.Errorf("repeat rate %d, want 333", r)
	}
}

// TestKPIsPeriodInvalid: a period that ends before it starts is refused.
func TestKPIsPeriodInvalid(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	err := txErr(t, k.db, func(ctx context.Context, tx domain.Tx) error {
		_, err := k.svc.KPIs(ctx, tx, domain.Period{From: k.n, To: k.n}, 0)
		return err
	})
	checkErr(t, "empty period", err, domain.ErrInvalid)
}

// TestStaffKPIs: Kira signed up c5 in the month (c1 before it) and rang
// up c1's 2000 ₽, rated 5; Lev rang up c3's 1000 ₽ at B, rated 2 (his
// cancelled one is no checkout but a cancel of his own). Over 120 days Kira signed up c1 too, who
// bought twice.
func TestStaffKPIs(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	read := func(p domain.Period, shopID int64) []domain.StaffKPI {
		var out []domain.StaffKPI
		inTx(t, k.db, func(ctx context.Context, tx domain.Tx) (err error) {
			out, err = k.svc.StaffKPIs(ctx, tx, p, shopID)
			return err
		})
		return out
	}
	kira := domain.StaffKPI{StaffID: k.kira.ID, Name: k.kira.FirstName, Role: domain.RoleCashier, ShopID: k.a.ID, Active: true}
	lev := domain.StaffKPI{StaffID: k.lev.ID, Name: k.lev.FirstName, Role: domain.RoleCashier, ShopID: k.a.ID, Active: true}
	k1, l1 := kira, lev
	k1.SignedUp, k1.Checkouts, k1.Ratings, k1.StarsSum = 1, 1, 1, 5
	l1.Checkouts, l1.Ratings, l1.StarsSum, l1.OwnCancels = 1, 1, 2, 1
	// Lev answered c3's bad rating at B and c1's question at A and c3's
	// at B in the month (c3's other was closed, c1's other older): two
	// customers, c3 once. c2's bad rating marked resolved is no answer.
	l1.Answered = 2
	checkEqual(t, "month, all stores", read(k.month(), 0), []domain.StaffKPI{k1, l1})
	lB := l1
	lB.Answered = 1
	checkEqual(t, "month, store B", read(k.month(), k.b.ID), []domain.StaffKPI{lB})

	long := domain.Period{From: k.n.AddDate(0, 0, -120), To: k.n.Add(time.Hour)}
	got := read(long, k.a.ID)
	k2 := kira
	k2.SignedUp, k2.Repeaters, k2.Checkouts, k2.Ratings, k2.StarsSum = 2, 1, 2, 1, 5
	lA := lev
	lA.Answered = 1 // c1's two questions at A: one customer
	checkEqual(t, "120 days, store A", got, []domain.StaffKPI{k2, lA})
	// At B over 120 days: c2's and c3's visits, both rated; c3 answered
	// (rating and question: once), c2's rating marked resolved without
	// a word is no answer.
	lB120 := lev
	lB120.Checkouts, lB120.Ratings, lB120.StarsSum, lB120.OwnCancels, lB120.Answered = 2, 2, 3, 1, 1
	checkEqual(t, "120 days, store B", read(long, k.b.ID), []domain.StaffKPI{lB120})
	if r := got[0].RepeatRate(); r != 500 {
		t.Errorf("Kira's repeat rate %d, want 500", r)
	}
}

// TestCohorts: by month of joining (UTC) and the month of the last
// purchase: c4 joined 10.2030, last bought 12.2030; c1 02.2031 → 05.2031;
// c2 03.2031 → 04.2031; c3 04.2031 → 05.2031; c5 05.2031, never.
func TestCohorts(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	var got []domain.Cohort
	inTx(t, k.db, func(ctx context.Context, tx domain.Tx) (err error) {
		got, err = k.svc.Cohorts(ctx, tx, 0, time.UTC)
		return err
	})
	want := []domain.Cohort{
		{Year: 2030, Month: time.October, Members: 1, Retained: []int{1, 1, 1, 0, 0, 0, 0, 0}},
		{Year: 2031, Month: time.February, Members: 1, Retained: []int{1, 1, 1, 1}},
		{Year: 2031, Month: time.March, Members: 1, Retained: []int{1, 1, 0}},
		{Year: 2031, Month: time.April, Members: 1, Retained: []int{1, 1}},
		{Year: 2031, Month: time.May, Members: 1, Retained: []int{0}},
	}
	checkEqual(t, "cohorts", got, want)
}

// TestCustomerActivityFollowsPurchases: the per-member rows the triggers
// keep match the source tables (customer_activity_source: purchases,
// cards, sections, the customer's own facts) after the whole history of
// kpiShop, a cancellation, a block and an erasure written in plain SQL
// included, and the bulk rebuild writes the same rows.
func TestCustomerActivityFollowsPurchases(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	if n := activityDrift(t, k.db); n != 0 {
		t.Fatalf("%d customers whose row differs from the source tables", n)
	}
	if n := sqlOne[int64](t, k.db, `SELECT count(*) FROM customer_activity`); n != 7 {
		t.Fatalf("%d rows, want one per customer (7)", n)
	}
	if n := sqlOne[int32](t, k.db, `SELECT purchases FROM customer_activity WHERE customer_id = $1`, k.c3); n != 1 {
		t.Fatalf("c3 has %d live purchases after the cancellation, want 1", n)
	}
	// The bulk rebuild (the migration's, the seeds') computes the same.
	before := sqlOne[string](t, k.db, `SELECT string_agg(a::text, ';' ORDER BY customer_id) FROM customer_activity a`)
	if _, err := k.db.Pool().Exec(t.Context(), `SELECT customer_activity_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if after := sqlOne[string](t, k.db, `SELECT string_agg(a::text, ';' ORDER BY customer_id) FROM customer_activity a`); after != before {
		t.Errorf("the rebuild wrote\n%s\nthe triggers had kept\n%s", after, before)
	}
}

// TestKPIsReferralJoins: the friends who joined through a member's link
// in the period are counted (c3, referred by c1 20 days ago; c2's 50 days
// ago is before the month). A join through a link that brought no bonus
// (c1 through c3's: a former member, or a member's second account) is no
// friend brought, as the member's own /invite does not count it either.
func TestKPIsReferralJoins(t *testing.T) {
	t.Parallel()
	k := newKPIShop(t)
	ctx := t.Context()
	if _, err := k.db.Pool().Exec(ctx, `INSERT INTO referrals (friend_id, referrer_id, joined_at) VALUES ($1, $3, $4), ($2, $3, $5)`,
		k.c3, k.c2, k.c1, k.n.AddDate(0, 0, -20), k.n.AddDate(0, 0, -50)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.Pool().Exec(ctx, `INSERT INTO referrals (friend_id, referrer_id, joined_at, refused) VALUES ($1, $2, $3, $4)`,
		k.c1, k.c3, k.n.AddDate(0, 0, -10), domain.ReferralMemberBefore); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		shop int64
		want int
	}{{0, 1}, {k.b.ID, 1}, {k.a.ID, 0}} {
		got := k.kpis(t, k.month(), c.shop)
		if !got.Referrals || got.ReferralJoins != c.want {
			t.Errorf("store %d: referrals %v, %d joins, want %d", c.shop, got.Referrals, got.ReferralJoins, c.want)
		}
	}
}

// TestKPIsNetATakenBackCorrection: an owner typed +1000 for +10 and
// took the 990 back at once. /stats must not report 1,000 points issued
// that the customer never had: what was issued, redeemed and expired
// adds up to what the cards hold.
func TestKPIsNetATakenBackCorrection(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	owner := addStaff(t, db, 900, domain.RoleOwner, 0)
	c, card := addMember(t, db, clock, 1)
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	for i, points := range []int64{1000, -990} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, _, err := svc.AdjustPoints(ctx, tx, owner, c.ID, points, "typo at the till", string(rune('a'+i)))
			return err
		})
	}
	if b := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID); b != 10 {
		t.Fatalf("balance %d, want 10", b)
	}
	var k *domain.KPIs
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		k, err = svc.KPIs(ctx, tx, domain.Period{From: clock.Now().Add(-time.Hour), To: clock.Now().Add(time.Hour)}, 0)
		return err
	})
	if flow := k.PointsIssued - k.PointsRedeemed - k.PointsExpired; flow != k.PointsOutstanding || k.PointsIssued != 10 {
		t.Errorf("issued %d, redeemed %d, expired %d, outstanding %d: the 990 taken back are still counted as issued",
			k.PointsIssued, k.PointsRedeemed, k.PointsExpired, k.PointsOutstanding)
	}
}
