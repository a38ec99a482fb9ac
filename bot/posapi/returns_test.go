package posapi_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestReturns: a POS returns part of a purchase, then the rest: the points
// it earned are taken back and those paid with it given back, each in
// proportion to the money returned; a repeat answers the same, another
// body under the same return_id is a conflict, a return over what is left
// or of another store's purchase is refused and changes nothing, and the
// customer hears of each return once.
func TestReturns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(211, "Anna") // 100 welcome points
	if r := e.purchase(body(e.code(anna), 100_000, "R-1")); r.status != 201 || r.num("balance") != 130 {
		t.Fatalf("first purchase: %d %s", r.status, r.raw)
	}
	b := body(e.code(anna), 100_000, "R-2")
	b["redeem_points"] = 100
	p := e.purchase(b) // pays 900.00, earns 27: balance 57
	if p.status != 201 || p.num("points_earned") != 27 || p.num("balance") != 57 {
		t.Fatalf("purchase paid with points: %d %s", p.status, p.raw)
	}
	path := "/api/v1/purchases/" + p.str("purchase_id") + "/returns"
	ret := map[string]any{"amount": 25_000, "return_id": "RET-1"}

	before := e.state(anna)
	for _, bad := range []struct {
		name, auth string
		body       any
		status     int
		code       string
	}{
		{"another store's key", "Bearer " + e.riverKey, ret, 404, "purchase_not_found"},
		{"no amount", e.bearer(), map[string]any{"return_id": "X"}, 400, "missing_field"},
		{"no return_id", e.bearer(), map[string]any{"amount": 100}, 400, "missing_field"},
		{"zero", e.bearer(), map[string]any{"amount": 0, "return_id": "X"}, 400, "invalid_amount"},
		{"negative", e.bearer(), map[string]any{"amount": -5, "return_id": "X"}, 400, "invalid_amount"},
		{"over the purchase", e.bearer(), map[string]any{"amount": 100_001, "return_id": "X"}, 422, "return_exceeds_purchase"},
		{"an unknown field", e.bearer(), map[string]any{"amount": 100, "return_id": "X", "points": 5}, 400, "invalid_json"},
	} {
		if r := e.do("POST", path, bad.auth, bad.body); r.status != bad.status || r.code() != bad.code {
			t.Errorf("%s: %d %s", bad.name, r.status, r.raw)
		}
	}
	if r := e.do("POST", "/api/v1/purchases/p_nosuchpurchase/returns", e.bearer(), ret); r.status != 404 ||
		r.code() != "purchase_not_found" {
		t.Errorf("an unknown purchase: %d %s", r.status, r.raw)
	}
	if after := e.state(anna); after != before {
		t.Fatalf("refused returns changed data: %+v → %+v", before, after)
	}

	// A quarter of the receipt: 6 of the 27 points earned taken back, 25
	// of the 100 paid given back, 250.00 − 25.00 refunded in money.
	r := e.do("POST", path, e.bearer(), ret)
	if r.status != 201 || r.num("points_taken") != 6 || r.num("points_returned") != 25 || r.num("points_short") != 0 ||
		r.num("refund") != 22_500 || r.num("balance") != 76 || r.str("pos_return_id") != "RET-1" {
		t.Fatalf("return of 250.00: %d %s", r.status, r.raw)
	}
	pur := r.body["purchase"].(map[string]any)
	if pur["amount"] != float64(75_000) || pur["returned_amount"] != float64(25_000) || pur["points_earned"] != float64(21) ||
		pur["points_redeemed"] != float64(75) || pur["cancelled"] != nil {
		t.Errorf("the purchase after the return: %v", pur)
	}
	if s := e.state(anna); s.balance != 76 || s.ledgerSum != 76 {
		t.Errorf("after the return: %+v", s)
	}
	before = e.state(anna)
	if again := e.do("POST", path, e.bearer(), ret); again.status != 200 || !bytes.Equal(again.raw, r.raw) {
		t.Errorf("the repeat: %d %s\nwant %s", again.status, again.raw, r.raw)
	}
	if c := e.do("POST", path, e.bearer(), map[string]any{"amount": 30_000, "return_id": "RET-1"}); c.status != 409 ||
		c.code() != "return_conflict" {
		t.Errorf("RET-1 with another amount: %d %s", c.status, c.raw)
	}
	if c := e.do("POST", path, e.bearer(), map[string]any{"amount": 75_001, "return_id": "RET-2"}); c.status != 422 ||
		c.code() != "return_exceeds_purchase" {
		t.Errorf("over what is left: %d %s", c.status, c.raw)
	}
	if after := e.state(anna); after != before {
		t.Fatalf("a repeat or a refused return changed data: %+v → %+v", before, after)
	}
	// A POS that keeps only its own receipt ids names the purchase by one:
	// the same return again is a repeat; a receipt of nobody, or of
	// another store, is not found.
	byReceipt := e.do("POST", "/api/v1/receipts/R-2/returns", e.bearer(), ret)
	if byReceipt.status != 200 || !bytes.Equal(byReceipt.raw, r.raw) {
		t.Errorf("the return again by the receipt id: %d %s\nwant %s", byReceipt.status, byReceipt.raw, r.raw)
	}
	for _, c := range []struct{ path, auth string }{
		{"/api/v1/receipts/R-404/returns", e.bearer()},
		{"/api/v1/receipts/R-2/returns", "Bearer " + e.riverKey},
	} {
		if nf := e.do("POST", c.path, c.auth, map[string]any{"amount": 100, "return_id": "RET-x"}); nf.status != 404 ||
			nf.code() != "receipt_not_found" {
			t.Errorf("%s: %d %s", c.path, nf.status, nf.raw)
		}
	}
	// The receipt's repeat tells the POS what stands of it.
	if again := e.purchase(b); again.status != 200 || again.num("amount") != 75_000 || again.num("returned_amount") != 25_000 {
		t.Errorf("the receipt's repeat after a return: %d %s", again.status, again.raw)
	}

	// The rest, two days on: the last 21 and 75 points, and the purchase
	// counts as cancelled.
	e.h.Clock.Advance(48 * time.Hour)
	rest := e.do("POST", "/api/v1/receipts/R-2/returns", e.bearer(), map[string]any{"amount": 75_000, "return_id": "RET-2"})
	if rest.status != 201 || rest.num("points_taken") != 21 || rest.num("points_returned") != 75 ||
		rest.num("refund") != 67_500 || rest.num("balance") != 130 {
		t.Fatalf("return of the rest: %d %s", rest.status, rest.raw)
	}
	if pur := rest.body["purchase"].(map[string]any); pur["amount"] != float64(0) || pur["cancelled"] != true ||
		pur["points_earned"] != float64(0) || pur["points_redeemed"] != float64(0) {
		t.Errorf("the purchase returned in full: %v", pur)
	}
	if c := e.do("POST", path, e.bearer(), map[string]any{"amount": 100, "return_id": "RET-3"}); c.status != 409 ||
		c.code() != "purchase_cancelled" {
		t.Errorf("a return after the whole: %d %s", c.status, c.raw)
	}
	if s := e.state(anna); s.balance != 130 || s.ledgerSum != 130 {
		t.Errorf("after both returns: %+v", s)
	}
	var spend, lots int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `SELECT
		(SELECT sum(amount) FROM purchases WHERE card_id = $1 AND cancelled_at IS NULL),
		(SELECT sum(remaining) FROM point_lots WHERE card_id = $1)`, anna.card.ID).Scan(&spend, &lots); err != nil {
		t.Fatal(err)
	}
	if spend != 100_000 || lots != 130 {
		t.Errorf("purchases that stand sum to %d (want 100000), lots hold %d (want 130)", spend, lots)
	}
	// The owners' numbers count what the customer kept: one purchase of
	// 1,000.00 that earned 30 and paid nothing (the second is returned
	// in full, so cancelled), and the welcome bonus as the one credit
	// without a purchase: what the returns moved is not a bonus.
	now := e.h.Clock.Now()
	if err := e.h.DB.Update(t.Context(), func(tx domain.Tx) error {
		k, err := e.h.Engine.Service.KPIs(t.Context(), tx, domain.Period{From: now.AddDate(0, 0, -30), To: now.Add(time.Minute)}, 0)
		if err != nil {
			return err
		}
		if k.Returns != 2 || k.Returned != 100_000 || k.Refunded != 90_000 {
			t.Errorf("/stats' returns: %d for %d, %d paid back; want 2 for 100000, 90000", k.Returns, k.Returned, k.Refunded)
		}
		if k.Purchases != 1 || k.Revenue != 100_000 || k.PointsIssued != 130 || k.PointsRedeemed != 0 {
			t.Errorf("/stats after the returns: %d purchases, revenue %d, points +%d −%d; want 1, 100000, +130 −0",
				k.Purchases, k.Revenue, k.PointsIssued, k.PointsRedeemed)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"return_conflict", "return_exceeds_purchase", "purchase_cancelled", "receipt_not_found"} {
		if !strings.Contains(string(spec), "- "+code+"\n") {
			t.Errorf("openapi.yaml does not list the error code %s", code)
		}
	}
	e.h.Settle()
	e.waitText(anna, "Points it earned taken back: −6.")
	e.waitText(anna, "Points you paid with, back on your card: +75.")
}

// TestReturnAfterPointsSpent: the points a purchase earned and the
// customer has spent since cannot be taken back; the balance goes to 0
// and the rest is kept from the refund, at the point value.
func TestReturnAfterPointsSpent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boris := e.join(212, "Boris") // 100
	p := e.purchase(body(e.code(boris), 100_000, "R-1"))
	if p.status != 201 || p.num("balance") != 130 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	b := body(e.code(boris), 50_000, "R-2")
	b["redeem_points"] = 130 // pays 370.00, earns 11
	if r := e.purchase(b); r.status != 201 || r.num("balance") != 11 {
		t.Fatalf("spend: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(7 * 24 * time.Hour)
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-9"})
	if r.status != 201 || r.num("points_taken") != 11 || r.num("points_short") != 19 || r.num("refund") != 98_100 ||
		r.num("balance") != 0 {
		t.Fatalf("return after spending: %d %s", r.status, r.raw)
	}
	if s := e.state(boris); s.balance != 0 || s.ledgerSum != 0 {
		t.Errorf("after the return: %+v", s)
	}
}

// TestCancelAfterAReturn: cancelling, within its day, a purchase part of
// which was returned reverses only what the return left: the balance and
// the lots come back to what they were before the purchase.
func TestCancelAfterAReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	vera := e.join(213, "Vera") // 100
	b := body(e.code(vera), 100_000, "R-1")
	b["redeem_points"] = 100 // pays 900.00, earns 27
	p := e.purchase(b)
	if p.status != 201 || p.num("balance") != 27 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	id := p.str("purchase_id")
	if r := e.do("POST", "/api/v1/purchases/"+id+"/returns", e.bearer(),
		map[string]any{"amount": 40_000, "return_id": "RET-1"}); r.status != 201 || r.num("balance") != 27-10+40 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	c := e.do("POST", "/api/v1/purchases/"+id+"/cancel", e.bearer(), nil)
	if c.status != 200 || c.body["cancelled"] != true || c.num("balance") != 100 {
		t.Fatalf("cancel after the return: %d %s", c.status, c.raw)
	}
	var lots, paid int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `SELECT
		(SELECT sum(remaining) FROM point_lots WHERE card_id = $1),
		(SELECT sum(points) FROM lot_uses WHERE purchase_id = (SELECT id FROM purchases WHERE public_id = $2))`,
		vera.card.ID, id).Scan(&lots, &paid); err != nil {
		t.Fatal(err)
	}
	if s := e.state(vera); s.balance != 100 || s.ledgerSum != 100 || lots != 100 || paid != 100 {
		t.Errorf("after the cancel: %+v, lots hold %d, the purchase's lot uses %d (want 100 each)", s, lots, paid)
	}
}

