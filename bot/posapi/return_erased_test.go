package posapi_test

import (
	"testing"
)

// TestReturnAfterErasureRefundsInFull: Anna buys twice for 1,000.00, the
// first time paying 100 points (27 earned), the second earning 30, then
// deletes her data: the 57 points on her card are forfeited. She brings
// both back with the receipts: each refund is the money she paid, nothing
// kept for points she never spent (they went with the erasure), and no
// points come back onto a card nobody can use: it stays empty, its
// balance its ledger's sum, and what was forfeited in the end is the
// welcome bonus alone.
func TestReturnAfterErasureRefundsInFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(231, "Anna") // 100 welcome points
	b := body(e.code(anna), 100_000, "R-1")
	b["redeem_points"] = 100
	if p := e.purchase(b); p.status != 201 || p.num("points_earned") != 27 || p.num("balance") != 27 {
		t.Fatalf("purchase paid with points: %d %s", p.status, p.raw)
	}
	if p := e.purchase(body(e.code(anna), 100_000, "R-2")); p.status != 201 || p.num("balance") != 57 {
		t.Fatalf("second purchase: %d %s", p.status, p.raw)
	}
	anna.chat.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if s := e.state(anna); s.balance != 0 || s.ledgerSum != 0 {
		t.Fatalf("after the erasure: %+v", s)
	}
	r := e.do("POST", "/api/v1/receipts/R-2/returns", e.bearer(), map[string]any{"amount": 100_000, "return_id": "RET-2"})
	if r.status != 201 || r.num("points_taken") != 30 || r.num("points_short") != 0 || r.num("refund") != 100_000 || r.num("balance") != 0 {
		t.Errorf("the return of what earned points, after the erasure: %d %s", r.status, r.raw)
	}
	r = e.do("POST", "/api/v1/receipts/R-1/returns", e.bearer(), map[string]any{"amount": 100_000, "return_id": "RET-1"})
	if r.status != 201 || r.num("points_short") != 0 || r.num("refund") != 90_000 || r.num("balance") != 0 {
		t.Errorf("the return of what was paid with points, after the erasure: %d %s", r.status, r.raw)
	}
	if s := e.state(anna); s.balance != 0 || s.ledgerSum != 0 {
		t.Errorf("the erased card after the returns: %+v", s)
	}
	if n := e.count(`SELECT -sum(amount) FROM ledger WHERE kind = 'forfeit'`); n != 100 {
		t.Errorf("%d points forfeited in the end, want the welcome bonus's 100", n)
	}
	// The ledger export says which purchase each forfeit row after the
	// erasure belongs to; only the erasure's own row has no reason.
	if n := e.count(`SELECT count(*) FROM ledger WHERE kind = 'forfeit' AND reason = ''`); n != 1 {
		t.Errorf("%d forfeit rows without a reason, want the erasure's alone", n)
	}
	if n := e.count(`SELECT count(*) FROM ledger l JOIN purchases p ON p.public_id = l.reason WHERE l.kind = 'forfeit'`); n < 2 {
		t.Errorf("%d forfeit rows naming their purchase, want those of both returns", n)
	}
}

// TestCancelAfterErasure: a purchase whose customer deleted their data a
// minute later can still be cancelled at the POS: its points were
// forfeited with the rest, not spent; the card stays empty.
func TestCancelAfterErasure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(232, "Anna")
	p := e.purchase(body(e.code(anna), 100_000, "R-1"))
	if p.status != 201 || p.num("balance") != 130 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	anna.chat.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if r := e.do("POST", "/api/v1/receipts/R-1/cancel", e.bearer(), map[string]any{}); r.status != 200 || r.num("balance") != 0 {
		t.Errorf("the cancel after the erasure: %d %s", r.status, r.raw)
	}
	if s := e.state(anna); s.balance != 0 || s.ledgerSum != 0 {
		t.Errorf("the erased card after the cancel: %+v", s)
	}
	if n := e.count(`SELECT -sum(amount) FROM ledger WHERE kind = 'forfeit'`); n != 100 {
		t.Errorf("%d points forfeited in the end, want the welcome bonus's 100", n)
	}
}
