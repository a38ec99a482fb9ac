package posapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestErrors sends every kind of bad request and checks the answer and
// that nothing changed in the database.
func TestErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(301, "Anna")
	other := e.join(302, "Bob")
	now := e.h.Clock.Now()
	ttl := e.h.Signer.TTL()
	code := e.code(m)
	// A receipt of the river store, to cancel with the central key, and
	// one of central to repeat with another body.
	river := e.do("POST", "/api/v1/purchases", "Bearer "+e.riverKey, body(e.code(other), 10000, "R-river"))
	if r := e.purchase(body(code, 10000, "R-taken")); r.status != 201 || river.status != 201 {
		t.Fatalf("setup: %s %s", r.raw, river.raw)
	}
	forger, _ := domain.NewCardSigner([]byte("another-secret-another-secret"), ttl)

	with := func(f func(b map[string]any)) map[string]any {
		b := body(code, 10000, "R-new")
		f(b)
		return b
	}
	bad := e.bearer()
	cases := []struct {
		name         string
		method, path string
		auth         string // "-": none
		body         any
		status       int
		code         string
		inMessage    string
	}{
		{"no key", "POST", "/api/v1/purchases", "-", body(code, 10000, "R-new"), 401, "unauthorized", "Bearer"},
		{"basic auth", "POST", "/api/v1/purchases", "Basic dXNlcjpwYXNz", body(code, 10000, "R-new"), 401, "unauthorized", ""},
		{"empty bearer", "POST", "/api/v1/purchases", "Bearer ", body(code, 10000, "R-new"), 401, "unauthorized", ""},
		{"unknown key", "POST", "/api/v1/purchases", "Bearer lb_unknown", body(code, 10000, "R-new"), 401, "unauthorized", ""},
		{"unknown key, bad body", "POST", "/api/v1/purchases", "Bearer lb_unknown", "{", 401, "unauthorized", ""},
		{"unknown key, card", "GET", "/api/v1/cards/" + code, "Bearer lb_unknown", nil, 401, "unauthorized", ""},
		{"unknown key, cancel", "POST", "/api/v1/purchases/" + river.str("purchase_id") + "/cancel", "Bearer lb_unknown", nil, 401, "unauthorized", ""},

		{"malformed json", "POST", "/api/v1/purchases", bad, `{"card": `, 400, "invalid_json", "ends too early"},
		{"not json", "POST", "/api/v1/purchases", bad, `card=1`, 400, "invalid_json", "not valid JSON"},
		{"empty body", "POST", "/api/v1/purchases", bad, ``, 400, "invalid_json", "empty"},
		{"array body", "POST", "/api/v1/purchases", bad, `[1]`, 400, "invalid_json", "object"},
		{"decimal amount", "POST", "/api/v1/purchases", bad, `{"card":"` + code + `","amount":1234.5,"currency":"RUB","receipt_id":"R-new"}`, 400, "invalid_json", `"amount" must be a whole number`},
		{"amount as string", "POST", "/api/v1/purchases", bad, `{"card":"` + code + `","amount":"1234","currency":"RUB","receipt_id":"R-new"}`, 400, "invalid_json", `"amount"`},
		{"categories not strings", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["categories"] = []int{1} }), 400, "invalid_json", "categories"},
		{"unknown field", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["discount"] = 5 }), 400, "invalid_json", `"discount"`},
		{"trailing data", "POST", "/api/v1/purchases", bad, `{"card":"` + code + `","amount":10000,"currency":"RUB","receipt_id":"R-new"} {}`, 400, "invalid_json", "after the JSON"},

		{"missing card", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { delete(b, "card") }), 400, "missing_field", `"card"`},
		{"blank card", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = " " }), 400, "missing_field", `"card"`},
		{"missing amount", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { delete(b, "amount") }), 400, "missing_field", `"amount"`},
		{"null amount", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["amount"] = nil }), 400, "missing_field", `"amount"`},
		{"missing currency", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { delete(b, "currency") }), 400, "missing_field", `"currency"`},
		{"missing receipt", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { delete(b, "receipt_id") }), 400, "missing_field", `"receipt_id"`},
		{"empty receipt", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["receipt_id"] = "" }), 400, "missing_field", `"receipt_id"`},

		{"zero amount", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["amount"] = 0 }), 400, "invalid_amount", "from 1 to 100000000"},
		{"negative amount", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["amount"] = -5 }), 400, "invalid_amount", ""},
		{"amount over max", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["amount"] = 100_000_001 }), 400, "invalid_amount", ""},
		{"amount query", "GET", "/api/v1/cards/" + code + "?amount=12.5", bad, nil, 400, "invalid_amount", ""},
		{"other currency", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["currency"] = "USD" }), 400, "invalid_currency", `"RUB"`},
		{"negative points", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["redeem_points"] = -1 }), 400, "invalid_points", ""},
		{"long receipt", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["receipt_id"] = strings.Repeat("R", 65) }), 400, "invalid_field", `"receipt_id"`},
		{"control in receipt", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["receipt_id"] = "R\n1" }), 400, "invalid_field", "unprintable"},
		{"too many categories", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["categories"] = make([]string, 21) }), 400, "invalid_field", "at most 20"},
		{"long category", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["categories"] = []string{strings.Repeat("c", 65)} }), 400, "invalid_field", `"categories[0]"`},

		{"unknown card", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = e.h.Signer.Code("99999999", now) }), 404, "card_not_found", ""},
		{"forged token", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = "c_" + forger.Token(m.card.ID, now) }), 404, "card_not_found", ""},
		{"forged code", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = forger.Code(m.card.Number, now) }), 404, "card_not_found", ""},
		{"unreadable card", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = "hello" }), 404, "card_not_found", ""},
		{"forged card GET", "GET", "/api/v1/cards/c_" + forger.Token(m.card.ID, now), bad, nil, 404, "card_not_found", ""},
		{"expired token", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = "c_" + e.h.Signer.Token(m.card.ID, now.Add(-2*ttl)) }), 410, "card_expired", ""},
		{"expired code", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["card"] = e.h.Signer.Code(m.card.Number, now.Add(-3*ttl)) }), 404, "card_not_found", ""},
		{"expired GET", "GET", "/api/v1/cards/" + e.h.Signer.Token(m.card.ID, now.Add(-2*ttl)), bad, nil, 410, "card_expired", ""},

		{"over balance", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["amount"], b["redeem_points"] = 1_000_000, 1000 }), 422, "insufficient_points", ""},
		{"over cap", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) { b["redeem_points"] = 31 }), 422, "redeem_cap_exceeded", "30 %"},
		{"receipt conflict", "POST", "/api/v1/purchases", bad, body(code, 10001, "R-taken"), 409, "receipt_conflict", ""},
		{"pay by phone", "POST", "/api/v1/purchases", bad, with(func(b map[string]any) {
			delete(b, "card")
			b["phone"], b["redeem_points"] = "+79990000301", 10
		}), 422, "phone_no_redeem", "card"},

		{"unknown purchase", "POST", "/api/v1/purchases/p_aaaaaaaaaaaaaaaa/cancel", bad, nil, 404, "purchase_not_found", ""},
		{"other store's purchase", "POST", "/api/v1/purchases/" + river.str("purchase_id") + "/cancel", bad, nil, 404, "purchase_not_found", ""},

		{"body too large", "POST", "/api/v1/purchases", bad, `{"card":"` + strings.Repeat("1", 70_000) + `"}`, 413, "body_too_large", ""},
		{"GET purchases", "GET", "/api/v1/purchases", bad, nil, 405, "method_not_allowed", "POST"},
		{"DELETE card", "DELETE", "/api/v1/cards/" + code, bad, nil, 405, "method_not_allowed", "GET"},
		{"GET cancel", "GET", "/api/v1/purchases/p_x/cancel", bad, nil, 405, "method_not_allowed", "POST"},
		{"unknown route", "GET", "/api/v2/purchases", bad, nil, 404, "not_found", ""},
		{"trailing slash", "POST", "/api/v1/purchases/", bad, body(code, 10000, "R-new"), 404, "not_found", ""},
	}
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !strings.Contains(string(spec), "- "+c.code+"\n") {
			t.Errorf("openapi.yaml does not list the error code %s", c.code)
		}
		before, otherBefore := e.state(m), e.state(other)
		auth := c.auth
		if auth == "-" {
			auth = ""
		}
		r := e.do(c.method, c.path, auth, c.body)
		if r.status != c.status || r.code() != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.raw, c.status, c.code)
		}
		if !strings.Contains(r.message(), c.inMessage) || r.message() == "" {
			t.Errorf("%s: message %q, want one mentioning %q", c.name, r.message(), c.inMessage)
		}
		if c.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", c.name, r.header.Get("WWW-Authenticate"))
		}
		if c.status == 405 && r.header.Get("Allow") == "" {
			t.Errorf("%s: no Allow header", c.name)
		}
		if after, otherAfter := e.state(m), e.state(other); after != before || otherAfter != otherBefore {
			t.Errorf("%s changed data: %+v → %+v, %+v → %+v", c.name, before, after, otherBefore, otherAfter)
		}
	}
}

