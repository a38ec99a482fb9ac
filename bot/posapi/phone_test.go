package posapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestPurchaseByPhone: a POS may send the phone of a customer without
// their card instead of the card: points are earned, never paid (a phone
// proves nothing); a repeat answers the same; a number of nobody is
// card_not_found and counts against the key's limit; card and phone
// together, or a number that is none, are the caller's mistake.
func TestPurchaseByPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(201, "Anna")
	byPhone := func(phone string, receipt string, redeem int64) map[string]any {
		return map[string]any{"phone": phone, "amount": 100_000, "currency": "RUB", "receipt_id": receipt, "redeem_points": redeem}
	}
	r := e.purchase(byPhone("8 (999) 000-02-01", "R-1", 0))
	if r.status != 201 || r.num("points_earned") != 30 || r.num("balance") != 130 {
		t.Fatalf("by phone: %d %s", r.status, r.raw)
	}
	if again := e.purchase(byPhone("+79990000201", "R-1", 0)); again.status != 200 || again.str("purchase_id") != r.str("purchase_id") {
		t.Errorf("the repeat: %d %s", again.status, again.raw)
	}
	if r := e.purchase(byPhone("+79990000201", "R-2", 10)); r.status != 422 || r.code() != "phone_no_redeem" {
		t.Errorf("paying with points by phone: %d %s", r.status, r.raw)
	}
	both := byPhone("+79990000201", "R-3", 0)
	both["card"] = e.code(anna)
	if r := e.purchase(both); r.status != 400 || r.code() != "invalid_field" || !strings.Contains(r.message(), "phone") {
		t.Errorf("card and phone: %d %s", r.status, r.raw)
	}
	if r := e.purchase(byPhone("call me", "R-4", 0)); r.status != 400 || r.code() != "invalid_field" {
		t.Errorf("not a phone: %d %s", r.status, r.raw)
	}
	if r := e.purchase(byPhone("+79995550000", "R-5", 0)); r.status != 404 || r.code() != "card_not_found" ||
		!strings.Contains(r.message(), "phone number") {
		t.Errorf("a number of nobody: %d %s", r.status, r.raw)
	}
	if n := e.count(`SELECT coalesce(sum(failures), 0) FROM lookup_failures`); n != 1 {
		t.Errorf("%d failed lookups counted, want the one number of nobody", n)
	}
	if s := e.state(anna); s.balance != 130 {
		t.Errorf("balance %d, want 130", s.balance)
	}
}

// TestGetCardByPhone: GET /api/v1/cards/{phone} shows the customer a
// register found by phone, with nothing payable in points; a number of
// nobody is card_not_found.
func TestGetCardByPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.join(201, "Anna")
	r := e.do("GET", "/api/v1/cards/"+url.PathEscape("+79990000201")+"?amount=100000", e.bearer(), nil)
	if r.status != 200 || r.str("first_name") != "Anna" || r.num("balance") != 100 || r.num("max_redeemable") != 0 {
		t.Fatalf("by phone: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/api/v1/cards/89995550000", e.bearer(), nil); r.status != 404 || r.code() != "card_not_found" {
		t.Errorf("a number of nobody: %d %s", r.status, r.raw)
	}
}