// TestConcurrentReturnsNeverExceedThePurchase: returns sent at once queue
// behind the card's lock and each sees the last word on what is left:
// of eight returns of 300.00 from a 1,000.00 purchase three pass and five
// are refused; four copies of one return_id record it once; the points
// and the customer's messages match the returns recorded.
func TestConcurrentReturnsNeverExceedThePurchase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(214, "Gleb") // 100
	b := body(e.code(m), 100_000, "R-1")
	b["redeem_points"] = 100 // pays 900.00, earns 27: balance 27
	p := e.purchase(b)
	if p.status != 201 || p.num("balance") != 27 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	path := "/api/v1/purchases/" + p.str("purchase_id") + "/returns"
	queued := e.count(`SELECT count(*) FROM outbox WHERE chat_id = $1`, m.cust.ChatID)
	const n = 12
	release := pgtest.HoldLock(t, e.h.DB.Pool(), `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`, m.card.ID)
	var answers []reply
	done := make(chan struct{})
	go func() {
		answers = e.parallel(n, func(i int) reply {
			id := fmt.Sprintf("RET-%d", i)
			if i >= 8 {
				id = "RET-same"
			}
			return e.do("POST", path, e.bearer(), map[string]any{"amount": 30_000, "return_id": id})
		})
		close(done)
	}()
	release(n)
	<-done
	created, repeated, refused := 0, 0, 0
	for _, r := range answers {
		switch {
		case r.status == 201:
			created++
		case r.status == 200:
			repeated++
		case r.status == 422 && r.code() == "return_exceeds_purchase":
			refused++
		default:
			t.Errorf("a return: %d %s", r.status, r.raw)
		}
	}
	// RET-same counts once whether it came first or was refused.
	if created != 3 || created+repeated+refused != n {
		t.Errorf("%d recorded, %d repeats, %d refused; want 3 recorded", created, repeated, refused)
	}
	// Three returns of 300.00: 8 + 8 + 8 of the 27 earned (cumulative
	// shares 8, 16, 24) and 30 + 30 + 30 of the 100 paid.
	want := int64(27 - 24 + 90)
	s := e.state(m)
	lots := int64(e.count(`SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE card_id = $1`, m.card.ID))
	if s.balance != want || s.ledgerSum != want || lots != want {
		t.Errorf("after the returns: %+v, lots %d; want %d everywhere", s, lots, want)
	}
	if n := e.count(`SELECT count(*) FROM purchase_returns`); n != 3 {
		t.Errorf("%d returns recorded, want 3", n)
	}
	if got := e.count(`SELECT count(*) FROM outbox WHERE chat_id = $1`, m.cust.ChatID) - queued; got != 3 {
		t.Errorf("%d messages to the customer about the returns, want 3", got)
	}
}

// BenchmarkPOSReturn: one return of a tenth of a purchase through HTTP
// (parallel, 8 cards; the purchases are made before the timer starts),
// the points taken back and given back with their ledger rows, lots and
// the customer's message.
func BenchmarkPOSReturn(b *testing.B) {
	e := newEnv(b)
	e.client = fastClient(64)
	var cards []string
	for i := range 8 {
		cards = append(cards, e.code(e.join(int64(800+i), "Bench")))
	}
	// Enough purchases for every return to have its own.
	ids := make([]string, b.N)
	for i := range b.N {
		bd := body(cards[i%len(cards)], 100_000, fmt.Sprintf("B-%d", i))
		r := e.purchase(bd)
		if r.status != 201 {
			b.Fatalf("%d %s", r.status, r.raw)
		}
		ids[i] = r.str("purchase_id")
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1) - 1
			r := e.do("POST", "/api/v1/purchases/"+ids[i]+"/returns", e.bearer(),
				map[string]any{"amount": 10_000, "return_id": fmt.Sprintf("RB-%d", i)})
			if r.status != 201 {
				b.Errorf("%d %s", r.status, r.raw)
				return
			}
		}
	})
}
