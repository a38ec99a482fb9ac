package postgres_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/<name>.golden; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s differs (go test -update rewrites it):\n got: %s\nwant: %s", path, got, want)
	}
}

var moscow, _ = time.LoadLocation("Europe/Moscow")

// msk is a business time in Moscow, the stores' zone.
func msk(month time.Month, day, hour, min int) time.Time {
	return time.Date(2031, month, day, hour, min, 0, 0, moscow)
}

// reportFixture is a small history with hand-computed weekly sums (see
// TestWeeklyStats): members joining on either side of a week boundary, a
// purchase on the boundary, a cancelled one, an old one outside every
// active window, good and bad ratings in two stores.
type reportFixture struct {
	db                *postgres.DB
	clock             *fakeClock
	central, river    *domain.Shop
	a, b, c, d        *domain.Customer
	cardA, cardB      *domain.Card
	svc               *domain.Service
	purchaseA         string
	cashier, manager  *domain.Staff
	owner             *domain.Staff
	riverManager      *domain.Staff
	purchaseB, ratedB int64
}

func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	db, clock := newStore(t)
	f := &reportFixture{db: db, clock: clock}
	f.central, f.river = addShop(t, db, "central"), addShop(t, db, "river")
	biz := &domain.Business{Name: "Test", Currency: "RUB", Feedback: domain.DefaultFeedback(), Program: domain.DefaultProgram(),
		Stores: []domain.StoreConfig{{Code: "central", Name: "Shop central", TimeZone: "Europe/Moscow"}}}
	f.svc = domain.NewService(biz, nil, nil, clock.Now)
	member := func(tg int64, joined time.Time, shop *domain.Shop) (*domain.Customer, *domain.Card) {
		clock.now = joined
		c, card := addMember(t, db, clock, tg)
		sqlExec(t, db, `UPDATE customers SET joined_store_id = $2, phone = $3 WHERE id = $1`, c.ID, shop.ID, fmt.Sprint("+7999000", tg))
		return c, card
	}
	f.a, f.cardA = member(1001, msk(4, 29, 10, 0), f.central)
	f.b, f.cardB = member(1002, msk(5, 5, 0, 0), f.central)
	f.c, _ = member(1003, msk(5, 4, 23, 59), f.central)
	f.d, _ = member(1004, msk(5, 13, 9, 0), f.river)
	f.cashier = addStaff(t, db, 2001, domain.RoleCashier, f.central.ID)
	f.owner = addStaff(t, db, 2002, domain.RoleOwner, 0)
	f.manager = addStaff(t, db, 2003, domain.RoleManager, f.central.ID)
	f.riverManager = addStaff(t, db, 2004, domain.RoleManager, f.river.ID)
	f.purchaseA = "p_a1"
	f.purchase(t, "p_a1", f.a, f.cardA.ID, f.central, msk(4, 30, 12, 0), 100000, false)
	f.purchase(t, "p_a2", f.a, f.cardA.ID, f.central, msk(5, 6, 12, 0), 50050, false)
	f.purchaseB = f.purchase(t, "p_b1", f.b, f.cardB.ID, f.river, msk(5, 6, 13, 0), 30000, true)
	f.purchase(t, "p_b2", f.b, f.cardB.ID, f.central, msk(5, 12, 0, 0), 20000, false)
	cardC := sqlOne[int64](t, db, `SELECT id FROM cards WHERE customer_id = $1`, f.c.ID)
	f.purchase(t, "p_c1", f.c, cardC, f.central, msk(3, 20, 12, 0), 10000, false)
	f.rate(t, f.a, f.central, 5, "Lovely", msk(5, 6, 15, 0))
	f.rate(t, f.b, f.river, 2, "Cold coffee, \"slow\"", msk(5, 6, 16, 0))
	f.rate(t, f.d, f.river, 3, "", msk(5, 13, 10, 0))
	clock.now = msk(5, 17, 13, 20) // Saturday of the third week
	return f
}

func (f *reportFixture) purchase(t *testing.T, id string, c *domain.Customer, cardID int64, shop *domain.Shop, at time.Time, amount int64, cancelled bool) int64 {
	t.Helper()
	var cancelledAt *time.Time
	if cancelled {
		x := at.Add(time.Hour)
		cancelledAt = &x
	}
	return sqlOne[int64](t, f.db, `INSERT INTO purchases (public_id, card_id, customer_id, store_id, staff_id, source,
		idempotency_key, amount, currency, points_earned, points_redeemed, created_at, cancelled_at)
		VALUES ($1, $2, $3, $4, $5, 'bot', $1, $6::bigint, 'RUB', $6::bigint / 3000, 0, $7, $8) RETURNING id`,
		id, cardID, c.ID, shop.ID, f.cashier.ID, amount, at, cancelledAt)
}