// failingStore stands for a database that is down.
type failingStore struct{ domain.Store }

func (failingStore) Update(ctx context.Context, fn func(tx domain.Tx) error) error {
	return errors.New("connect: secret-host:5432 refused")
}

func TestInternalErrorIsLoggedOnceAndNotLeaked(t *testing.T) {
	t.Parallel()
	biz := bottest.Business()
	signer, _ := domain.NewCardSigner(bottest.Secret, time.Minute)
	var logs strings.Builder
	api := posapi.New(posapi.Config{
		Store: failingStore{}, Business: biz, Signer: signer,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/purchases",
		strings.NewReader(`{"card":"12345678123456","amount":100,"currency":"RUB","receipt_id":"R"}`))
	req.Header.Set("Authorization", "Bearer lb_x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.Contains(string(raw), `"code":"internal"`) || strings.Contains(string(raw), "secret-host") {
		t.Errorf("internal error answer: %d %s", resp.StatusCode, raw)
	}
	if n := strings.Count(logs.String(), "secret-host"); n != 1 {
		t.Errorf("internal error logged %d times:\n%s", n, logs.String())
	}
}

// unavailableStore stands for a database that is restarting.
type unavailableStore struct{ domain.Store }

func (unavailableStore) Update(ctx context.Context, fn func(tx domain.Tx) error) error {
	return fmt.Errorf("%w: dial tcp secret-host:5432: connection refused", domain.ErrUnavailable)
}

// TestUnavailableDatabaseIsA503WithRetryAfter: a database away for a
// moment is not an internal error but a 503 that says when to retry,
// without saying where the database is.
func TestUnavailableDatabaseIsA503WithRetryAfter(t *testing.T) {
	t.Parallel()
	signer, _ := domain.NewCardSigner(bottest.Secret, time.Minute)
	var logs strings.Builder
	api := posapi.New(posapi.Config{
		Store: unavailableStore{}, Business: bottest.Business(), Signer: signer,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/purchases",
		strings.NewReader(`{"card":"12345678123456","amount":100,"currency":"RUB","receipt_id":"R"}`))
	req.Header.Set("Authorization", "Bearer lb_x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !strings.Contains(string(raw), `"code":"unavailable"`) || strings.Contains(string(raw), "secret-host") {
		t.Errorf("unavailable answer: %d %s", resp.StatusCode, raw)
	}
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	if n := strings.Count(logs.String(), "secret-host"); n != 1 {
		t.Errorf("logged %d times:\n%s", n, logs.String())
	}
}
