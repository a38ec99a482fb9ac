package posapi_test

import (
	"testing"
	"time"
)

// TestFullReturnOnIdleCardKeepsNothingFromRefund: a full return of the
// only purchase of the year leaves the card idle, and the write-off takes
// the points the purchase earned with the others. Those points were not
// spent: they are gone to the write-off, so nothing is kept from the
// refund for them — else the customer pays for them twice, in points and
// in money.
func TestFullReturnOnIdleCardKeepsNothingFromRefund(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(302, "Anna")
	day := 24 * time.Hour
	if r := e.purchase(body(e.code(anna), 100_000, "R-old")); r.status != 201 || r.num("points_earned") != 30 {
		t.Fatalf("old purchase: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(300 * day)
	p := e.purchase(body(e.code(anna), 100_000, "R-new"))
	if p.status != 201 || p.num("points_earned") != 30 {
		t.Fatalf("new purchase: %d %s", p.status, p.raw)
	}
	e.h.Clock.Advance(100 * day)
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-1"})
	if r.status != 201 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	t.Logf("%s", r.raw)
	if r.num("points_short") != 0 || r.num("refund") != 100_000 {
		t.Errorf("the return kept %d points from the refund (refund %d of 100000): R-new's points were written off, not spent",
			r.num("points_short"), r.num("refund"))
	}
}
