package posapi_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// guesser makes typed codes for a card number whose one-time part is
// anything but the valid ones, so that a guess that "works" can only be a
// bug, not luck.
type guesser struct {
	e   *env
	rng *rand.Rand
}

func newGuesser(e *env) *guesser { return &guesser{e: e, rng: rand.New(rand.NewPCG(8, 8))} }

func (g *guesser) guess(number string) string {
	now, ttl := g.e.h.Clock.Now(), g.e.h.Signer.TTL()
	valid := map[string]bool{g.e.h.Signer.Code(number, now): true, g.e.h.Signer.Code(number, now.Add(-ttl)): true}
	n := len(g.e.h.Signer.Code(number, now)) - len(number)
	for {
		code := number + fmt.Sprintf("%0*d", n, g.rng.IntN(pow10(n)))
		if !valid[code] {
			return domain.FormatCode(code)
		}
	}
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// retryAfter checks a 429 and returns its Retry-After in seconds.
func retryAfter(t *testing.T, r reply) int {
	t.Helper()
	if r.status != 429 || r.code() != "too_many_attempts" || r.message() == "" {
		t.Fatalf("want 429 too_many_attempts, got %d %s", r.status, r.raw)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > 24*3600 {
		t.Fatalf("Retry-After %q, want whole seconds up to a day", r.header.Get("Retry-After"))
	}
	return secs
}

// TestGuessedCodesFindNothing is the attack of issue 8: a thousand typed
// codes for a real customer's card number, each trying to pay with her
// points. None finds the card, 429 comes long before the end, and once
// refused even the right code is refused, so a late lucky guess gains
// nothing. When the window has passed, the customer's code works again.
func TestGuessedCodesFindNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(240, "Zoe")
	before := e.state(m)
	g := newGuesser(e)
	first429 := -1
	for i := range 1000 {
		b := body(g.guess(m.card.Number), 10000, "R-guess-"+strconv.Itoa(i))
		b["redeem_points"] = 30
		r := e.purchase(b)
		switch {
		case r.status == 200 || r.status == 201:
			t.Fatalf("guess %d found the card: %s", i, r.raw)
		case r.status == 429:
			if first429 < 0 {
				first429 = i
				retryAfter(t, r)
			}
		case first429 >= 0:
			t.Fatalf("guess %d after a 429: %d %s, want 429", i, r.status, r.raw)
		case r.status != 404 || r.code() != "card_not_found":
			t.Fatalf("guess %d: %d %s, want 404 card_not_found", i, r.status, r.raw)
		}
	}
	if first429 < 0 || first429 > 50 {
		t.Fatalf("first 429 at guess %d of 1000, want one within the first 50", first429)
	}
	if spec, err := os.ReadFile("openapi.yaml"); err != nil || !strings.Contains(string(spec), "- too_many_attempts\n") {
		t.Errorf("openapi.yaml does not list too_many_attempts (%v)", err)
	}
	if r := e.purchase(body(e.code(m), 10000, "R-real")); r.status != 429 {
		t.Fatalf("the right code while the card is locked: %d %s, want 429", r.status, r.raw)
	}
	if r := e.do("GET", "/api/v1/cards/"+strings.ReplaceAll(e.code(m), " ", ""), e.bearer(), nil); r.status != 429 {
		t.Fatalf("GET with the right code while locked: %d %s, want 429", r.status, r.raw)
	}
	if after := e.state(m); after != before {
		t.Fatalf("guessing changed the card: %+v → %+v", before, after)
	}
	// The QR cannot be guessed: it still works while typed codes are refused.
	if r := e.purchase(body(e.token(m), 10000, "R-qr")); r.status != 201 {
		t.Fatalf("a scanned QR while typed codes are refused: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(24 * time.Hour)
	if r := e.purchase(body(e.code(m), 10000, "R-next-day")); r.status != 201 {
		t.Fatalf("the customer's code after the window: %d %s", r.status, r.raw)
	}
}

// TestCardLimitHoldsAcrossKeys: guesses for one card spread over two
// stores' keys still add up to one limit for the card, while the second
// key can look up other cards.
func TestCardLimitHoldsAcrossKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(241, "Yan")
	other := e.join(242, "Xenia")
	g := newGuesser(e)
	keys := []string{e.key, e.riverKey}
	refusedAt := -1
	for i := 0; i < 100 && refusedAt < 0; i++ {
		r := e.do("GET", "/api/v1/cards/"+g.guess(m.card.Number), "Bearer "+keys[i%2], nil)
		if r.status == 429 {
			refusedAt = i
			continue
		}
		if r.status != 404 {
			t.Fatalf("guess %d: %d %s", i, r.status, r.raw)
		}
	}
	limit := domain.LimitOf(domain.ScopeCard).Max
	if refusedAt != limit {
		t.Fatalf("first 429 at guess %d over two keys, want %d (the card's limit)", refusedAt, limit)
	}
	for _, k := range keys {
		if r := e.do("GET", "/api/v1/cards/"+g.guess(m.card.Number), "Bearer "+k, nil); r.status != 429 {
			t.Errorf("key %s… on the locked card: %d %s", k[:7], r.status, r.raw)
		}
		if r := e.do("GET", "/api/v1/cards/"+strings.ReplaceAll(e.code(other), " ", ""), "Bearer "+k, nil); r.status != 200 {
			t.Errorf("key %s… on another card: %d %s", k[:7], r.status, r.raw)
		}
	}
}

// TestKeyLimitAndOneAlert: a key guessing whole codes (no number known)
// is refused after its limit, its owners hear of it exactly once however
// long it goes on, and another store's key is not affected.
func TestKeyLimitAndOneAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) { b.Owners = []int64{900} })
	owner := e.h.Chat(900, "Olga", "en")
	owner.Send("/start")
	m := e.join(243, "Wanda")
	g := newGuesser(e)
	limit := domain.LimitOf(domain.ScopePOSKey).Max
	for i := range 3 * limit {
		number := strconv.Itoa(30_000_000 + i*7919)
		r := e.do("GET", "/api/v1/cards/"+g.guess(number), e.bearer(), nil)
		if i < limit && r.status != 404 {
			t.Fatalf("guess %d: %d %s, want 404", i, r.status, r.raw)
		}
		if i >= limit {
			if secs := retryAfter(t, r); secs > 15*60 {
				t.Fatalf("Retry-After %d s, want at most the key's 15-minute window", secs)
			}
		}
	}
	if r := e.do("GET", "/api/v1/cards/"+strings.ReplaceAll(e.code(m), " ", ""), "Bearer "+e.riverKey, nil); r.status != 200 {
		t.Fatalf("another store's key: %d %s", r.status, r.raw)
	}
	e.h.Settle()
	want := fmt.Sprintf("%d failed card lookups from POS key %s… at Central in the last 15 minutes", limit, e.key[:7])
	e.waitText(member{chat: owner}, want)
	// Every alert was queued by the request that caused it: once nothing is
	// left to send to the owner, all of them have arrived.
	waitDelivered(t, e.h, 900)
	alerts := 0
	for _, msg := range owner.U.Messages() {
		if strings.Contains(msg.Text, "failed card lookups") {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("%d alerts to the owner, want exactly 1", alerts)
	}
}

