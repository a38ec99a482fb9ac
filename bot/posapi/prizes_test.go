package posapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

func withRewards(b *domain.Business) {
	b.Gamification.Rewards = []domain.RewardItem{
		{ID: "beans", Points: 600, Title: map[string]string{"en": "a bag of beans", "ru": "пачка зёрен", "uz": "qahva donlari"}},
		{ID: "coffee", Points: 120, Title: map[string]string{"en": "a free coffee", "ru": "бесплатный кофе", "uz": "bepul qahva"}},
	}
}

// TestPrizes: a POS reads the prizes a card pays for, gives one (the
// points paid from the card, the customer told), a repeat answers the
// same even after the card's code went stale, another card or reward
// under the same prize_id is a conflict; an unknown reward, a card that
// does not pay for it, a phone number and another store's cancellation
// are refused and change nothing; a cancellation gives the points back,
// once, and not after a day.
func TestPrizes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards)
	anna := e.join(311, "Anna") // 100 welcome points
	bob := e.join(312, "Bob")
	if r := e.purchase(body(e.code(anna), 100_000, "R-1")); r.status != 201 || r.num("balance") != 130 {
		t.Fatalf("purchase: %d %s", r.status, r.raw)
	}
	card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil)
	prizes, _ := card.body["prizes"].([]any)
	if card.status != 200 || len(prizes) != 1 || prizes[0].(map[string]any)["reward"] != "coffee" ||
		prizes[0].(map[string]any)["points"] != float64(120) || prizes[0].(map[string]any)["title"] != "a free coffee" {
		t.Fatalf("the card's prizes: %d %s", card.status, card.raw)
	}

	give := map[string]any{"card": e.code(anna), "reward": "coffee", "prize_id": "G-1"}
	before := e.state(anna)
	for _, bad := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no card", map[string]any{"reward": "coffee", "prize_id": "X"}, 400, "missing_field"},
		{"no reward", map[string]any{"card": e.code(anna), "prize_id": "X"}, 400, "missing_field"},
		{"no prize_id", map[string]any{"card": e.code(anna), "reward": "coffee"}, 400, "missing_field"},
		{"a phone", map[string]any{"card": "+79990000311", "reward": "coffee", "prize_id": "X"}, 422, "phone_no_redeem"},
		{"an unknown reward", map[string]any{"card": e.code(anna), "reward": "tea", "prize_id": "X"}, 422, "unknown_reward"},
		{"a prize the card does not pay for", map[string]any{"card": e.code(anna), "reward": "beans", "prize_id": "X"}, 422, "insufficient_points"},
		{"a wrong code", map[string]any{"card": "1234 5678 123 456", "reward": "coffee", "prize_id": "X"}, 404, "card_not_found"},
	} {
		if r := e.do("POST", "/api/v1/prizes", e.bearer(), bad.body); r.status != bad.status || r.code() != bad.code {
			t.Errorf("%s: %d %s", bad.name, r.status, r.raw)
		}
	}
	if after := e.state(anna); after != before {
		t.Fatalf("refused prizes changed data: %+v → %+v", before, after)
	}

	r := e.do("POST", "/api/v1/prizes", e.bearer(), give)
	if r.status != 201 || r.num("points") != 120 || r.num("balance") != 10 || r.str("reward") != "coffee" ||
		r.str("pos_prize_id") != "G-1" || r.str("title") != "a free coffee" {
		t.Fatalf("a prize: %d %s", r.status, r.raw)
	}
	id := r.str("prize_id")
	e.waitText(anna, "🎁 Your prize: a free coffee! Paid with points: −120 points. Balance: 10.")
	e.h.Clock.Advance(time.Hour) // the code of the request is stale now
	if again := e.do("POST", "/api/v1/prizes", e.bearer(), give); again.status != 200 || again.str("prize_id") != id ||
		again.num("balance") != 10 {
		t.Fatalf("a repeat with a stale code: %d %s", again.status, again.raw)
	}
	for name, b := range map[string]map[string]any{
		"another card":   {"card": e.code(bob), "reward": "coffee", "prize_id": "G-1"},
		"another reward": {"card": e.code(anna), "reward": "beans", "prize_id": "G-1"},
	} {
		if c := e.do("POST", "/api/v1/prizes", e.bearer(), b); c.status != 409 || c.code() != "prize_conflict" {
			t.Errorf("%s under the same prize_id: %d %s", name, c.status, c.raw)
		}
	}
	if s := e.state(anna); s.balance != 10 || s.ledgerSum != 10 {
		t.Fatalf("after the prize: %+v", s)
	}

	path := "/api/v1/prizes/" + id + "/cancel"
	if c := e.do("POST", path, "Bearer "+e.riverKey, nil); c.status != 404 || c.code() != "prize_not_found" {
		t.Errorf("another store's cancellation: %d %s", c.status, c.raw)
	}
	for range 2 {
		if c := e.do("POST", path, e.bearer(), nil); c.status != 200 || c.num("balance") != 130 || c.body["cancelled"] != true {
			t.Fatalf("a cancellation: %d %s", c.status, c.raw)
		}
	}
	if s := e.state(anna); s.balance != 130 || s.ledgerSum != 130 {
		t.Fatalf("after the cancellation: %+v", s)
	}
	e.waitText(anna, "🎁 The prize a free coffee was cancelled: 120 points are back on your card. Balance: 130.")

	old := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": e.token(anna), "reward": "coffee", "prize_id": "G-2"})
	if old.status != 201 {
		t.Fatalf("a prize by the card's link: %d %s", old.status, old.raw)
	}
	e.h.Clock.Advance(25 * time.Hour)
	if c := e.do("POST", "/api/v1/prizes/"+old.str("prize_id")+"/cancel", e.bearer(), nil); c.status != 409 ||
		c.code() != "cancel_window_passed" {
		t.Errorf("a cancellation after a day: %d %s", c.status, c.raw)
	}
}

