package posapi_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestFullReturnAfterTheWelcomeExpired: the welcome bonus the first
// purchase credited (the phone was typed) lived 30 days and is gone;
// that purchase returned in full 40 days later has no welcome bonus left
// to take back. Other points of the card (an owner's correction) are not
// the bonus: they stay, and no bonus comes back to life held for the
// next purchase.
func TestFullReturnAfterTheWelcomeExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.joinTyped(341, "Vera")
	p := e.purchase(body(e.code(m), 100_000, "R-1"))
	if p.status != 201 || p.num("balance") != 130 {
		t.Fatalf("the first purchase with the held bonus: %d %s", p.status, p.raw)
	}
	if err := e.h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, _, err := domain.Credit(t.Context(), tx, domain.LedgerEntry{CardID: m.card.ID, Kind: domain.LedgerAdjust,
			Amount: 50, Reason: "goodwill", IdempotencyKey: "test:goodwill", CreatedAt: e.h.Clock.Now()}, domain.LotRegular)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.h.Clock.Advance(40 * 24 * time.Hour) // the welcome bonus expired 10 days ago
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(),
		map[string]any{"amount": 100_000, "return_id": "RET-1"})
	if r.status != 201 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	s := e.state(m)
	var held int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `SELECT coalesce(sum(points), 0) FROM held_welcome WHERE card_id = $1`, m.card.ID).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if s.balance != 50 || held != 0 || r.num("balance") != 50 {
		t.Errorf("after the full return: balance %d (answered %d), %d welcome points held; want 50, 50 and none held: "+
			"the expired bonus was taken out of the correction's points and held again", s.balance, r.num("balance"), held)
	}
}
