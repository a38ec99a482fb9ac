package posapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// event is a cart_abandoned body naming the customer by cust.
func event(id string, cust map[string]any) map[string]any {
	return map[string]any{"customer": cust, "type": "cart_abandoned", "event_id": id,
		"items": []map[string]any{{"sku": "B-10", "name": "Bucket", "category": "household", "price": 49900, "quantity": 1}}}
}

// postEvent posts an event with the central key.
func (e *env) postEvent(body any) reply {
	e.t.Helper()
	return e.do("POST", "/api/v1/events", e.bearer(), body)
}

// phoneOf is the phone a member shared when joining (see join).
func phoneOf(m member) string { return m.cust.Phone }

// TestEventEachIdentifierAndRepeats: a member is found by a card code, a
// c_ token, a phone in another spelling and a Telegram id (alone or
// together); a repeat answers 200 with the first body, even once its card
// code and time have gone stale; the same id with another body is
// event_conflict; another store's same id is another event.
func TestEventEachIdentifierAndRepeats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(501, "Anna")
	digits := strings.TrimPrefix(phoneOf(anna), "+7")
	bodies := map[string]map[string]any{
		"card code": event("evt-code", map[string]any{"card": e.code(anna)}),
		"token":     event("evt-token", map[string]any{"card": e.token(anna)}),
		"phone":     event("evt-phone", map[string]any{"phone": "8 (" + digits[:3] + ") " + digits[3:]}),
		"telegram":  event("evt-tg", map[string]any{"telegram_id": 501}),
		"all three": event("evt-all", map[string]any{"card": e.code(anna), "phone": phoneOf(anna), "telegram_id": 501}),
	}
	first := map[string]reply{}
	for name, b := range bodies {
		r := e.postEvent(b)
		if r.status != 201 || r.str("type") != "cart_abandoned" || r.str("occurred_at") != "2026-11-22T12:00:00Z" {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
		first[name] = r
	}
	if n := e.count(`SELECT count(*) FROM shop_events WHERE customer_id = $1 AND type = 'cart_abandoned'
		AND items @> '[{"name": "Bucket", "price": 49900, "quantity": 1}]'`, anna.cust.ID); n != len(bodies) {
		t.Fatalf("%d events stored for Anna with their items, want %d", n, len(bodies))
	}
	// Eight days later the code and the time have gone stale: a repeat
	// is still recognised.
	e.h.Clock.Advance(8 * 24 * time.Hour)
	for name, b := range bodies {
		if r := e.postEvent(b); r.status != 200 || !bytes.Equal(r.raw, first[name].raw) {
			t.Errorf("repeat by %s: %d %s, want 200 %s", name, r.status, r.raw, first[name].raw)
		}
	}
	at := event("evt-at", map[string]any{"telegram_id": 501})
	at["occurred_at"] = "2026-11-30T14:30:00+03:00"
	if r := e.postEvent(at); r.status != 201 || r.str("occurred_at") != "2026-11-30T11:30:00Z" {
		t.Errorf("with occurred_at: %d %s", r.status, r.raw)
	}
	other := event("evt-tg", map[string]any{"telegram_id": 501})
	other["type"] = "order_placed"
	if r := e.postEvent(other); r.status != 409 || r.code() != "event_conflict" {
		t.Errorf("same id, other type: %d %s", r.status, r.raw)
	}
	more := event("evt-tg", map[string]any{"telegram_id": 501})
	more["items"] = []map[string]any{{"name": "Bucket", "price": 49900, "quantity": 2}}
	if r := e.postEvent(more); r.status != 409 || r.code() != "event_conflict" {
		t.Errorf("same id, other items: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/api/v1/events", "Bearer "+e.riverKey, bodies["telegram"]); r.status != 201 {
		t.Errorf("same id at another store: %d %s", r.status, r.raw)
	}
	// Concurrent first sends of one event record it once.
	rs := e.parallel(6, func(int) reply { return e.postEvent(event("evt-race", map[string]any{"telegram_id": 501})) })
	created := 0
	for _, r := range rs {
		switch r.status {
		case 201:
			created++
		case 200:
		default:
			t.Errorf("concurrent send: %d %s", r.status, r.raw)
		}
	}
	if created != 1 || e.count(`SELECT count(*) FROM shop_events WHERE event_id = 'evt-race'`) != 1 {
		t.Errorf("%d of 6 concurrent sends created the event", created)
	}
}

// TestEventErrors sends every kind of bad event and checks the answer
// and that nothing was stored.
func TestEventErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(511, "Anna")
	e.join(512, "Bob")
	e.h.Chat(513, "Vera", "en").Send("/start") // not a member
	if r := e.postEvent(event("evt-taken", map[string]any{"telegram_id": 511})); r.status != 201 {
		t.Fatalf("setup: %s", r.raw)
	}
	tg := map[string]any{"telegram_id": 511}
	with := func(f func(b map[string]any)) map[string]any {
		b := event("evt-new", map[string]any{"telegram_id": 511})
		f(b)
		return b
	}
	item := func(f func(it map[string]any)) map[string]any {
		return with(func(b map[string]any) {
			it := map[string]any{"name": "Bucket", "price": 100, "quantity": 1}
			f(it)
			b["items"] = []map[string]any{it}
		})
	}
	now := e.h.Clock.Now()
	bad := e.bearer()
	cases := []struct {
		name      string
		method    string
		auth      string // "-": none
		body      any
		status    int
		code      string
		inMessage string
	}{
		{"no key", "POST", "-", event("evt-new", tg), 401, "unauthorized", "Bearer"},
		{"unknown key", "POST", "Bearer lb_unknown", event("evt-new", tg), 401, "unauthorized", ""},
		{"unknown key, bad body", "POST", "Bearer lb_unknown", "{", 401, "unauthorized", ""},
		{"unknown key, bad type", "POST", "Bearer lb_unknown", with(func(b map[string]any) { b["type"] = "x" }), 401, "unauthorized", ""},

		{"malformed json", "POST", bad, `{"type": `, 400, "invalid_json", "ends too early"},
		{"empty body", "POST", bad, ``, 400, "invalid_json", "cart_abandoned"},
		{"unknown field", "POST", bad, with(func(b map[string]any) { b["store"] = "x" }), 400, "invalid_json", `"store"`},
		{"unknown customer field", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"email": "a@b.c"} }), 400, "invalid_json", `"email"`},
		{"customer not an object", "POST", bad, with(func(b map[string]any) { b["customer"] = "511" }), 400, "invalid_json", "an object"},
		{"telegram id as string", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"telegram_id": "511"} }), 400, "invalid_json", "telegram_id"},
		{"decimal price", "POST", bad, item(func(it map[string]any) { it["price"] = 499.5 }), 400, "invalid_json", "whole number"},

		{"missing event id", "POST", bad, with(func(b map[string]any) { delete(b, "event_id") }), 400, "missing_field", `"event_id"`},
		{"missing type", "POST", bad, with(func(b map[string]any) { delete(b, "type") }), 400, "missing_field", `"type"`},
		{"missing customer", "POST", bad, with(func(b map[string]any) { delete(b, "customer") }), 400, "missing_field", `"customer"`},
		{"customer names nobody", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"card": " "} }), 400, "missing_field", "card, phone or telegram_id"},
		{"item without name", "POST", bad, item(func(it map[string]any) { delete(it, "name") }), 400, "missing_field", "items[0]"},

		{"bad type", "POST", bad, with(func(b map[string]any) { b["type"] = "cart_lost" }), 400, "invalid_field", "cart_abandoned"},
		{"bad telegram id", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"telegram_id": -5} }), 400, "invalid_field", "positive"},
		{"bad phone", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"phone": "call me"} }), 400, "invalid_field", "customer.phone"},
		{"long event id", "POST", bad, with(func(b map[string]any) { b["event_id"] = strings.Repeat("e", 65) }), 400, "invalid_field", `"event_id"`},
		{"control in event id", "POST", bad, with(func(b map[string]any) { b["event_id"] = "e\n1" }), 400, "invalid_field", "unprintable"},
		{"too many items", "POST", bad, with(func(b map[string]any) {
			b["items"] = make([]map[string]any, 101)
			for i := range 101 {
				b["items"].([]map[string]any)[i] = map[string]any{"name": "x"}
			}
		}), 400, "invalid_field", "at most 100"},
		{"long name", "POST", bad, item(func(it map[string]any) { it["name"] = strings.Repeat("n", 201) }), 400, "invalid_field", "items[0].name"},
		{"negative price", "POST", bad, item(func(it map[string]any) { it["price"] = -1 }), 400, "invalid_field", "items[0].price"},
		{"zero quantity", "POST", bad, item(func(it map[string]any) { it["quantity"] = 0 }), 400, "invalid_field", "items[0].quantity"},
		{"bad time", "POST", bad, with(func(b map[string]any) { b["occurred_at"] = "yesterday" }), 400, "invalid_field", "RFC 3339"},
		{"future time", "POST", bad, with(func(b map[string]any) { b["occurred_at"] = now.Add(2 * time.Minute).Format(time.RFC3339) }), 400, "invalid_field", "future"},
		{"old time", "POST", bad, with(func(b map[string]any) { b["occurred_at"] = now.Add(-8 * 24 * time.Hour).Format(time.RFC3339) }), 400, "invalid_field", "7 days"},

		{"unknown phone", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"phone": "+79990009999"} }), 404, "customer_not_found", ""},
		{"unknown telegram id", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"telegram_id": 999} }), 404, "customer_not_found", ""},
		{"not a member", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"telegram_id": 513} }), 404, "customer_not_found", ""},
		{"unknown card", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"card": e.h.Signer.Code("99999999", now)} }), 404, "card_not_found", ""},
		{"expired token", "POST", bad, with(func(b map[string]any) {
			b["customer"] = map[string]any{"card": "c_" + e.h.Signer.Token(anna.card.ID, now.Add(-2*e.h.Signer.TTL()))}
		}), 410, "card_expired", ""},
		{"two members", "POST", bad, with(func(b map[string]any) { b["customer"] = map[string]any{"telegram_id": 511, "phone": "+79990000512"} }), 422, "customer_mismatch", ""},
		{"id taken, other body", "POST", bad, with(func(b map[string]any) { b["event_id"] = "evt-taken"; b["type"] = "product_viewed" }), 409, "event_conflict", ""},

		{"body too large", "POST", bad, `{"event_id":"` + strings.Repeat("1", 70_000) + `"}`, 413, "body_too_large", ""},
		{"GET events", "GET", bad, nil, 405, "method_not_allowed", "POST"},
	}
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !strings.Contains(string(spec), "- "+c.code+"\n") {
			t.Errorf("openapi.yaml does not list the error code %s", c.code)
		}
		auth := c.auth
		if auth == "-" {
			auth = ""
		}
		r := e.do(c.method, "/api/v1/events", auth, c.body)
		if r.status != c.status || r.code() != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.raw, c.status, c.code)
		}
		if !strings.Contains(r.message(), c.inMessage) || r.message() == "" {
			t.Errorf("%s: message %q, want one mentioning %q", c.name, r.message(), c.inMessage)
		}
		if n := e.count(`SELECT count(*) FROM shop_events`); n != 1 {
			t.Fatalf("%s: %d events stored, want only the setup's", c.name, n)
		}
	}
	// A minute of clock skew is taken as now.
	ahead := with(func(b map[string]any) { b["occurred_at"] = now.Add(30 * time.Second).Format(time.RFC3339) })
	if r := e.postEvent(ahead); r.status != 201 || r.str("occurred_at") != now.UTC().Format(time.RFC3339) {
		t.Errorf("30 s ahead: %d %s", r.status, r.raw)
	}
}

