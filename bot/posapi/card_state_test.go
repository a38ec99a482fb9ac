package posapi_test

import (
	"context"
	"testing"
	"time"
)

// joinTyped onboards a member who types their phone: the welcome bonus
// is held for their first purchase.
func (e *env) joinTyped(id int64, name string) member {
	e.t.Helper()
	c := e.h.Chat(id, name, "en")
	c.Send("/start").Tap("✅ I agree").Send("8 (999) 555-12-34").Send(name).Tap("No, thanks")
	return e.memberOf(c, id)
}

// TestConcurrentFirstPurchasesAnswerTheLedger: two receipts of one card
// that arrive together (two tills, or a till and the chat), when a
// welcome bonus is held for the first purchase: the bonus is credited
// once, and each answer's balance is one the ledger had.
func TestConcurrentFirstPurchasesAnswerTheLedger(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.joinTyped(311, "Robert")
	ctx := context.Background()
	pool := e.h.DB.Pool()
	var held int64
	if err := pool.QueryRow(ctx, `SELECT points FROM held_welcome WHERE card_id = $1`, m.card.ID).Scan(&held); err != nil || held == 0 {
		t.Fatalf("no held welcome bonus: %v", err)
	}
	// Something else holds the card for a moment (another checkout):
	// both receipts queue behind it.
	hold, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`, m.card.ID); err != nil {
		t.Fatal(err)
	}
	tok := e.token(m)
	replies := make(chan reply, 2)
	for _, rid := range []string{"R-1", "R-2"} {
		go func() { replies <- e.purchase(body(tok, 10000, rid)) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for the card, want 2", waiting)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var balances []int64
	for range 2 {
		r := <-replies
		if r.status != 201 {
			t.Fatalf("purchase: %d %s", r.status, r.raw)
		}
		balances = append(balances, r.num("balance"))
	}
	s := e.state(m)
	var welcomes int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ledger WHERE card_id = $1 AND kind = 'welcome'`, m.card.ID).Scan(&welcomes); err != nil {
		t.Fatal(err)
	}
	if welcomes != 1 {
		t.Errorf("%d welcome bonus rows, want 1", welcomes)
	}
	if s.balance != s.ledgerSum || max(balances[0], balances[1]) != s.balance {
		t.Errorf("answers say balances %v; the card has %d (ledger %d)", balances, s.balance, s.ledgerSum)
	}
}

// TestCardReadAgreesWithPurchaseAfterBonusExpired: the welcome bonus
// has expired (the nightly job has not run yet): the card's answer must
// not offer points the purchase then refuses.
func TestCardReadAgreesWithPurchaseAfterBonusExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(321, "Olga")
	e.h.Clock.Advance(30*24*time.Hour + 10*time.Hour) // the welcome bonus, valid through 22.12 in Moscow, expired an hour ago
	code := e.code(m)
	g := e.do("GET", "/api/v1/cards/"+code+"?amount=100000", e.bearer(), nil)
	if g.status != 200 {
		t.Fatalf("GET: %d %s", g.status, g.raw)
	}
	if g.num("balance") != 0 || g.num("max_redeemable") != 0 {
		t.Fatalf("GET after the welcome bonus expired: %s", g.raw)
	}
	if s := e.state(m); s.balance != 0 || s.balance != s.ledgerSum {
		t.Fatalf("the card after the read: balance %d, ledger %d", s.balance, s.ledgerSum)
	}
	if r := e.purchase(body(code, 100000, "R-1")); r.status != 201 || r.num("points_redeemed") != 0 {
		t.Fatalf("the purchase after it: %d %s", r.status, r.raw)
	}
}

