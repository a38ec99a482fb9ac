package posapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOfferOfAnErasedCustomerAtThePOS: a customer with an open discount
// deletes their data; the POS, given their old card code, hears what the
// card's answer says (card_not_found: the card is closed), and the offer
// is not marked used.
func TestOfferOfAnErasedCustomerAtThePOS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "tea", Kind: domain.NudgeReplenish, Priority: 55,
			Marketing: true, Window: 3, AttributionDays: 7, Cycles: map[string]int{"tea": 10}, LeadDays: 2,
			Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Category: "tea", Percent: 15, Days: 7}}})
	})
	anna := e.join(335, "Anna")
	var id int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome,
		due_at, send_at, attribute_until, offer) VALUES ('tea', $1, 'x', true, 'sent', $2, $2, $2, 'discount') RETURNING id`,
		anna.cust.ID, e.h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	code := e.code(anna)
	anna.chat.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if card := e.do("GET", "/api/v1/cards/"+code, e.bearer(), nil); card.status != 404 || card.code() != "card_not_found" {
		t.Fatalf("the erased customer's card: %d %s", card.status, card.raw)
	}
	r := e.do("POST", fmt.Sprintf("/api/v1/offers/%d/use", id), e.bearer(), map[string]any{"card": code})
	if r.status != 404 || r.code() != "card_not_found" {
		t.Errorf("the erased customer's offer: %d %s", r.status, r.raw)
	}
	var used bool
	if err := e.h.DB.Pool().QueryRow(t.Context(), `SELECT offer_used_at IS NOT NULL FROM nudges WHERE id = $1`, id).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if used {
		t.Error("an erased customer's offer is marked used")
	}
}

// TestOfferExpiresIsTheEndOfItsDay: a 7-day discount sent at 10:00 is
// "until" the seventh day, good through it in the store's zone (Moscow):
// the card's answer gives that end as its expires, the offer is still
// listed and used a minute before it, and a minute after it is neither.
func TestOfferExpiresIsTheEndOfItsDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "tea", Kind: domain.NudgeReplenish, Priority: 55,
			Marketing: true, Window: 3, AttributionDays: 7, Cycles: map[string]int{"tea": 10}, LeadDays: 2,
			Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Category: "tea", Percent: 15, Days: 7}}})
	})
	anna, bob := e.join(336, "Anna"), e.join(337, "Bob")
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	now := e.h.Clock.Now().In(msk)
	sent := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, msk)
	if sent.After(now) {
		sent = sent.AddDate(0, 0, -1)
	}
	end := time.Date(sent.Year(), sent.Month(), sent.Day()+8, 0, 0, 0, 0, msk) // the 7th day's end
	offer := func(m member) int64 {
		var id int64
		if err := e.h.DB.Pool().QueryRow(t.Context(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome,
			due_at, send_at, attribute_until, offer) VALUES ('tea', $1, 'x', true, 'sent', $2, $2, $2, 'discount') RETURNING id`,
			m.cust.ID, sent).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	aid, bid := offer(anna), offer(bob)
	card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil)
	offers, _ := card.body["offers"].([]any)
	if len(offers) != 1 {
		t.Fatalf("the card's offers: %s", card.raw)
	}
	exp, err := time.Parse(time.RFC3339Nano, offers[0].(map[string]any)["expires"].(string))
	if err != nil || exp.Before(end.Add(-time.Second)) || !exp.Before(end) {
		t.Fatalf("expires %v, want the end of %s in Moscow: %s", offers[0].(map[string]any)["expires"], end.Add(-time.Second).Format("02.01.2006"), card.raw)
	}
	e.h.Clock.Advance(end.Add(-time.Minute).Sub(e.h.Clock.Now()))
	if r := e.do("POST", fmt.Sprintf("/api/v1/offers/%d/use", aid), e.bearer(), map[string]any{"card": e.code(anna)}); r.status != 200 {
		t.Fatalf("a minute before the day's end: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(2 * time.Minute)
	if card := e.do("GET", "/api/v1/cards/"+e.code(bob), e.bearer(), nil); card.body["offers"] != nil {
		t.Errorf("an offer past its day is listed: %s", card.raw)
	}
	if r := e.do("POST", fmt.Sprintf("/api/v1/offers/%d/use", bid), e.bearer(), map[string]any{"card": e.code(bob)}); r.status != 409 {
		t.Errorf("a minute past the day's end: %d %s", r.status, r.raw)
	}
}

// TestOfferByPhoneSaysTheCardIsNeeded: a cashier types the customer's
// phone number to honour her discount. The answer says a phone cannot
// honour an offer (phone_no_redeem, as for paying with points by phone),
// not "check the digits" of a card; it counts as no failed card lookup
// against the key, and the offer stays open.
func TestOfferByPhoneSaysTheCardIsNeeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "tea", Kind: domain.NudgeReplenish, Priority: 55,
			Marketing: true, Window: 3, AttributionDays: 7, Cycles: map[string]int{"tea": 10}, LeadDays: 2,
			Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Category: "tea", Percent: 15, Days: 7}}})
	})
	anna := e.join(336, "Anna")
	var id int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome,
		due_at, send_at, attribute_until, offer) VALUES ('tea', $1, 'x', true, 'sent', $2, $2, $2, 'discount') RETURNING id`,
		anna.cust.ID, e.h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	failures := func() int {
		var n int
		if err := e.h.DB.Pool().QueryRow(t.Context(), `SELECT coalesce(sum(failures), 0) FROM lookup_failures`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := failures()
	path := fmt.Sprintf("/api/v1/offers/%d/use", id)
	r := e.do("POST", path, e.bearer(), map[string]any{"card": "+79990000336"})
	if r.status != 422 || r.code() != "phone_no_redeem" || !strings.Contains(r.message(), "offer") {
		t.Errorf("an offer by phone: %d %s", r.status, r.raw)
	}
	if after := failures(); after != before {
		t.Errorf("an offer by phone counted %d failed card lookups", after-before)
	}
	if r := e.do("POST", path, e.bearer(), map[string]any{"card": e.code(anna)}); r.status != 200 || r.body["used"] != true {
		t.Fatalf("the offer with the card after: %d %s", r.status, r.raw)
	}
}