// TestStampPrizes: with a stamp card the card's answer counts the stamps
// and offers the stamp prize once they pay for it; giving it takes the
// stamps, not the points; too few stamps is insufficient_stamps.
func TestStampPrizes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards, func(b *domain.Business) {
		b.Gamification.Stamps = domain.StampsConfig{Enabled: true}
		b.Gamification.Rewards = append(b.Gamification.Rewards,
			domain.RewardItem{ID: "latte", Stamps: 2, Title: map[string]string{"en": "a free latte", "ru": "латте", "uz": "latte"}})
	})
	anna := e.join(321, "Anna")
	give := map[string]any{"card": e.code(anna), "reward": "latte", "prize_id": "L-1"}
	e.purchase(body(e.code(anna), 10_000, "R-1"))
	if r := e.do("POST", "/api/v1/prizes", e.bearer(), give); r.status != 422 || r.code() != "insufficient_stamps" {
		t.Fatalf("a stamp prize for one stamp of two: %d %s", r.status, r.raw)
	}
	e.purchase(body(e.code(anna), 10_000, "R-2"))
	card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil)
	prizes, _ := card.body["prizes"].([]any)
	if card.num("stamps") != 2 || len(prizes) != 1 || prizes[0].(map[string]any)["reward"] != "latte" ||
		prizes[0].(map[string]any)["stamps"] != float64(2) {
		t.Fatalf("the card with two stamps: %s", card.raw)
	}
	r := e.do("POST", "/api/v1/prizes", e.bearer(), give)
	if r.status != 201 || r.num("stamps") != 2 || r.num("points") != 0 || r.num("balance") != 106 {
		t.Fatalf("a stamp prize: %d %s", r.status, r.raw)
	}
	if card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil); card.num("stamps") != 0 || card.body["prizes"] != nil {
		t.Fatalf("the card after the stamp prize: %s", card.raw)
	}
	e.waitText(anna, "🎁 Your prize: a free latte! Paid with stamps: −2 stamps. Stamps left: 0.")
}

