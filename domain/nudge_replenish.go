package domain

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Replenishment defaults: remind two days before the end of the cycle,
// and trust the customer's own rhythm from their third purchase in a
// category on.
const (
	DefaultLeadDays      = 2
	DefaultPersonalAfter = 3
	maxCycleDays         = 365
)

// trackReplenishment is the nudge engine's reaction to a purchase with
// categories, and to its cancellation: the customer's last live purchase
// in each category and their rhythm there are rewritten (a statement
// deferred to the commit), so a replenishment rule's query reads a small
// table by time instead of the whole purchase history. A new purchase
// also takes back the reminders of its categories still waiting to go
// (quiet hours, the customer's window): they would ask to stock up on
// what was just bought.
func trackReplenishment(ctx context.Context, tx Tx, ev Event) error {
	var p *Purchase
	var bought time.Time
	switch e := ev.(type) {
	case PurchaseRecorded:
		p, bought = &e.Result.Purchase, e.Result.Purchase.CreatedAt
	case PurchaseCancelled:
		p = &e.Result.Purchase
	case PurchaseReturned:
		if !e.Result.Purchase.Cancelled() {
			return nil // the purchase stands: the visit still counts
		}
		p = &e.Result.Purchase
	default:
		return nil
	}
	if len(p.Categories) == 0 {
		return nil
	}
	return tx.TrackReplenishment(ctx, p.CustomerID, p.CardID, p.Categories, bought)
}

// validCategory is a category as the POS API accepts it: 1-64 printable
// characters.
func validCategory(s string) bool {
	if n := utf8.RuneCountInString(s); n == 0 || n > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// validateReplenish checks a replenishment rule's cycles and lead time.
func (r NudgeRule) validateReplenish(bad func(field, problem string) error) error {
	switch {
	case r.LeadDays < 0 || r.LeadDays > maxCycleDays:
		return bad("lead_days", fmt.Sprintf("must be between 0 and %d, got %d", maxCycleDays, r.LeadDays))
	case r.PersonalAfter != 0 && (r.PersonalAfter < 2 || r.PersonalAfter > 100):
		return bad("personal_after", fmt.Sprintf("must be 0 (never) or between 2 and 100, got %d", r.PersonalAfter))
	case r.AllCategories && r.PersonalAfter == 0:
		return bad("all_categories", "watches categories by the customer's own rhythm: set personal_after too")
	}
	for _, c := range slices.Sorted(maps.Keys(r.Cycles)) {
		days := r.Cycles[c]
		switch {
		case !validCategory(c):
			return bad("cycles", fmt.Sprintf("category %q: 1-64 printable characters, as the POS sends it", c))
		case days < 1 || days > maxCycleDays:
			return bad("cycles."+c, fmt.Sprintf("must be between 1 and %d days, got %d", maxCycleDays, days))
		case days <= r.LeadDays:
			return bad("cycles."+c, fmt.Sprintf("%d days is no longer than lead_days (%d): the reminder would come before the purchase", days, r.LeadDays))
		}
	}
	return nil
}

// watching says whether a replenishment rule can be due at all: it has
// categories to watch.
func (r NudgeRule) watching() bool {
	return len(r.Cycles) > 0 || r.AllCategories
}

// CategoryName is a purchase category as a customer reads it in lang: the
// configured name, else the code with underscores as spaces.
func (c *NudgeConfig) CategoryName(category, lang string) string {
	if n := c.CategoryNames[category][lang]; n != "" {
		return n
	}
	return strings.ReplaceAll(category, "_", " ")
}
