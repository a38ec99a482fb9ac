package posapi_test

import (
	"testing"
	"time"
)

// TestFullReturnBalanceIsWhatTheCardHolds: a return of all of a purchase
// cancels it, and with it the card's activity: points the card kept only
// because of that purchase go at the next read. The balance the return
// answers must be what the card holds then, not points already dead.
func TestFullReturnBalanceIsWhatTheCardHolds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(301, "Anna")
	day := 24 * time.Hour
	if r := e.purchase(body(e.code(anna), 100_000, "R-old")); r.status != 201 || r.num("points_earned") != 30 {
		t.Fatalf("old purchase: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(300 * day) // the welcome bonus is long gone; the 30 live on
	p := e.purchase(body(e.code(anna), 100_000, "R-new"))
	if p.status != 201 || p.num("balance") != 60 {
		t.Fatalf("new purchase: %d %s", p.status, p.raw)
	}
	e.h.Clock.Advance(100 * day) // 100 days after R-new, 400 after R-old
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-1"})
	if r.status != 201 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil)
	if card.status != 200 {
		t.Fatalf("card: %d %s", card.status, card.raw)
	}
	if r.num("balance") != card.num("balance") {
		t.Errorf("the return answered balance %d, the card reads %d right after: the return counted points "+
			"that its own cancellation of R-new left dead (R-old is 400 days old)", r.num("balance"), card.num("balance"))
	}
}
