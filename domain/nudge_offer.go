package domain

import (
	"fmt"
	"maps"
	"slices"
)

// Offer types a nudge can carry. Only points touch the ledger; a discount
// or a gift is a promise in the message that the cashier honours.
const (
	OfferPoints   = "points"
	OfferDiscount = "discount"
	OfferGift     = "gift"
)

// OfferTypes lists the offer types, for config errors.
var OfferTypes = []string{OfferPoints, OfferDiscount, OfferGift}

// How a rule picks one of its offers.
const (
	// OfferFirst: always the first offer.
	OfferFirst = "first"
	// OfferLastConverted: the type of offer this customer last converted
	// on (a purchase within a nudge's window), else the first: a customer
	// who came back for a discount gets a discount, not points.
	OfferLastConverted = "last_converted"
)

// NudgeOffer is one offer of a rule.
type NudgeOffer struct {
	Type string
	// Points (points) are credited with the message.
	Points int64
	// Days the offer is valid (0: points follow the rule's BonusDays or
	// the program's promo expiry; a discount or gift has no end date).
	Days int
	// Category (discount) is what the discount is on; empty: the whole
	// purchase. Percent is the discount.
	Category string
	Percent  int
	// Text per language replaces the built-in line that announces the
	// offer (a template over .Percent, .Category, .Expires, .Points).
	Text map[string]string
}

// RuleOffers are the rule's offers; a rule with a Bonus and no offers has
// that bonus as its one points offer.
func (r NudgeRule) RuleOffers() []NudgeOffer {
	if len(r.Offers) > 0 || r.Bonus <= 0 {
		return r.Offers
	}
	return []NudgeOffer{{Type: OfferPoints, Points: r.Bonus, Days: r.BonusDays}}
}

// PickOffer is the offer a due customer gets: by the rule's choice, the
// first of the type they last converted on (lastConverted), else the
// first. ok is false for a rule without offers.
func (r NudgeRule) PickOffer(lastConverted string) (o NudgeOffer, ok bool) {
	offers := r.RuleOffers()
	if len(offers) == 0 {
		return NudgeOffer{}, false
	}
	if r.OfferChoice == OfferLastConverted {
		for _, o := range offers {
			if o.Type == lastConverted {
				return o, true
			}
		}
	}
	return offers[0], true
}

// OfferOf is the rule's first offer of a type (what PickOffer chose, for
// the message).
func (r NudgeRule) OfferOf(typ string) (NudgeOffer, bool) {
	for _, o := range r.RuleOffers() {
		if o.Type == typ {
			return o, true
		}
	}
	return NudgeOffer{}, false
}

// purchaseTriggered are the kinds a purchase triggers, whose message can
// vary by its category.
var purchaseTriggered = map[NudgeKind]bool{NudgeWelcome: true, NudgeWinBack: true, NudgeReplenish: true}

// validateContent checks the rule's category texts and offers.
func (r NudgeRule) validateContent(bad func(field, problem string) error) error {
	if len(r.CategoryText) > 0 && !purchaseTriggered[r.Kind] {
		return bad("categories", "only a rule a purchase triggers (welcome, winback, replenish) varies by category")
	}
	for _, c := range slices.Sorted(maps.Keys(r.CategoryText)) {
		if !validCategory(c) {
			return bad("categories", fmt.Sprintf("category %q: 1-64 printable characters, as the POS sends it", c))
		}
	}
	if len(r.Offers) > 0 && r.Bonus > 0 {
		return bad("offers", "give the bonus as a points offer, not both")
	}
	switch r.OfferChoice {
	case "", OfferFirst, OfferLastConverted:
	default:
		return bad("offer_choice", fmt.Sprintf("%q is not one of: %s, %s", r.OfferChoice, OfferFirst, OfferLastConverted))
	}
	for i, o := range r.Offers {
		field := fmt.Sprintf("offers[%d]", i)
		switch {
		case !slices.Contains(OfferTypes, o.Type):
			return bad(field+".type", fmt.Sprintf("%q is not one of %v", o.Type, OfferTypes))
		case o.Type == OfferPoints && (o.Points < 1 || o.Points > 1_000_000):
			return bad(field+".points", fmt.Sprintf("must be between 1 and 1000000, got %d", o.Points))
		case o.Type != OfferPoints && o.Points != 0:
			return bad(field+".points", "only a points offer gives points")
		case o.Type == OfferDiscount && (o.Percent < 1 || o.Percent > 100):
			return bad(field+".percent", fmt.Sprintf("must be between 1 and 100, got %d", o.Percent))
		case o.Type != OfferDiscount && (o.Percent != 0 || o.Category != ""):
			return bad(field, "only a discount has a percent and a category")
		case o.Category != "" && !validCategory(o.Category):
			return bad(field+".category", fmt.Sprintf("%q: 1-64 printable characters, as the POS sends it", o.Category))
		case o.Days < 0 || o.Days > 3650:
			return bad(field+".days", fmt.Sprintf("must be between 0 and 3650, got %d", o.Days))
		}
	}
	return nil
}
