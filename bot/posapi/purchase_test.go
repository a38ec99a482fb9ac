package posapi_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

func TestPurchaseCreateRepeatConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(201, "Anna")

	b := body(e.code(anna), 123450, "R-1")
	b["categories"] = []string{"coffee", "cake"}
	first := e.purchase(b)
	if first.status != 201 {
		t.Fatalf("create: %d %s", first.status, first.raw)
	}
	if got := first.str("purchase_id"); len(got) < 3 || got[:2] != "p_" {
		t.Errorf("purchase_id %q", got)
	}
	want := map[string]int64{"points_earned": 37, "points_redeemed": 0, "balance": 137, "amount": 123450}
	for f, v := range want {
		if first.num(f) != v {
			t.Errorf("%s = %d, want %d (%s)", f, first.num(f), v, first.raw)
		}
	}
	if first.str("tier") != "Base" || first.str("receipt_id") != "R-1" || first.str("currency") != "RUB" {
		t.Errorf("answer: %s", first.raw)
	}
	if c, _ := first.body["customer"].(map[string]any); c["first_name"] != "Anna" {
		t.Errorf("customer: %s", first.raw)
	}
	if _, ok := first.body["cancelled"]; ok {
		t.Errorf("a live purchase says cancelled: %s", first.raw)
	}

	// The customer hears about it in the chat, as after a cashier checkout.
	e.h.Settle()
	e.waitText(anna, "Points: +37. Balance: 137.")

	// A repeat, even with a fresh token instead of the code and the
	// categories in another order, is the same purchase.
	bob := e.join(202, "Bob")
	before := e.state(anna)
	b2 := body(e.token(anna), 123450, "R-1")
	b2["categories"] = []string{"cake", "coffee"}
	b2["redeem_points"] = 0
	for _, req := range []map[string]any{b, b2} {
		again := e.purchase(req)
		if again.status != 200 || !bytes.Equal(again.raw, first.raw) {
			t.Errorf("repeat: %d %s\nwant 200 %s", again.status, again.raw, first.raw)
		}
	}
	// Another amount under the same receipt id.
	b3 := body(e.code(anna), 123451, "R-1")
	b3["categories"] = []string{"coffee", "cake"}
	if r := e.purchase(b3); r.status != 409 || r.code() != "receipt_conflict" {
		t.Errorf("other amount: %d %s", r.status, r.raw)
	}
	// The same body for another customer is a conflict too.
	b4 := body(e.code(bob), 123450, "R-1")
	b4["categories"] = []string{"coffee", "cake"}
	if r := e.purchase(b4); r.status != 409 || r.code() != "receipt_conflict" {
		t.Errorf("same body, other card: %d %s", r.status, r.raw)
	}
	if after := e.state(anna); after != before {
		t.Errorf("repeats changed the data: %+v → %+v", before, after)
	}
	// The same receipt id in another store is another receipt.
	r := e.do("POST", "/api/v1/purchases", "Bearer "+e.riverKey, body(e.code(anna), 10000, "R-1"))
	if r.status != 201 || r.num("balance") != 137+3 {
		t.Errorf("same receipt id at another store: %d %s", r.status, r.raw)
	}
}

func TestRepeatAfterCardExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(203, "Vera")
	tok := e.token(m)
	first := e.purchase(body(tok, 50000, "R-9"))
	if first.status != 201 {
		t.Fatalf("create: %d %s", first.status, first.raw)
	}
	e.h.Clock.Advance(3 * e.h.Signer.TTL())
	// The POS retries after a long timeout: it learns the outcome.
	if r := e.purchase(body(tok, 50000, "R-9")); r.status != 200 || !bytes.Equal(r.raw, first.raw) {
		t.Errorf("repeat with an expired token: %d %s", r.status, r.raw)
	}
	if r := e.purchase(body(tok, 50001, "R-9")); r.status != 409 {
		t.Errorf("conflicting repeat with an expired token: %d %s", r.status, r.raw)
	}
	if r := e.purchase(body(tok, 50000, "R-10")); r.status != 410 || r.code() != "card_expired" {
		t.Errorf("new receipt with an expired token: %d %s", r.status, r.raw)
	}
}

func TestRedeemWelcomeBonusRightAfterJoining(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(204, "Gleb")
	b := body(e.code(m), 100000, "R-2")
	b["redeem_points"] = 100
	r := e.purchase(b)
	if r.status != 201 || r.num("points_redeemed") != 100 || r.num("points_earned") != 27 || r.num("balance") != 27 {
		t.Fatalf("redeem the welcome bonus: %d %s", r.status, r.raw)
	}
	if s := e.state(m); s.balance != 27 || s.ledgerSum != 27 {
		t.Errorf("after redeeming: %+v", s)
	}
	e.h.Settle()
	e.waitText(m, "paid with points −100, earned +27. Balance: 27.")
}

func TestGetCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Program.Tiers = append(b.Program.Tiers, domain.Tier{Name: "Silver", MinSpend: 1_000_000, EarnBP: 500})
	})
	m := e.join(205, "Dana")
	for _, c := range []struct {
		query   string
		maxPts  int64
		balance int64
	}{
		{"", 0, 100},
		{"?amount=100000", 100, 100}, // 30 % is 300 points: the balance caps it
		{"?amount=10000", 30, 100},
		{"?amount=333", 0, 100},
	} {
		for _, card := range []string{e.code(m), e.token(m)} {
			r := e.do("GET", "/api/v1/cards/"+card+c.query, e.bearer(), nil)
			if r.status != 200 || r.num("max_redeemable") != c.maxPts || r.num("balance") != c.balance ||
				r.str("first_name") != "Dana" || r.str("tier") != "Base" ||
				r.str("next_tier") != "Silver" || r.num("to_next_tier") != 1_000_000 {
				t.Errorf("GET card%s: %d %s", c.query, r.status, r.raw)
			}
		}
	}
	// Reading a card changes nothing: the same code then pays.
	code := e.code(m)
	e.do("GET", "/api/v1/cards/"+code+"?amount=10000", e.bearer(), nil)
	if r := e.purchase(body(code, 10000, "R-3")); r.status != 201 {
		t.Errorf("purchase after GET with the same code: %d %s", r.status, r.raw)
	}
	// A t.me link, escaped in the path, is a card too.
	link := "https%3A%2F%2Ft.me%2Fany_bot%3Fstart%3D" + e.token(m)
	if r := e.do("GET", "/api/v1/cards/"+link, e.bearer(), nil); r.status != 200 || r.str("first_name") != "Dana" {
		t.Errorf("GET card by link: %d %s", r.status, r.raw)
	}
	// A genuine signature on a card that does not exist (a database
	// restored from an older backup, say) is a card not found.
	missing := "c_" + e.h.Signer.Token(m.card.ID+1000, e.h.Clock.Now())
	if r := e.do("GET", "/api/v1/cards/"+missing, e.bearer(), nil); r.status != 404 || r.code() != "card_not_found" {
		t.Errorf("GET card by the token of a card that does not exist: %d %s", r.status, r.raw)
	}
}

func TestGetCardAtTopTier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(206, "Oleg")
	r := e.do("GET", "/api/v1/cards/"+e.code(m), e.bearer(), nil)
	if _, ok := r.body["next_tier"]; ok || r.status != 200 {
		t.Errorf("single tier: %d %s", r.status, r.raw)
	}
	if _, ok := r.body["to_next_tier"]; ok {
		t.Errorf("single tier: %s", r.raw)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(207, "Inna")
	p := e.purchase(body(e.code(m), 123450, "R-4"))
	id := p.str("purchase_id")
	if p.status != 201 || p.num("balance") != 137 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	path := "/api/v1/purchases/" + id + "/cancel"
	if r := e.do("POST", path, "Bearer "+e.riverKey, nil); r.status != 404 || r.code() != "purchase_not_found" {
		t.Errorf("cancel with another store's key: %d %s", r.status, r.raw)
	}
	c := e.do("POST", path, e.bearer(), nil)
	if c.status != 200 || c.body["cancelled"] != true || c.num("balance") != 100 || c.str("purchase_id") != id ||
		c.num("points_earned") != 37 {
		t.Fatalf("cancel: %d %s", c.status, c.raw)
	}
	if s := e.state(m); s.balance != 100 || s.ledgerSum != 100 {
		t.Errorf("after cancel: %+v", s)
	}
	before := e.state(m)
	if again := e.do("POST", path, e.bearer(), nil); again.status != 200 || !bytes.Equal(again.raw, c.raw) {
		t.Errorf("second cancel: %d %s\nwant %s", again.status, again.raw, c.raw)
	}
	// A repeat of the cancelled receipt tells the POS it was cancelled.
	if r := e.purchase(body(e.code(m), 123450, "R-4")); r.status != 200 || r.body["cancelled"] != true {
		t.Errorf("repeat of a cancelled receipt: %d %s", r.status, r.raw)
	}
	if after := e.state(m); after != before {
		t.Errorf("second cancel changed data: %+v → %+v", before, after)
	}
	e.h.Settle()
	e.waitText(m, "was cancelled: the points are corrected. Balance: 100.")

	// After 24 hours a purchase stays.
	old := e.purchase(body(e.code(m), 10000, "R-5"))
	e.h.Clock.Advance(25 * time.Hour)
	before = e.state(m)
	if r := e.do("POST", "/api/v1/purchases/"+old.str("purchase_id")+"/cancel", e.bearer(), nil); r.status != 409 ||
		r.code() != "cancel_window_passed" {
		t.Errorf("cancel after 25 h: %d %s", r.status, r.raw)
	}
	if after := e.state(m); after != before {
		t.Errorf("refused cancel changed data: %+v → %+v", before, after)
	}
}

