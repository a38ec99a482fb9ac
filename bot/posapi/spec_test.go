package posapi_test

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
)

// specCheck holds answers of the running API to openapi.yaml.
type specCheck struct {
	t    *testing.T
	spec map[string]any
	seen map[string]bool // "METHOD path status code" seen
}

func (s *specCheck) get(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// resolve follows a $ref of the spec.
func (s *specCheck) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for m != nil && m["$ref"] != nil {
		ref := strings.TrimPrefix(fmt.Sprint(m["$ref"]), "#/")
		m, _ = s.get(s.spec, strings.Split(ref, "/")...).(map[string]any)
	}
	return m
}

// check holds one answer, to a request on the spec's path tmpl, to the
// spec: its status listed for the operation, an error's code listed in
// the enum and named in that status's description, a success's body of
// the status's schema.
func (s *specCheck) check(name, method, tmpl string, r reply) {
	s.t.Helper()
	op := s.get(s.spec, "paths", tmpl, strings.ToLower(method))
	if op == nil {
		s.t.Errorf("%s: openapi.yaml has no %s %s", name, method, tmpl)
		return
	}
	status := fmt.Sprint(r.status)
	resp := s.resolve(s.get(op, "responses", status))
	if resp == nil {
		s.t.Errorf("%s: %s %s answers %s %s; openapi.yaml does not list %s for it", name, method, tmpl, status, r.raw, status)
		return
	}
	s.seen[method+" "+tmpl+" "+status+" "+r.code()] = true
	schema := s.resolve(s.get(resp, "content", "application/json", "schema"))
	if r.status >= 400 {
		code := r.code()
		var enum []string
		for _, c := range s.get(s.spec, "components", "schemas", "Error", "properties", "error", "properties", "code", "enum").([]any) {
			enum = append(enum, fmt.Sprint(c))
		}
		if !contains(enum, code) {
			s.t.Errorf("%s: error code %q is not in the spec's enum", name, code)
		}
		if desc := fmt.Sprint(resp["description"]); !strings.Contains(desc, "`"+code+"`") {
			s.t.Errorf("%s: %s %s answers %s %s, but the spec's %s for it does not name %q (%q)",
				name, method, tmpl, status, code, status, code, strings.TrimSpace(desc))
		}
	}
	headers, _ := resp["headers"].(map[string]any)
	for h := range headers {
		if r.header.Get(h) == "" {
			s.t.Errorf("%s: %s answer without the header %s the spec promises", name, status, h)
		}
	}
	if schema == nil {
		s.t.Errorf("%s: no schema for %s %s %s", name, method, tmpl, status)
		return
	}
	s.value(name, "", schema, r.body)
}