// waitDelivered waits until the outbox holds nothing pending for chatID.
func waitDelivered(t *testing.T, h *bottest.Harness, chatID int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var pending int
		err := h.DB.Pool().QueryRow(t.Context(), `SELECT count(*) FROM outbox
			WHERE chat_id = $1 AND sent_at IS NULL AND dropped_at IS NULL`, chatID).Scan(&pending)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages to chat %d still pending", pending, chatID)
		}
	}
}

// TestExpiredAndWrongCodeAnswerAlike: to the API an old code and a wrong
// one are the same answer, byte for byte, so a guesser cannot tell "close"
// from "wrong"; only a signed token may say expired.
func TestExpiredAndWrongCodeAnswerAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(244, "Vlad")
	now, ttl := e.h.Clock.Now(), e.h.Signer.TTL()
	expired := e.h.Signer.Code(m.card.Number, now.Add(-3*ttl))
	wrong := newGuesser(e).guess(m.card.Number)
	a := e.purchase(body(expired, 10000, "R-1"))
	b := e.purchase(body(wrong, 10000, "R-1"))
	if a.status != 404 || a.code() != "card_not_found" || a.status != b.status || !bytes.Equal(a.raw, b.raw) {
		t.Fatalf("expired code: %d %s; wrong code: %d %s; want the same 404", a.status, a.raw, b.status, b.raw)
	}
	ga := e.do("GET", "/api/v1/cards/"+expired, e.bearer(), nil)
	gb := e.do("GET", "/api/v1/cards/"+strings.ReplaceAll(wrong, " ", ""), e.bearer(), nil)
	if ga.status != 404 || ga.status != gb.status || !bytes.Equal(ga.raw, gb.raw) {
		t.Fatalf("GET expired: %d %s; GET wrong: %d %s", ga.status, ga.raw, gb.status, gb.raw)
	}
	if r := e.purchase(body("c_"+e.h.Signer.Token(m.card.ID, now.Add(-2*ttl)), 10000, "R-2")); r.status != 410 || r.code() != "card_expired" {
		t.Fatalf("expired signed token: %d %s, want 410 card_expired", r.status, r.raw)
	}
}

// TestRepeatWithStaleTypedCode: a POS retrying a recorded receipt after
// its typed code went stale learns the outcome, as with a token; the same
// receipt id with another card's number is a failed lookup, not a repeat.
func TestRepeatWithStaleTypedCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(245, "Ugo")
	other := e.join(246, "Tina")
	code := e.code(m)
	first := e.purchase(body(code, 50000, "R-9"))
	if first.status != 201 {
		t.Fatalf("create: %d %s", first.status, first.raw)
	}
	e.h.Clock.Advance(3 * e.h.Signer.TTL())
	if r := e.purchase(body(code, 50000, "R-9")); r.status != 200 || !bytes.Equal(r.raw, first.raw) {
		t.Errorf("repeat with a stale typed code: %d %s", r.status, r.raw)
	}
	stale := e.h.Signer.Code(other.card.Number, e.h.Clock.Now().Add(-3*e.h.Signer.TTL()))
	if r := e.purchase(body(stale, 50000, "R-9")); r.status != 404 {
		t.Errorf("same receipt, another card's stale code: %d %s, want 404", r.status, r.raw)
	}
	if r := e.purchase(body(code, 50000, "R-10")); r.status != 404 || r.code() != "card_not_found" {
		t.Errorf("new receipt with a stale typed code: %d %s", r.status, r.raw)
	}
}
