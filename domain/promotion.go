package domain

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Promotion multiplies the points a purchase earns while it runs: double
// points on quiet weekday afternoons, triple on the shop's birthday. It is
// data in the business config ([[program.promotions]]); the register
// quotes with it, the purchase records which one applied, and the
// customer's message says so.
type Promotion struct {
	ID    string
	Title map[string]string // what customers and the cashier read, per language
	// Multiplier applies to the points the tier's rate earns (2: double).
	Multiplier int64
	// Days it runs (empty: every day), in the store's time zone.
	Days []time.Weekday
	// StartMin and EndMin are the hours it runs, minutes after midnight in
	// the store's time zone, from StartMin up to EndMin (past midnight when
	// EndMin is smaller; both 0: all day).
	StartMin, EndMin int
	// From and Until bound it by date in the store's time zone, both days
	// included ("2006-01-02"; empty: open).
	From, Until string
	// Stores it runs at, by code (empty: every store).
	Stores []string
	// MinAmount is the smallest receipt it multiplies, in minor units
	// (0: any): "double points on receipts from 1,000 ₽".
	MinAmount int64

	// Live marks a promotion started from the chat (livepromo.go): it
	// runs from Start up to End, at the store ShopID (0: every store),
	// and the fields above but ID, Title and Multiplier are unused.
	Live       bool
	Start, End time.Time
	ShopID     int64
}

// Bounds of a promotion.
const (
	MaxPromotionMultiplier = 10
	promotionDate          = "2006-01-02"
)

var promotionID = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// At reports whether the promotion runs at local (a time in the store's
// time zone) in the store with this code. A window that passes midnight
// belongs to the day it starts on.
func (p *Promotion) At(store string, local time.Time) bool {
	if p.Live {
		return !local.Before(p.Start) && local.Before(p.End)
	}
	if len(p.Stores) > 0 && !slices.Contains(p.Stores, store) {
		return false
	}
	day := local
	if m := local.Hour()*60 + local.Minute(); p.StartMin != p.EndMin {
		if p.StartMin < p.EndMin && (m < p.StartMin || m >= p.EndMin) {
			return false
		}
		if p.StartMin > p.EndMin {
			switch {
			case m < p.EndMin:
				day = local.AddDate(0, 0, -1) // the night of the day before
			case m < p.StartMin:
				return false
			}
		}
	}
	if len(p.Days) > 0 && !slices.Contains(p.Days, day.Weekday()) {
		return false
	}
	date := day.Format(promotionDate)
	return (p.From == "" || date >= p.From) && (p.Until == "" || date <= p.Until)
}

// AnyAmount asks PromotionAt for the promotion running whatever the
// receipt (a card's caption, before any amount is known).
const AnyAmount int64 = 0

// Applies says whether the promotion multiplies a receipt of amount
// minor units (AnyAmount: every promotion applies).
func (p *Promotion) Applies(amount int64) bool { return amount == AnyAmount || amount >= p.MinAmount }

// BestPromotion is the promotion of ps that applies to a receipt of
// amount with the highest multiplier, the first of equals; nil when none
// does. Promotions do not add up.
func BestPromotion(ps []*Promotion, amount int64) *Promotion {
	var best *Promotion
	for _, p := range ps {
		if (best == nil || p.Multiplier > best.Multiplier) && p.Applies(amount) {
			best = p
		}
	}
	return best
}

// TitleIn is the promotion's title in lang, else in the first language it
// has (Validate requires every offered one).
func (p *Promotion) TitleIn(lang, fallback string) string {
	if t := p.Title[lang]; t != "" {
		return t
	}
	return p.Title[fallback]
}

// PromotionAt is the promotion that runs at local in the store with this
// code: the one with the highest multiplier, the first listed of equals;
// nil when none runs. Promotions do not add up.
func (p *Program) PromotionAt(store string, local time.Time) *Promotion {
	return BestPromotion(p.PromotionsAt(store, local), AnyAmount)
}

// PromotionsAt lists the config's promotions running at local in the
// store with this code, in the config's order.
func (p *Program) PromotionsAt(store string, local time.Time) []*Promotion {
	var out []*Promotion
	for i := range p.Promotions {
		if pr := &p.Promotions[i]; pr.At(store, local) {
			out = append(out, pr)
		}
	}
	return out
}

// Promotion finds a promotion of the config by id (a purchase's).
func (p *Program) Promotion(id string) (*Promotion, bool) {
	for i := range p.Promotions {
		if p.Promotions[i].ID == id {
			return &p.Promotions[i], true
		}
	}
	return nil, false
}

// validatePromotions checks [[program.promotions]] against the offered
// languages and the stores.
func validatePromotions(ps []Promotion, langs []string, stores []StoreConfig) error {
	seen := map[string]bool{}
	for i, p := range ps {
		bad := func(field, format string, args ...any) error {
			return &FieldError{Field: fmt.Sprintf("program.promotions[%d].%s", i, field), Problem: fmt.Sprintf(format, args...)}
		}
		if !promotionID.MatchString(p.ID) {
			return bad("id", "%q must be 1-24 lower-case letters, digits or '_'", p.ID)
		}
		if seen[p.ID] {
			return bad("id", "%q is used twice", p.ID)
		}
		seen[p.ID] = true
		for _, l := range langs {
			if p.Title[l] == "" {
				return bad("title."+l, "must not be empty (every offered language needs a title)")
			}
		}
		if p.Multiplier < 2 || p.Multiplier > MaxPromotionMultiplier {
			return bad("multiplier", "must be a whole number from 2 to %d, got %d", MaxPromotionMultiplier, p.Multiplier)
		}
		if p.MinAmount < 0 {
			return bad("min_amount", "must not be negative (minor units; 0 or left out: any receipt), got %d", p.MinAmount)
		}
		for _, d := range []struct{ field, value string }{{"from", p.From}, {"until", p.Until}} {
			if _, err := time.Parse(promotionDate, d.value); d.value != "" && err != nil {
				return bad(d.field, "%q is not a date like 2026-12-31", d.value)
			}
		}
		if p.From != "" && p.Until != "" && p.Until < p.From {
			return bad("until", "%s is before from (%s)", p.Until, p.From)
		}
		for j, code := range p.Stores {
			if !slices.ContainsFunc(stores, func(s StoreConfig) bool { return s.Code == code }) {
				return bad(fmt.Sprintf("stores[%d]", j), "%q is not a store of [[stores]]", code)
			}
		}
	}
	return nil
}
