package posapi_test

import (
	"testing"
	"time"
)

// TestFullReturnOfLapsedPurchaseSameWhetherCardReadOrNot: a purchase's
// points lapsed with the card idle past the regular points' period, the
// purchase itself counted. The refund of a full return of it is the same
// whether or not something read the card (and so wrote the lapsed points
// off) before the return: the register's preview, after its read, says
// so too.
func TestFullReturnOfLapsedPurchaseSameWhetherCardReadOrNot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(303, "Anna")
	olga := e.join(304, "Olga")
	pa := e.purchase(body(e.code(anna), 100_000, "R-a"))
	po := e.purchase(body(e.code(olga), 100_000, "R-o"))
	if pa.status != 201 || po.status != 201 || pa.num("points_earned") != 30 {
		t.Fatalf("purchases: %d %s / %d %s", pa.status, pa.raw, po.status, po.raw)
	}
	e.h.Clock.Advance(400 * 24 * time.Hour)
	if c := e.do("GET", "/api/v1/cards/"+e.code(olga), e.bearer(), nil); c.status != 200 {
		t.Fatalf("card: %d %s", c.status, c.raw)
	}
	ra := e.do("POST", "/api/v1/purchases/"+pa.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-a"})
	ro := e.do("POST", "/api/v1/purchases/"+po.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-o"})
	if ra.status != 201 || ro.status != 201 {
		t.Fatalf("returns: %d %s / %d %s", ra.status, ra.raw, ro.status, ro.raw)
	}
	if ra.num("refund") != ro.num("refund") || ra.num("points_short") != ro.num("points_short") {
		t.Errorf("unread card: refund %d, short %d; card read first: refund %d, short %d",
			ra.num("refund"), ra.num("points_short"), ro.num("refund"), ro.num("points_short"))
	}
}