// TestShopEventsInExportAndErasure: a member's data export lists what the
// online shop told about them; once they erase their data no trace is
// left of what they viewed or left in a cart, and they are not found.
func TestShopEventsInExportAndErasure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(521, "Anna")
	if r := e.postEvent(event("evt-1", map[string]any{"telegram_id": 521})); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	anna.chat.Send("/privacy").Tap("📦 Download my data")
	doc := anna.chat.Last().Document
	if doc == nil {
		t.Fatalf("no export:\n%s", anna.chat.Transcript())
	}
	var export struct {
		Events []struct {
			Store, Type string
			At          time.Time
			Items       []domain.ShopItem
		} `json:"online_shop_events"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Events) != 1 || export.Events[0].Type != "cart_abandoned" || export.Events[0].Store != "Central" ||
		!export.Events[0].At.Equal(e.h.Clock.Now()) || domain.ItemNames(export.Events[0].Items) != "Bucket" {
		t.Fatalf("export lacks the event: %s", doc.Data)
	}
	err := e.h.DB.Update(t.Context(), func(tx domain.Tx) error {
		return tx.EraseCustomer(t.Context(), anna.cust.ID, domain.Erasure{At: e.h.Clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM shop_events`); n != 0 {
		t.Errorf("%d shop events left after erasure", n)
	}
	if r := e.postEvent(event("evt-2", map[string]any{"card": e.code(anna)})); r.status != 404 || r.code() != "customer_not_found" {
		t.Errorf("an erased member's card: %d %s", r.status, r.raw)
	}
}