// value holds v to schema: its type, its properties known, its required
// ones present.
func (s *specCheck) value(name, at string, schema map[string]any, v any) {
	s.t.Helper()
	schema = s.resolve(schema)
	switch typ := fmt.Sprint(schema["type"]); typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			s.t.Errorf("%s: %s is %T, the spec says an object", name, at, v)
			return
		}
		props, _ := schema["properties"].(map[string]any)
		for _, req := range asList(schema["required"]) {
			if _, ok := m[fmt.Sprint(req)]; !ok {
				s.t.Errorf("%s: %s.%s is required by the spec but absent", name, at, req)
			}
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := props[k].(map[string]any)
			if !ok {
				s.t.Errorf("%s: the answer has %s.%s, the spec's schema does not", name, at, k)
				continue
			}
			s.value(name, at+"."+k, p, m[k])
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			s.t.Errorf("%s: %s is %T, the spec says an array", name, at, v)
			return
		}
		items, _ := schema["items"].(map[string]any)
		for i, it := range l {
			s.value(name, fmt.Sprintf("%s[%d]", at, i), items, it)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			s.t.Errorf("%s: %s is %v, the spec says an integer", name, at, v)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			s.t.Errorf("%s: %s is %v, the spec says a string", name, at, v)
		} else if schema["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				s.t.Errorf("%s: %s is %q, not a date-time", name, at, str)
			}
		}
		if enum := asList(schema["enum"]); enum != nil && !contains(strList(enum), str) {
			s.t.Errorf("%s: %s is %q, not one of %v", name, at, str, enum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			s.t.Errorf("%s: %s is %v, the spec says a boolean", name, at, v)
		}
	default:
		s.t.Errorf("%s: %s: schema type %q", name, at, typ)
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func strList(l []any) []string {
	var out []string
	for _, v := range l {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestAnswersMatchTheSpec drives every endpoint as an integrator who read
// only openapi.yaml would (a purchase paid with points, its returns and
// void, a prize and its cancellation, an offer, a shop event) and sends
// bad input to each, holding every answer to the spec: the status is
// one it lists for that operation, an error's code is one it names for
// that status, a success's body has the fields, types and required
// fields of its schema and no other.
func TestAnswersMatchTheSpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards, func(b *domain.Business) {
		b.Gamification.Stamps = domain.StampsConfig{Enabled: true}
		b.Gamification.Rewards = append(b.Gamification.Rewards,
			domain.RewardItem{ID: "latte", Stamps: 6, Title: map[string]string{"en": "a free latte", "ru": "латте", "uz": "latte"}})
	})
	spec, err := posapi.LoadSpec("openapi.yaml")
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	s := &specCheck{t: t, spec: spec, seen: map[string]bool{}}
	anna := e.join(601, "Anna") // 100 welcome points
	bob := e.join(602, "Bob")
	key := e.bearer()
	do := func(name, method, tmpl, path, auth string, body any) reply {
		t.Helper()
		r := e.do(method, path, auth, body)
		s.check(name, method, tmpl, r)
		return r
	}
	code := e.code(anna)
	big := `{"card":"` + strings.Repeat("1", 70_000) + `"}`
	huge := "100000000000000000000" // 10^20: a whole number, past int64

	// The card before charging, then a purchase paid with points.
	do("card", "GET", "/api/v1/cards/{card}", "/api/v1/cards/"+url.PathEscape(code)+"?amount=100000", key, nil)
	do("card by phone", "GET", "/api/v1/cards/{card}", "/api/v1/cards/"+url.PathEscape("+79990000601"), key, nil)
	p1 := do("purchase", "POST", "/api/v1/purchases", "/api/v1/purchases", key, body(code, 100_000, "R-1"))
	b2 := body(code, 100_000, "R-2")
	b2["redeem_points"], b2["categories"] = 30, []string{"coffee"}
	p2 := do("purchase with points", "POST", "/api/v1/purchases", "/api/v1/purchases", key, b2)
	do("purchase repeat", "POST", "/api/v1/purchases", "/api/v1/purchases", key, b2)
	if p1.status != 201 || p2.status != 201 {
		t.Fatalf("setup: %s %s", p1.raw, p2.raw)
	}
	byPhone := map[string]any{"phone": "+79990000602", "amount": 5000, "currency": "rub", "receipt_id": "R-3"}
	do("purchase by phone", "POST", "/api/v1/purchases", "/api/v1/purchases", key, byPhone)
	do("receipt", "GET", "/api/v1/receipts/{receipt_id}", "/api/v1/receipts/R-2", key, nil)

	// Bad purchases.
	with := func(f func(b map[string]any)) map[string]any {
		b := body(code, 10_000, "R-new")
		f(b)
		return b
	}
	for _, c := range []struct {
		name string
		body any
	}{
		{"receipt conflict", body(code, 10_001, "R-1")},
		{"phone and points", with(func(b map[string]any) { delete(b, "card"); b["phone"], b["redeem_points"] = "+79990000602", 5 })},
		{"unknown phone", with(func(b map[string]any) { delete(b, "card"); b["phone"] = "+79991112233" })},
		{"bad phone", with(func(b map[string]any) { delete(b, "card"); b["phone"] = "12" })},
		{"card and phone", with(func(b map[string]any) { b["phone"] = "+79990000602" })},
		{"other currency", with(func(b map[string]any) { b["currency"] = "USD" })},
		{"negative amount", with(func(b map[string]any) { b["amount"] = -100 })},
		{"huge amount", `{"card":"` + code + `","amount":` + huge + `,"currency":"RUB","receipt_id":"R-new"}`},
		{"amount as string", with(func(b map[string]any) { b["amount"] = "100" })},
		{"negative points", with(func(b map[string]any) { b["redeem_points"] = -1 })},
		{"over the balance", with(func(b map[string]any) { b["amount"], b["redeem_points"] = 1_000_000, 5000 })},
		{"over the cap", with(func(b map[string]any) { b["redeem_points"] = 90 })},
		{"stamps out of range", with(func(b map[string]any) { b["stamps"] = 51 })},
		{"unknown field", with(func(b map[string]any) { b["discount"] = 1 })},
		{"missing currency", with(func(b map[string]any) { delete(b, "currency") })},
		{"unknown card", with(func(b map[string]any) { b["card"] = "1234 5678 123 456" })},
		{"expired token", with(func(b map[string]any) {
			b["card"] = "c_" + e.h.Signer.Token(anna.card.ID, e.h.Clock.Now().Add(-2*e.h.Signer.TTL()))
		})},
		{"too large", big},
		{"no key", nil},
	} {
		auth := key
		if c.body == nil {
			auth, c.body = "", body(code, 10_000, "R-new")
		}
		do(c.name, "POST", "/api/v1/purchases", "/api/v1/purchases", auth, c.body)
	}
	do("card, bad amount", "GET", "/api/v1/cards/{card}", "/api/v1/cards/"+url.PathEscape(code)+"?amount="+huge, key, nil)
	do("card, unknown", "GET", "/api/v1/cards/{card}", "/api/v1/cards/12345678123456", key, nil)
	do("receipt, unknown", "GET", "/api/v1/receipts/{receipt_id}", "/api/v1/receipts/R-none", key, nil)

	// Returns, by purchase id and by receipt id.
	id2 := p2.str("purchase_id")
	rets := "/api/v1/purchases/" + id2 + "/returns"
	ret := map[string]any{"amount": 25_000, "return_id": "RET-1"}
	do("return", "POST", "/api/v1/purchases/{purchase_id}/returns", rets, key, ret)
	do("return repeat", "POST", "/api/v1/purchases/{purchase_id}/returns", rets, key, ret)
	for _, c := range []struct {
		name string
		body any
	}{
		{"return conflict", map[string]any{"amount": 1000, "return_id": "RET-1"}},
		{"return too much", map[string]any{"amount": 100_000, "return_id": "RET-X"}},
		{"return negative", map[string]any{"amount": -1, "return_id": "RET-X"}},
		{"return huge", `{"amount":` + huge + `,"return_id":"RET-X"}`},
		{"return no id", map[string]any{"amount": 1}},
		{"return unknown field", map[string]any{"amount": 1, "return_id": "RET-X", "reason": "x"}},
		{"return too large", big},
	} {
		do(c.name, "POST", "/api/v1/purchases/{purchase_id}/returns", rets, key, c.body)
		do(c.name+" by receipt", "POST", "/api/v1/receipts/{receipt_id}/returns", "/api/v1/receipts/R-2/returns", key, c.body)
	}
	do("return by receipt", "POST", "/api/v1/receipts/{receipt_id}/returns", "/api/v1/receipts/R-2/returns", key,
		map[string]any{"amount": 10_000, "return_id": "RET-2"})
	do("return, unknown purchase", "POST", "/api/v1/purchases/{purchase_id}/returns", "/api/v1/purchases/p_nosuchpurchase/returns", key, ret)
	do("return, unknown receipt", "POST", "/api/v1/receipts/{receipt_id}/returns", "/api/v1/receipts/R-none/returns", key, ret)

	// Voids.
	do("void", "POST", "/api/v1/receipts/{receipt_id}/cancel", "/api/v1/receipts/R-1/cancel", key, nil)
	do("void again", "POST", "/api/v1/purchases/{purchase_id}/cancel", "/api/v1/purchases/"+p1.str("purchase_id")+"/cancel", key, nil)
	do("return of a void", "POST", "/api/v1/receipts/{receipt_id}/returns", "/api/v1/receipts/R-1/returns", key,
		map[string]any{"amount": 1000, "return_id": "RET-3"})
	do("cancel, unknown", "POST", "/api/v1/purchases/{purchase_id}/cancel", "/api/v1/purchases/p_nosuchpurchase/cancel", key, nil)
	do("void, unknown", "POST", "/api/v1/receipts/{receipt_id}/cancel", "/api/v1/receipts/R-none/cancel", key, nil)

	// A prize.
	e.purchase(body(e.code(anna), 500_000, "R-4"))
	give := map[string]any{"card": e.code(anna), "reward": "coffee", "prize_id": "G-1"}
	g := do("prize", "POST", "/api/v1/prizes", "/api/v1/prizes", key, give)
	do("prize repeat", "POST", "/api/v1/prizes", "/api/v1/prizes", key, give)
	for _, c := range []struct {
		name string
		body any
	}{
		{"prize conflict", map[string]any{"card": e.code(bob), "reward": "coffee", "prize_id": "G-1"}},
		{"prize unknown reward", map[string]any{"card": e.code(anna), "reward": "tea", "prize_id": "G-2"}},
		{"prize too dear", map[string]any{"card": e.code(bob), "reward": "beans", "prize_id": "G-2"}},
		{"prize by phone", map[string]any{"card": "+79990000601", "reward": "coffee", "prize_id": "G-2"}},
		{"prize unknown card", map[string]any{"card": "1234 5678 123 456", "reward": "coffee", "prize_id": "G-2"}},
		{"prize no reward", map[string]any{"card": e.code(anna), "prize_id": "G-2"}},
		{"prize too large", big},
	} {
		do(c.name, "POST", "/api/v1/prizes", "/api/v1/prizes", key, c.body)
	}
	do("prize cancel", "POST", "/api/v1/prizes/{prize_id}/cancel", "/api/v1/prizes/"+g.str("prize_id")+"/cancel", key, nil)
	do("prize cancel, unknown", "POST", "/api/v1/prizes/{prize_id}/cancel", "/api/v1/prizes/gnosuchprize/cancel", key, nil)

	// Offers.
	do("offer, none", "POST", "/api/v1/offers/{offer_id}/use", "/api/v1/offers/42/use", key, map[string]any{"card": e.code(anna)})
	do("offer, no card", "POST", "/api/v1/offers/{offer_id}/use", "/api/v1/offers/42/use", key, map[string]any{})
	do("offer, too large", "POST", "/api/v1/offers/{offer_id}/use", "/api/v1/offers/42/use", key, big)

	// A shop event.
	ev := map[string]any{"customer": map[string]any{"phone": "+79990000601"}, "type": "cart_abandoned", "event_id": "E-1",
		"items": []map[string]any{{"sku": "B-10", "name": "Bucket", "category": "household", "price": 49900, "quantity": 1}}}
	do("event", "POST", "/api/v1/events", "/api/v1/events", key, ev)
	do("event repeat", "POST", "/api/v1/events", "/api/v1/events", key, ev)
	for _, c := range []struct {
		name string
		body any
	}{
		{"event conflict", map[string]any{"customer": map[string]any{"telegram_id": 601}, "type": "order_placed", "event_id": "E-1"}},
		{"event unknown customer", map[string]any{"customer": map[string]any{"telegram_id": 999}, "type": "order_placed", "event_id": "E-2"}},
		{"event mismatch", map[string]any{"customer": map[string]any{"telegram_id": 601, "phone": "+79990000602"}, "type": "order_placed", "event_id": "E-2"}},
		{"event bad type", map[string]any{"customer": map[string]any{"telegram_id": 601}, "type": "refund", "event_id": "E-2"}},
		{"event negative price", map[string]any{"customer": map[string]any{"telegram_id": 601}, "type": "order_placed", "event_id": "E-2",
			"items": []map[string]any{{"name": "Bucket", "price": -1}}}},
		{"event too large", big},
	} {
		do(c.name, "POST", "/api/v1/events", "/api/v1/events", key, c.body)
	}

	// Every path: no key, a method it does not take.
	for tmpl, path := range map[string]string{
		"/api/v1/purchases":                       "/api/v1/purchases",
		"/api/v1/cards/{card}":                    "/api/v1/cards/" + url.PathEscape(code),
		"/api/v1/purchases/{purchase_id}/cancel":  "/api/v1/purchases/" + id2 + "/cancel",
		"/api/v1/purchases/{purchase_id}/returns": "/api/v1/purchases/" + id2 + "/returns",
		"/api/v1/receipts/{receipt_id}/returns":   "/api/v1/receipts/R-2/returns",
		"/api/v1/receipts/{receipt_id}":           "/api/v1/receipts/R-2",
		"/api/v1/receipts/{receipt_id}/cancel":    "/api/v1/receipts/R-2/cancel",
		"/api/v1/prizes":                          "/api/v1/prizes",
		"/api/v1/prizes/{prize_id}/cancel":        "/api/v1/prizes/" + g.str("prize_id") + "/cancel",
		"/api/v1/offers/{offer_id}/use":           "/api/v1/offers/42/use",
		"/api/v1/events":                          "/api/v1/events",
	} {
		for method := range s.get(spec, "paths", tmpl).(map[string]any) {
			m := strings.ToUpper(method)
			do("no key", m, tmpl, path, "", nil)
			other := "DELETE"
			r := e.do(other, path, key, nil)
			if r.status != 405 {
				t.Errorf("%s %s: %d, want 405", other, path, r.status)
			}
			s.check("DELETE", m, tmpl, r) // the 405 is listed under the path's operation
		}
	}

	// A day later the window is past.
	e.h.Clock.Advance(25 * time.Hour)
	do("cancel too late", "POST", "/api/v1/purchases/{purchase_id}/cancel", rets[:len(rets)-len("/returns")]+"/cancel", key, nil)
	g2 := e.do("POST", "/api/v1/prizes", key, map[string]any{"card": e.code(anna), "reward": "coffee", "prize_id": "G-3"})
	if g2.status != 201 {
		t.Fatalf("second prize: %s", g2.raw)
	}
	e.h.Clock.Advance(25 * time.Hour)
	do("prize cancel too late", "POST", "/api/v1/prizes/{prize_id}/cancel", "/api/v1/prizes/"+g2.str("prize_id")+"/cancel", key, nil)
}

// TestHugeAmountIsInvalidAmount: an amount past any receipt is
// invalid_amount whether it fits in 64 bits or not, as the spec says of
// an amount over the largest receipt; a number past 64 bits elsewhere is
// invalid_json that says it is out of range, not that it is no whole
// number.
func TestHugeAmountIsInvalidAmount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(611, "Anna")
	code := e.code(anna)
	before := e.state(anna)
	for _, c := range []struct {
		name, path, body, code, inMessage string
	}{
		{"purchase, past int64", "/api/v1/purchases",
			`{"card":"` + code + `","amount":100000000000000000000,"currency":"RUB","receipt_id":"R-1"}`, "invalid_amount", "from 1 to 100000000"},
		{"purchase, past the largest receipt", "/api/v1/purchases",
			`{"card":"` + code + `","amount":100000001,"currency":"RUB","receipt_id":"R-1"}`, "invalid_amount", "from 1 to 100000000"},
		{"return, past int64", "/api/v1/purchases/p_nosuchpurchase/returns",
			`{"amount":100000000000000000000,"return_id":"RET-1"}`, "invalid_amount", "from 1 to 100000000"},
		{"points, past int64", "/api/v1/purchases",
			`{"card":"` + code + `","amount":1000,"currency":"RUB","receipt_id":"R-1","redeem_points":99999999999999999999}`, "invalid_json", "out of range"},
		{"a decimal amount", "/api/v1/purchases",
			`{"card":"` + code + `","amount":1234.5,"currency":"RUB","receipt_id":"R-1"}`, "invalid_json", "must be a whole number"},
	} {
		r := e.do("POST", c.path, e.bearer(), c.body)
		if r.status != 400 || r.code() != c.code || !strings.Contains(r.message(), c.inMessage) {
			t.Errorf("%s: %d %s, want 400 %s mentioning %q", c.name, r.status, r.raw, c.code, c.inMessage)
		}
	}
	if after := e.state(anna); after != before {
		t.Errorf("refused requests changed data: %+v → %+v", before, after)
	}
}
