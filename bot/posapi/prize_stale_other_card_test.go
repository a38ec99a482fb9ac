package posapi_test

import (
	"testing"
	"time"
)

// TestPrizeRepeatNeedsItsOwnCard: a prize_id used already, sent again
// with a typed code gone stale of another card, or with a code or link
// that names no card, is no repeat of that prize: the POS hears the code
// refused, as a purchase's receipt_id repeated so hears it, not the
// other customer's prize and name. The same stale code of the prize's
// own card still learns what happened.
func TestPrizeRepeatNeedsItsOwnCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards)
	anna := e.join(321, "Anna") // 100 welcome points
	bob := e.join(322, "Bob")
	if r := e.purchase(body(e.code(anna), 100_000, "R-1")); r.status != 201 {
		t.Fatalf("purchase: %d %s", r.status, r.raw)
	}
	annaCode, bobCode := e.code(anna), e.code(bob)
	give := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": annaCode, "reward": "coffee", "prize_id": "G-1"})
	if give.status != 201 {
		t.Fatalf("a prize: %d %s", give.status, give.raw)
	}
	e.h.Clock.Advance(time.Hour) // both codes are stale now
	for name, card := range map[string]string{
		"another card's stale code": bobCode,
		"a forged link":             "c_AAAAAAAAAAAAAAAAAAAAAAAA",
	} {
		r := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": card, "reward": "coffee", "prize_id": "G-1"})
		if r.status == 200 || r.str("prize_id") != "" || r.code() != "card_not_found" {
			t.Errorf("%s under a used prize_id: %d %s", name, r.status, r.raw)
		}
	}
	if again := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": annaCode, "reward": "coffee", "prize_id": "G-1"}); again.status != 200 || again.str("prize_id") != give.str("prize_id") {
		t.Fatalf("a repeat with its own stale code: %d %s", again.status, again.raw)
	}
}