// TestStaleTokenOfAnotherCardIsNoRepeat: a receipt id recorded for one
// card, sent again with another card's expired c_ token, is not a repeat
// of the first purchase: the POS must not hear 200 (with the other
// customer's name and balance) as if the purchase of this card were
// recorded.
func TestStaleTokenOfAnotherCardIsNoRepeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(301, "Anna")
	bob := e.join(302, "Bob")
	bobTok := e.token(bob)
	if r := e.purchase(body(e.code(anna), 50000, "R-1")); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(3 * e.h.Signer.TTL())
	r := e.purchase(body(bobTok, 50000, "R-1"))
	if r.status != 409 || r.code() != "receipt_conflict" {
		t.Fatalf("Bob's expired token on Anna's receipt: %d %s", r.status, r.raw)
	}
	if s := e.state(bob); s.balance != 100 {
		t.Fatalf("Bob's card after: %+v", s)
	}
}

// TestStaleTokenOfAnotherCardIsNoPrizeRepeat: the same for a prize_id
// given on one card and sent again with another card's expired token.
func TestStaleTokenOfAnotherCardIsNoPrizeRepeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards)
	anna := e.join(311, "Anna")
	bob := e.join(312, "Bob")
	bobTok := e.token(bob)
	if r := e.purchase(body(e.code(anna), 100_000, "R-1")); r.status != 201 {
		t.Fatalf("purchase: %d %s", r.status, r.raw)
	}
	give := map[string]any{"card": e.code(anna), "reward": "coffee", "prize_id": "G-1"}
	if r := e.do("POST", "/api/v1/prizes", e.bearer(), give); r.status != 201 {
		t.Fatalf("prize: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(3 * e.h.Signer.TTL())
	give["card"] = bobTok
	if r := e.do("POST", "/api/v1/prizes", e.bearer(), give); r.status != 409 || r.code() != "prize_conflict" {
		t.Fatalf("Bob's expired token on Anna's prize: %d %s", r.status, r.raw)
	}
}

// TestHeldWelcomePaysTheFirstReceipt: a member who typed their phone has
// the welcome bonus held for the first purchase; the till is offered it
// (max_redeemable) and the receipt can pay with it, as in the chat.
func TestHeldWelcomePaysTheFirstReceipt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.joinTyped(331, "Vera")
	code := e.code(m)
	g := e.do("GET", "/api/v1/cards/"+code+"?amount=100000", e.bearer(), nil)
	if g.status != 200 || g.num("balance") != 0 || g.num("max_redeemable") != 100 {
		t.Fatalf("GET with the welcome bonus held: %d %s", g.status, g.raw)
	}
	b := body(code, 100000, "R-1")
	b["redeem_points"] = 100
	r := e.purchase(b)
	if r.status != 201 || r.num("points_redeemed") != 100 {
		t.Fatalf("the first receipt paying the held bonus: %d %s", r.status, r.raw)
	}
	if s := e.state(m); s.balance != r.num("balance") || s.balance != s.ledgerSum {
		t.Fatalf("the card after: balance %d, ledger %d; the answer said %d", s.balance, s.ledgerSum, r.num("balance"))
	}
}

// TestHeldWelcomeIsNamedOnTheCard: with the welcome bonus held for the
// first purchase the card reads balance 0 but max_redeemable 100; the
// answer must say why (welcome_held), or the till shows points paying
// for a receipt out of an empty balance. Once the purchase credited it,
// nothing is held.
func TestHeldWelcomeIsNamedOnTheCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.joinTyped(332, "Vera")
	code := e.code(m)
	g := e.do("GET", "/api/v1/cards/"+code+"?amount=100000", e.bearer(), nil)
	if g.status != 200 || g.num("balance") != 0 || g.num("max_redeemable") != 100 || g.num("welcome_held") != 100 {
		t.Fatalf("GET with the welcome bonus held: %d %s; want welcome_held 100 beside balance 0", g.status, g.raw)
	}
	if r := e.purchase(body(code, 100000, "R-1")); r.status != 201 {
		t.Fatalf("the first receipt: %d %s", r.status, r.raw)
	}
	g = e.do("GET", "/api/v1/cards/"+e.code(m)+"?amount=100000", e.bearer(), nil)
	if g.status != 200 || g.num("balance") != 130 || g.body["welcome_held"] != nil {
		t.Fatalf("GET after the first purchase credited the bonus: %d %s", g.status, g.raw)
	}
}