func TestCancelAfterPointsSpent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(208, "Lena")
	p := e.purchase(body(e.code(m), 123450, "R-6")) // +37: balance 137
	// 137 points are the cap of 457.00; the 320.00 paid earn 9, fewer than
	// the 37 the first purchase would take back.
	b := body(e.code(m), 45700, "R-7")
	b["redeem_points"] = 137
	if r := e.purchase(b); r.status != 201 || r.num("points_redeemed") != 137 {
		t.Fatalf("spend all: %d %s", r.status, r.raw)
	}
	before := e.state(m)
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", e.bearer(), nil)
	if r.status != 409 || r.code() != "points_already_spent" {
		t.Errorf("cancel after spending: %d %s", r.status, r.raw)
	}
	if after := e.state(m); after != before {
		t.Errorf("refused cancel changed data: %+v → %+v", before, after)
	}
}

// TestCancelRedeemAfterEarnedPointsSpent: a purchase paid with points
// whose earned points were spent since is cancelled all the same when
// the points it paid, given back, cover them: the card comes out ahead,
// as a full return of it does, and nothing is "spent" to refuse.
func TestCancelRedeemAfterEarnedPointsSpent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(209, "Zoya")
	b := body(e.code(m), 100000, "R-11")
	b["redeem_points"] = 100 // the welcome bonus pays 100.00; 900.00 paid earn 27
	p := e.purchase(b)
	if p.status != 201 || p.num("balance") != 27 {
		t.Fatalf("redeem the welcome bonus: %d %s", p.status, p.raw)
	}
	b = body(e.code(m), 10000, "R-12")
	b["redeem_points"] = 27 // the 27 earned, spent; 73.00 paid earn 2
	if r := e.purchase(b); r.status != 201 || r.num("balance") != 2 {
		t.Fatalf("spend the points earned: %d %s", r.status, r.raw)
	}
	// The cancel gives back 100 and takes back 27: 2 + 100 − 27.
	c := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", e.bearer(), nil)
	if c.status != 200 || c.body["cancelled"] != true || c.num("balance") != 75 {
		t.Fatalf("cancel: %d %s", c.status, c.raw)
	}
	if s := e.state(m); s.balance != 75 || s.ledgerSum != 75 {
		t.Errorf("after cancel: %+v", s)
	}
}

// TestReceiptLookupAndCancel: a POS that keeps only its own receipt ids
// asks what became of a receipt (the purchase as its POST answered, the
// balance as it is now) and voids it by the same id; another store's
// key, an unknown receipt or an id that cannot be one is not found.
func TestReceiptLookupAndCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(208, "Olya")
	p := e.purchase(body(e.code(m), 123450, "R-7"))
	if p.status != 201 {
		t.Fatalf("purchase: %d %s", p.status, p.raw)
	}
	got := e.do("GET", "/api/v1/receipts/R-7", e.bearer(), nil)
	if got.status != 200 || !bytes.Equal(got.raw, p.raw) {
		t.Fatalf("the receipt looked up: %d %s\nwant %s", got.status, got.raw, p.raw)
	}
	for _, c := range []struct{ method, path, auth string }{
		{"GET", "/api/v1/receipts/R-404", e.bearer()},
		{"GET", "/api/v1/receipts/R-7", "Bearer " + e.riverKey},
		{"POST", "/api/v1/receipts/R-404/cancel", e.bearer()},
		{"POST", "/api/v1/receipts/R-7/cancel", "Bearer " + e.riverKey},
		{"GET", "/api/v1/receipts/" + strings.Repeat("x", 65), e.bearer()},
	} {
		if r := e.do(c.method, c.path, c.auth, nil); r.status != 404 || r.code() != "receipt_not_found" {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.raw)
		}
	}
	if r := e.do("GET", "/api/v1/receipts/R-7", "Bearer nope", nil); r.status != 401 {
		t.Errorf("a bad key: %d %s", r.status, r.raw)
	}
	c := e.do("POST", "/api/v1/receipts/R-7/cancel", e.bearer(), nil)
	if c.status != 200 || c.body["cancelled"] != true || c.num("balance") != 100 || c.str("purchase_id") != p.str("purchase_id") {
		t.Fatalf("the void by receipt id: %d %s", c.status, c.raw)
	}
	if again := e.do("POST", "/api/v1/receipts/R-7/cancel", e.bearer(), nil); again.status != 200 || !bytes.Equal(again.raw, c.raw) {
		t.Errorf("the void again: %d %s", again.status, again.raw)
	}
	if after := e.do("GET", "/api/v1/receipts/R-7", e.bearer(), nil); after.status != 200 || after.body["cancelled"] != true ||
		after.num("balance") != 100 {
		t.Errorf("the receipt after the void: %d %s", after.status, after.raw)
	}
	if s := e.state(m); s.balance != 100 || s.ledgerSum != 100 {
		t.Errorf("after the void: %+v", s)
	}
}
