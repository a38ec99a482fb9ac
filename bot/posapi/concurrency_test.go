package posapi_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// parallel runs n requests at once (released together) and returns their
// answers in order.
func (e *env) parallel(n int, req func(i int) reply) []reply {
	out := make([]reply, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = req(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func TestSameReceiptConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(401, "Anna")
	before := e.state(m)
	b := body(e.code(m), 123450, "R-same")
	answers := e.parallel(50, func(int) reply { return e.purchase(b) })
	created := 0
	for _, r := range answers {
		switch r.status {
		case 201:
			created++
		case 200:
		default:
			t.Errorf("answer %d %s", r.status, r.raw)
		}
		if r.str("purchase_id") != answers[0].str("purchase_id") {
			t.Errorf("purchase ids differ: %s vs %s", r.raw, answers[0].raw)
		}
	}
	after := e.state(m)
	if created != 1 || after.purchases != before.purchases+1 || after.balance != 137 || after.ledgerSum != 137 {
		t.Errorf("%d created; %+v → %+v", created, before, after)
	}
}

// TestSameReceiptTwoCardsConcurrently makes requests for one receipt with
// two cards race: they do not queue on one card lock, so the loser meets
// the unique index and must answer a conflict, never a 500.
func TestSameReceiptTwoCardsConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.join(402, "Anna"), e.join(403, "Bob")
	cards := []string{e.code(a), e.code(b)}
	answers := e.parallel(20, func(i int) reply { return e.purchase(body(cards[i%2], 10000, "R-race")) })
	var ok, conflicts int
	id := ""
	for _, r := range answers {
		switch {
		case r.status == 200 || r.status == 201:
			ok++
			if id != "" && r.str("purchase_id") != id {
				t.Errorf("two purchases for one receipt: %s, %s", id, r.str("purchase_id"))
			}
			id = r.str("purchase_id")
		case r.status == 409 && r.code() == "receipt_conflict":
			conflicts++
		default:
			t.Errorf("answer %d %s", r.status, r.raw)
		}
	}
	if sa, sb := e.state(a), e.state(b); sa.purchases != 1 || ok != 10 || conflicts != 10 ||
		sa.balance+sb.balance != 203 {
		t.Errorf("%d ok, %d conflicts; %+v %+v", ok, conflicts, sa, sb)
	}
}

func TestConcurrentRedemptionsNeverOverdraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(404, "Vera")
	code := e.code(m)
	// 10.00 lets 1 point through the cap; the 9.90 paid earn nothing, so
	// the 100 welcome points are all there is.
	answers := e.parallel(200, func(i int) reply {
		b := body(code, 1000, fmt.Sprintf("R-%d", i))
		b["redeem_points"] = 1
		return e.purchase(b)
	})
	var ok, refused int
	for _, r := range answers {
		switch {
		case r.status == 201 && r.num("points_redeemed") == 1:
			ok++
		case r.status == 422 && r.code() == "insufficient_points":
			refused++
		default:
			t.Errorf("answer %d %s", r.status, r.raw)
		}
	}
	s := e.state(m)
	if ok != 100 || refused != 100 || s.balance != 0 || s.ledgerSum != s.balance || s.purchases != 100 {
		t.Errorf("%d redeemed, %d refused; %+v", ok, refused, s)
	}
}

// fastClient keeps enough idle connections for parallel benchmarks.
func fastClient(n int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n}}
}

func BenchmarkPOSPurchase(b *testing.B) {
	e := newEnv(b)
	e.client = fastClient(64)
	var cards []string
	for i := range 8 {
		cards = append(cards, e.code(e.join(int64(500+i), "Bench")))
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			r := e.purchase(body(cards[int(i)%len(cards)], 10_000+i%490_000, fmt.Sprintf("B-%d", i)))
			if r.status != 201 {
				b.Errorf("%d %s", r.status, r.raw)
				return
			}
		}
	})
}

