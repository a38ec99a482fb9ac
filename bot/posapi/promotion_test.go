package posapi_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestPurchaseUnderPromotion: a purchase at a store running a promotion
// earns its multiple and the answer names it; the same receipt at a
// store without it earns the tier's rate and names nothing.
func TestPurchaseUnderPromotion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Program.Promotions = []domain.Promotion{{ID: "triple_sunday", Multiplier: 3,
			Title: map[string]string{"en": "Triple Sunday", "ru": "Тройное воскресенье"},
			Days:  []time.Weekday{time.Sunday}, Stores: []string{"central"}}}
	})
	anna := e.join(201, "Anna")
	r := e.purchase(body(e.code(anna), 100_000, "R-1"))
	if r.status != 201 || r.num("points_earned") != 90 || r.str("promotion") != "triple_sunday" {
		t.Fatalf("at Central on Sunday: %d %s", r.status, r.raw)
	}
	if again := e.purchase(body(e.code(anna), 100_000, "R-1")); again.status != 200 || again.str("promotion") != "triple_sunday" {
		t.Errorf("the repeat's answer: %d %s", again.status, again.raw)
	}
	river := e.do("POST", "/api/v1/purchases", "Bearer "+e.riverKey, body(e.code(anna), 100_000, "R-2"))
	if river.status != 201 || river.num("points_earned") != 30 {
		t.Fatalf("at River: %d %s", river.status, river.raw)
	}
	if _, ok := river.body["promotion"]; ok {
		t.Errorf("River's answer names a promotion: %s", river.raw)
	}
}

// TestPurchaseUnderPromotionWithMinimum: a promotion from a receipt of
// 1,000 RUB multiplies a POS purchase of 1,000 and not one of 999.99.
func TestPurchaseUnderPromotionWithMinimum(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Program.Promotions = []domain.Promotion{{ID: "big_basket", Multiplier: 2, MinAmount: 100_000,
			Title: map[string]string{"en": "Big basket", "ru": "Большая корзина"}}}
	})
	anna := e.join(201, "Anna")
	if r := e.purchase(body(e.code(anna), 99_999, "R-1")); r.status != 201 || r.num("points_earned") != 29 {
		t.Fatalf("999.99: %d %s", r.status, r.raw)
	} else if _, ok := r.body["promotion"]; ok {
		t.Errorf("a receipt under the minimum names a promotion: %s", r.raw)
	}
	if r := e.purchase(body(e.code(anna), 100_000, "R-2")); r.status != 201 || r.num("points_earned") != 60 ||
		r.str("promotion") != "big_basket" {
		t.Fatalf("1,000: %d %s", r.status, r.raw)
	}
}

// TestCardShowsPromotionNow: the register's card read names the
// promotion a receipt of ?amount gets, and without ?amount the one any
// receipt may get, with its minimum.
func TestCardShowsPromotionNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) {
		b.Program.Promotions = []domain.Promotion{
			{ID: "tea", Multiplier: 2, Title: map[string]string{"en": "Tea time", "ru": "Чаепитие"}},
			{ID: "big_basket", Multiplier: 3, MinAmount: 100_000, Title: map[string]string{"en": "Big basket", "ru": "Большая корзина"}}}
	})
	anna := e.join(201, "Anna")
	r := e.do("GET", "/api/v1/cards/"+e.code(anna), "Bearer "+e.key, "")
	if p, _ := r.body["promotion_now"].(map[string]any); r.status != 200 || p["id"] != "big_basket" || p["title"] != "Big basket" ||
		p["multiplier"] != float64(3) || p["min_amount"] != float64(100_000) {
		t.Errorf("without an amount: %d %s", r.status, r.raw)
	}
	r = e.do("GET", "/api/v1/cards/"+e.code(anna)+"?amount=50000", "Bearer "+e.key, "")
	if p, _ := r.body["promotion_now"].(map[string]any); r.status != 200 || p["id"] != "tea" {
		t.Errorf("500.00: %d %s", r.status, r.raw)
	}
}