// TestOffersAtThePOS: the card's answer lists the discount a nudge
// promised, and the POS marks it used for that card's customer only,
// once.
func TestOffersAtThePOS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "tea", Kind: domain.NudgeReplenish, Priority: 55,
			Marketing: true, Window: 3, AttributionDays: 7, Cycles: map[string]int{"tea": 10}, LeadDays: 2,
			Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Category: "tea", Percent: 15, Days: 7}}})
	})
	anna, bob := e.join(331, "Anna"), e.join(332, "Bob")
	var id int64
	if err := e.h.DB.Pool().QueryRow(t.Context(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome,
		due_at, send_at, attribute_until, offer) VALUES ('tea', $1, 'x', true, 'sent', $2, $2, $2, 'discount') RETURNING id`,
		anna.cust.ID, e.h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil)
	offers, _ := card.body["offers"].([]any)
	if len(offers) != 1 || offers[0].(map[string]any)["offer_id"] != float64(id) || offers[0].(map[string]any)["percent"] != float64(15) ||
		offers[0].(map[string]any)["category"] != "tea" || offers[0].(map[string]any)["type"] != "discount" {
		t.Fatalf("the card's offers: %s", card.raw)
	}
	path := fmt.Sprintf("/api/v1/offers/%d/use", id)
	if r := e.do("POST", path, e.bearer(), map[string]any{"card": e.code(bob)}); r.status != 409 || r.code() != "offer_used" {
		t.Fatalf("another customer's card: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", path, e.bearer(), map[string]any{"card": e.code(anna)}); r.status != 200 || r.body["used"] != true {
		t.Fatalf("the offer used: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", path, e.bearer(), map[string]any{"card": e.code(anna)}); r.status != 409 || r.code() != "offer_used" {
		t.Fatalf("used twice: %d %s", r.status, r.raw)
	}
	if card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil); card.body["offers"] != nil {
		t.Fatalf("a used offer is still listed: %s", card.raw)
	}
}

// TestStampsPerPurchase: a purchase may earn more stamps than one ("stamps":
// 3 for three coffees) or none; the answer says what it earned, a retry
// must repeat the count, a receipt under the minimum earns none whatever
// it says, and a count out of range is refused before anything is
// written.
func TestStampsPerPurchase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards, func(b *domain.Business) {
		b.Gamification.Stamps = domain.StampsConfig{Enabled: true, MinAmount: 5_000}
		b.Gamification.Rewards = append(b.Gamification.Rewards,
			domain.RewardItem{ID: "latte", Stamps: 6, Title: map[string]string{"en": "a free latte", "ru": "латте", "uz": "latte"}})
	})
	anna := e.join(322, "Anna")
	with := func(receipt string, amount int64, stamps any) map[string]any {
		b := body(e.code(anna), amount, receipt)
		if stamps != nil {
			b["stamps"] = stamps
		}
		return b
	}
	if r := e.purchase(with("R-1", 45_000, 3)); r.status != 201 || r.num("stamps") != 3 {
		t.Fatalf("three coffees: %d %s", r.status, r.raw)
	}
	e.waitText(anna, "+3 stamps · ☕ Stamp card: 3 of 6 to a free latte.")
	if r := e.purchase(with("R-1", 45_000, 3)); r.status != 200 || r.num("stamps") != 3 {
		t.Fatalf("the retry: %d %s", r.status, r.raw)
	}
	if r := e.purchase(with("R-1", 45_000, 2)); r.status != 409 {
		t.Fatalf("a retry with another count: %d %s", r.status, r.raw)
	}
	if r := e.purchase(with("R-2", 20_000, 0)); r.status != 201 || r.num("stamps") != 0 {
		t.Fatalf("no stamp: %d %s", r.status, r.raw)
	}
	if r := e.purchase(with("R-3", 4_000, 5)); r.status != 201 || r.body["stamps"] != nil {
		t.Fatalf("under the minimum: %d %s", r.status, r.raw)
	}
	if r := e.purchase(with("R-4", 10_000, nil)); r.status != 201 || r.num("stamps") != 1 {
		t.Fatalf("the default: %d %s", r.status, r.raw)
	}
	for _, bad := range []any{-1, 51, "two", 1.5} {
		if r := e.purchase(with("R-5", 10_000, bad)); r.status/100 != 4 || r.status == 409 {
			t.Fatalf("stamps %v: %d %s", bad, r.status, r.raw)
		} else if !strings.Contains(string(r.raw), "stamps") {
			t.Errorf("stamps %v: the error does not name the field: %s", bad, r.raw)
		}
	}
	if card := e.do("GET", "/api/v1/cards/"+e.code(anna), e.bearer(), nil); card.num("stamps") != 4 {
		t.Fatalf("the card after 3 + 0 + 0 + 1 stamps: %s", card.raw)
	}
}

// TestCancelAfterStampsSpent: a purchase whose stamps paid for a stamp
// prize since is not cancelled, and the POS hears why in the API's words
// (409 stamps_already_spent, as points_already_spent), not a 500 that
// invites it to retry; another store's key learns nothing of it (404).
func TestCancelAfterStampsSpent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards, func(b *domain.Business) {
		b.Gamification.Stamps = domain.StampsConfig{Enabled: true}
		b.Gamification.Rewards = append(b.Gamification.Rewards,
			domain.RewardItem{ID: "latte", Stamps: 2, Title: map[string]string{"en": "a free latte", "ru": "латте", "uz": "latte"}})
	})
	anna := e.join(1301, "Anna")
	p := e.purchase(body(e.code(anna), 10_000, "R-1"))
	e.purchase(body(e.code(anna), 10_000, "R-2"))
	prize := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": e.code(anna), "reward": "latte", "prize_id": "L-1"})
	if prize.status != 201 {
		t.Fatalf("the stamp prize: %d %s", prize.status, prize.raw)
	}
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", "Bearer "+e.riverKey, nil)
	if r.status != 404 || r.code() != "purchase_not_found" {
		t.Errorf("another store cancelling it: %d %s", r.status, r.raw)
	}
	r = e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", e.bearer(), nil)
	if r.status != 409 || r.code() != "stamps_already_spent" {
		t.Errorf("cancelling a purchase whose stamp paid a prize: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/api/v1/prizes/"+prize.str("prize_id")+"/cancel", e.bearer(), nil); r.status != 200 {
		t.Fatalf("the prize's cancel: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/cancel", e.bearer(), nil); r.status != 200 {
		t.Errorf("the purchase's cancel after the prize's: %d %s", r.status, r.raw)
	}
}

// TestReturnAfterStampsSpent: a full return of a purchase whose stamps
// paid a stamp prize is refused as its cancel is (409
// stamps_already_spent); once the prize is cancelled it goes through.
func TestReturnAfterStampsSpent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards, func(b *domain.Business) {
		b.Gamification.Stamps = domain.StampsConfig{Enabled: true}
		b.Gamification.Rewards = append(b.Gamification.Rewards,
			domain.RewardItem{ID: "latte", Stamps: 2, Title: map[string]string{"en": "a free latte", "ru": "латте", "uz": "latte"}})
	})
	anna := e.join(1302, "Anna")
	p := e.purchase(body(e.code(anna), 10_000, "R-1"))
	e.purchase(body(e.code(anna), 10_000, "R-2"))
	prize := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": e.code(anna), "reward": "latte", "prize_id": "L-1"})
	if prize.status != 201 {
		t.Fatalf("the stamp prize: %d %s", prize.status, prize.raw)
	}
	ret := map[string]any{"return_id": "RT-1", "amount": 10_000}
	r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(), ret)
	if r.status != 409 || r.code() != "stamps_already_spent" {
		t.Fatalf("a full return of a purchase whose stamp paid a prize: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/api/v1/prizes/"+prize.str("prize_id")+"/cancel", e.bearer(), nil); r.status != 200 {
		t.Fatalf("the prize's cancel: %d %s", r.status, r.raw)
	}
	if r := e.do("POST", "/api/v1/purchases/"+p.str("purchase_id")+"/returns", e.bearer(), ret); r.status != 201 {
		t.Errorf("the return after the prize's cancel: %d %s", r.status, r.raw)
	}
}

// TestPrizeNotPaidWithPointsPastTheirDate: points the card lost by a
// year without a purchase (the welcome bonus past its 30 days too) pay
// for no prize, though the nightly job has not written them off yet: the
// POS learns the card has nothing to spend, as a purchase would.
func TestPrizeNotPaidWithPointsPastTheirDate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withRewards)
	m := e.join(321, "Nina") // 100 welcome points, for 30 days
	if r := e.purchase(body(e.code(m), 500_000, "R-1")); r.status != 201 || r.num("balance") != 250 {
		t.Fatalf("purchase: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(366 * 24 * time.Hour) // idle past regular_expiry_days
	r := e.do("POST", "/api/v1/prizes", e.bearer(), map[string]any{"card": e.code(m), "reward": "coffee", "prize_id": "G-1"})
	if r.status != 422 || r.code() != "insufficient_points" || !strings.Contains(r.message(), "the card has 0 to spend") {
		t.Fatalf("a prize paid with dead points: %d %s", r.status, r.raw)
	}
	if c := e.do("GET", "/api/v1/cards/"+e.code(m), e.bearer(), nil); c.status != 200 || c.num("balance") != 0 {
		t.Errorf("the card after the refused prize: %d %s", c.status, c.raw)
	}
}