// TestLoad runs the load generator against the API. POSAPI_LOAD=5s runs
// it for that long instead of 200 requests and logs the report (the
// figures in the README).
func TestLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Many customers, as at a real till; POSAPI_LOAD runs use more.
	n := 8
	if os.Getenv("POSAPI_LOAD") != "" {
		n = 48
	}
	var cards []string
	for i := range n {
		cards = append(cards, e.code(e.join(int64(600+i), "Load")))
	}
	// Every 10th purchase pays 5 points of the welcome bonus.
	o := posapi.LoadOptions{BaseURL: e.srv.URL, Key: e.key, Cards: cards, Concurrency: 8, Requests: 200,
		Duration: time.Minute, RedeemEvery: 10, RedeemPoints: 5}
	if d, err := time.ParseDuration(os.Getenv("POSAPI_LOAD")); err == nil {
		o.Duration, o.Requests = d, 0
	}
	rep, err := posapi.Load(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	var purchases, paying int
	if err := e.h.DB.Pool().QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE points_redeemed = 5)
		FROM purchases`).Scan(&purchases, &paying); err != nil {
		t.Fatal(err)
	}
	if rep.Errors != 0 || purchases != rep.Requests || (o.Requests > 0 && rep.Requests != o.Requests) {
		t.Errorf("report %v; %d purchases recorded", rep, purchases)
	}
	if want := rep.Requests / 10; paying != want {
		t.Errorf("%d purchases paid points, want every 10th: %d", paying, want)
	}
	if !(0 < rep.P50 && rep.P50 <= rep.P90 && rep.P90 <= rep.P99 && rep.P99 <= rep.Max) || rep.Throughput <= 0 {
		t.Errorf("report does not add up: %+v", rep)
	}
	if _, err := posapi.Load(context.Background(), posapi.LoadOptions{BaseURL: "http://192.0.2.1:80", Key: "k",
		Cards: cards}); err == nil {
		t.Error("load against a remote address was allowed")
	}
}

// TestDriveRefusesUnboundedRuns: the load tool stays a bounded measuring
// tool, whichever way it is called.
func TestDriveRefusesUnboundedRuns(t *testing.T) {
	noop := func(context.Context, int64) error { return nil }
	for _, c := range []struct {
		conc     int
		duration time.Duration
		requests int
	}{
		{0, time.Second, 0}, {257, time.Second, 0}, {1, 0, 0}, {1, 11 * time.Minute, 0}, {1, time.Second, -1},
		{1, time.Second, 10_000_001},
	} {
		if _, err := posapi.Drive(t.Context(), c.conc, c.duration, c.requests, noop); err == nil {
			t.Errorf("Drive(%d, %v, %d): no error", c.conc, c.duration, c.requests)
		}
	}
	rep, err := posapi.Drive(t.Context(), 3, time.Minute, 30, noop)
	if err != nil || rep.Requests != 30 || rep.Errors != 0 {
		t.Errorf("Drive of 30 calls: %+v, %v", rep, err)
	}
	if _, err := posapi.Load(t.Context(), posapi.LoadOptions{BaseURL: "http://127.0.0.1:1", Key: "k",
		Cards: []string{"c"}, Concurrency: 300}); err == nil {
		t.Error("Load with 300 clients: no error")
	}
}

// TestConcurrentCancelsReverseOnce: a POS retrying a cancel while the
// first is still running reverses the purchase once. Every retry gets the
// same answer, the lots still hold exactly the balance, and the customer
// gets one message about it.
func TestConcurrentCancelsReverseOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(405, "Zoya")
	pay := func(receipt string) reply {
		b := body(e.code(m), 123450, receipt)
		b["redeem_points"] = 30
		r := e.purchase(b)
		if r.status != 201 || r.num("points_redeemed") != 30 {
			t.Fatalf("purchase: %d %s", r.status, r.raw)
		}
		return r
	}
	first, second := pay("R-c1"), pay("R-c2")
	want := 100 - 30 + first.num("points_earned")
	// The retries queue up behind a lock on the card (as behind a purchase
	// in progress), each past its first read, then run one after another.
	// Whatever was sent, every message the customer is queued is a row.
	const n = 6
	queued := e.count(`SELECT count(*) FROM outbox WHERE chat_id = $1`, m.cust.ChatID)
	release := pgtest.HoldLock(t, e.h.DB.Pool(), `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`, m.card.ID)
	path := "/api/v1/purchases/" + second.str("purchase_id") + "/cancel"
	var answers []reply
	done := make(chan struct{})
	go func() {
		answers = e.parallel(n, func(int) reply { return e.do("POST", path, e.bearer(), nil) })
		close(done)
	}()
	release(n)
	<-done
	for _, r := range answers {
		if r.status != 200 || r.body["cancelled"] != true || r.num("balance") != want {
			t.Errorf("cancel: %d %s", r.status, r.raw)
		}
	}
	s := e.state(m)
	lots := int64(e.count(`SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE card_id = $1`, m.card.ID))
	if s.balance != want || s.ledgerSum != want || lots != want {
		t.Errorf("after %d cancels: %+v, lots %d; want %d everywhere", n, s, lots, want)
	}
	if got := e.count(`SELECT count(*) FROM outbox WHERE chat_id = $1`, m.cust.ChatID) - queued; got != 1 {
		t.Errorf("%d messages to the customer about the cancel, want 1", got)
	}
}

// count runs a query that counts something.
func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.h.DB.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestLoadPaced: with a rate, the clients together post no faster than it
// (at 4 a second over 1.1 s: the purchases due at 0, ¼, ½, ¾ and 1 s, not
// the one due at 1¼ s), where unpaced they would post thousands; every
// one is recorded.
func TestLoadPaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rep, err := posapi.Load(t.Context(), posapi.LoadOptions{BaseURL: e.srv.URL, Key: e.key,
		Cards: []string{e.code(e.join(700, "Paced"))}, Concurrency: 3, Duration: 1100 * time.Millisecond, Rate: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests < 1 || rep.Requests > 5 || rep.Errors != 0 {
		t.Fatalf("paced at 4/s for 1.1 s: %+v, want 1 to 5 purchases, no errors", rep)
	}
	if n := e.count(`SELECT count(*) FROM purchases`); n != rep.Requests {
		t.Errorf("%d purchases recorded, %d posted", n, rep.Requests)
	}
	for _, rate := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := posapi.Load(t.Context(), posapi.LoadOptions{BaseURL: e.srv.URL, Key: e.key,
			Cards: []string{"c"}, Duration: time.Second, Rate: rate}); err == nil {
			t.Errorf("rate %v: no error", rate)
		}
	}
}

// TestLoadCardOffset: a run made of several Loads goes round all the cards
// once before any comes again, each Load starting where the last stopped.
func TestLoadCardOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var cards []string
	for i := range 6 {
		cards = append(cards, e.code(e.join(int64(700+i), "Round")))
	}
	sent := 0
	for range 2 {
		rep, err := posapi.Load(context.Background(), posapi.LoadOptions{BaseURL: e.srv.URL, Key: e.key,
			Cards: cards, CardOffset: sent, Concurrency: 1, Requests: 3, Duration: time.Minute})
		if err != nil || rep.Errors != 0 {
			t.Fatalf("%v: %v", rep, err)
		}
		sent += rep.Requests
	}
	var n, most int
	if err := e.h.DB.Pool().QueryRow(context.Background(), `SELECT count(DISTINCT card_id), max(c)
		FROM (SELECT card_id, count(*) OVER (PARTITION BY card_id) AS c FROM purchases) p`).Scan(&n, &most); err != nil {
		t.Fatal(err)
	}
	if n != 6 || most != 1 {
		t.Fatalf("6 purchases went to %d cards, one card got %d; want one each", n, most)
	}
}