func (f *reportFixture) rate(t *testing.T, c *domain.Customer, shop *domain.Shop, stars int, comment string, at time.Time) {
	t.Helper()
	sqlExec(t, f.db, `INSERT INTO feedback (customer_id, store_id, stars, comment, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, c.ID, shop.ID, stars, comment, at)
}

func sqlExec(t *testing.T, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool().Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// TestWeeklyStats: three weeks of the fixture, summed by hand.
//
//	week of 28.04: members A, C (23:59 on Sunday) = 2, both new; active A
//	  (bought 30.04); revenue 1 000.00 in 1 receipt; no ratings
//	week of 05.05: members 3 (B joined at 00:00 Monday), 1 new; active A
//	  (B's purchase was cancelled, B's next is at the next week's 00:00);
//	  revenue 500.50; ratings 5 and 2: average 3.5, 1 bad
//	week of 12.05 (to Saturday): members 4, 1 new (D); active A and B;
//	  revenue 200.00; 1 rating of 3: bad
//
// C's purchase of 20.03 is outside every 30-day window. The series is the
// golden file the charts are drawn from.
func TestWeeklyStats(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	var weeks []domain.WeekStats
	inTx(t, f.db, func(ctx context.Context, tx domain.Tx) (err error) {
		weeks, err = f.svc.WeeklyStats(ctx, tx, 0, 3, f.svc.Business.Location())
		return err
	})
	want := []domain.WeekStats{
		{Start: msk(4, 28, 0, 0), Members: 2, NewMembers: 2, Active: 1, Revenue: 100000, Receipts: 1},
		{Start: msk(5, 5, 0, 0), Members: 3, NewMembers: 1, Active: 1, Revenue: 50050, Receipts: 1, Ratings: 2, Stars: 7, Bad: 1},
		{Start: msk(5, 12, 0, 0), Members: 4, NewMembers: 1, Active: 2, Revenue: 20000, Receipts: 1, Ratings: 1, Stars: 3, Bad: 1},
	}
	checkEqual(t, "weeks", weeks, want)
	if weeks[1].AverageRating() != 35 || weeks[1].AverageReceipt() != 50050 {
		t.Fatalf("averages %d, %d", weeks[1].AverageRating(), weeks[1].AverageReceipt())
	}
	b, _ := json.MarshalIndent(weeks, "", "  ")
	golden(t, "weekly_series", append(b, '\n'))

	var river []domain.WeekStats
	inTx(t, f.db, func(ctx context.Context, tx domain.Tx) (err error) {
		river, err = f.svc.WeeklyStats(ctx, tx, f.river.ID, 3, f.svc.Business.Location())
		return err
	})
	checkEqual(t, "river", river, []domain.WeekStats{
		{Start: msk(4, 28, 0, 0)},
		{Start: msk(5, 5, 0, 0), Ratings: 1, Stars: 2, Bad: 1},
		{Start: msk(5, 12, 0, 0), Members: 1, NewMembers: 1, Ratings: 1, Stars: 3, Bad: 1},
	})
}

// TestWeeklyReportOncePerWeek: the report covers the full weeks before
// the current one and is taken once per week, whoever asks again.
func TestWeeklyReportOncePerWeek(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	f.clock.now = msk(5, 19, 9, 0) // Monday after the fixture's third week
	take := func() (domain.WeeklyReport, bool) {
		var rep domain.WeeklyReport
		var ok bool
		inTx(t, f.db, func(ctx context.Context, tx domain.Tx) (err error) {
			rep, ok, err = f.svc.TakeWeeklyReport(ctx, tx)
			return err
		})
		return rep, ok
	}
	rep, ok := take()
	if !ok || len(rep.Weeks) != domain.ChartWeeks {
		t.Fatalf("report taken %v with %d weeks", ok, len(rep.Weeks))
	}
	checkTime(t, "last week", rep.Last().Start, msk(5, 12, 0, 0))
	if rep.Last().Revenue != 20000 || rep.Previous().Revenue != 50050 {
		t.Fatalf("last %+v, previous %+v", rep.Last(), rep.Previous())
	}
	if pct, ok := domain.ChangePercent(rep.Previous().Revenue, rep.Last().Revenue); !ok || pct != -60 {
		t.Fatalf("revenue change %d %v, want -60", pct, ok)
	}
	f.clock.Advance(6 * 24 * time.Hour)
	if _, ok := take(); ok {
		t.Fatal("a second report in the same week")
	}
	f.clock.Advance(24 * time.Hour)
	if _, ok := take(); !ok {
		t.Fatal("no report the next week")
	}
}

func TestChangePercent(t *testing.T) {
	for _, c := range []struct {
		before, after, want int64
		ok                  bool
	}{{100, 112, 12, true}, {3, 2, -33, true}, {2, 1, -50, true}, {200, 201, 1, true}, {0, 5, 0, false}, {8, 9, 13, true}} {
		if got, ok := domain.ChangePercent(c.before, c.after); got != c.want || ok != c.ok {
			t.Errorf("ChangePercent(%d, %d) = %d %v, want %d %v", c.before, c.after, got, ok, c.want, c.ok)
		}
	}
}
