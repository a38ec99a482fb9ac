package posapi_test

import (
	"testing"
	"time"
)

// TestCancelBalanceCountsNoLapsedPoints: the welcome bonus ran out
// between a purchase and its cancel, and nothing read the card since. The
// cancel's balance (the POS shows it, the customer is told it) is what
// the card holds, as a return's is: not points past their date that the
// next read writes off.
func TestCancelBalanceCountsNoLapsedPoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(211, "Olga") // 100 welcome points, for 30 days
	if r := e.purchase(body(e.code(m), 100_000, "R-1")); r.status != 201 || r.num("balance") != 130 {
		t.Fatalf("first purchase: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(30*24*time.Hour + 6*time.Hour) // the welcome bonus's last day, 18:00
	p := e.purchase(body(e.code(m), 100_000, "R-2"))
	if p.status != 201 || p.num("balance") != 160 {
		t.Fatalf("second purchase: %d %s", p.status, p.raw)
	}
	e.h.Clock.Advance(8 * time.Hour) // 02:00 the day after: past its date
	c := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", e.bearer(), nil)
	if c.status != 200 || c.body["cancelled"] != true {
		t.Fatalf("cancel: %d %s", c.status, c.raw)
	}
	card := e.do("GET", "/api/v1/cards/"+e.code(m), e.bearer(), nil)
	if card.status != 200 || card.num("balance") != 30 {
		t.Fatalf("card: %d %s", card.status, card.raw)
	}
	if c.num("balance") != 30 {
		t.Errorf("the cancel answered balance %d, the card holds 30: it counted the welcome bonus past its date", c.num("balance"))
	}
}
