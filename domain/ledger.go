package domain

import (
	"fmt"
	"time"
)

// LedgerKind says why points moved; flows show it in plain words.
type LedgerKind string

// Ledger kinds. New kinds need a "ledger.kind.<kind>" message in locales.
const (
	LedgerWelcome  LedgerKind = "welcome"
	LedgerEarn     LedgerKind = "earn"
	LedgerRedeem   LedgerKind = "redeem"
	LedgerExpire   LedgerKind = "expire"
	LedgerReversal LedgerKind = "reversal"
	// LedgerReturn is points taken back or given back by a return of part
	// of a purchase.
	LedgerReturn LedgerKind = "return"
	LedgerAdjust LedgerKind = "adjust"
	// LedgerBonus is promo points for profile answers and completed
	// sections (later: birthdays and nudges).
	LedgerBonus LedgerKind = "bonus"
	// LedgerForfeit takes off an erased customer's card what was left on
	// it: nobody can spend those points any more, and the owners' numbers
	// say where they went ("forfeited on erasure"), so that issued less
	// redeemed, expired and forfeited is what stays on the cards.
	LedgerForfeit LedgerKind = "forfeit"
)

// LedgerEntry is one append-only movement of points on a card. A positive
// Amount credits, a negative one debits; the database refuses a debit that
// would make the balance negative.
type LedgerEntry struct {
	ID             int64
	CardID         int64
	Kind           LedgerKind
	Amount         int64
	Reason         string
	IdempotencyKey string
	ExpiresAt      time.Time // zero: never
	BalanceAfter   int64
	CreatedAt      time.Time
}

// WelcomeBonusKey is the idempotency key of a customer's welcome bonus: one
// per customer, whatever retries or double taps happen.
func WelcomeBonusKey(customerID int64) string { return fmt.Sprintf("welcome:%d", customerID) }

// WelcomeBonus builds the ledger row crediting the configured welcome bonus.
// It returns false when the business gives no welcome bonus.
func WelcomeBonus(b *Business, card *Card, customerID int64, now time.Time, loc *time.Location) (LedgerEntry, bool) {
	if b.WelcomeBonus <= 0 {
		return LedgerEntry{}, false
	}
	e := LedgerEntry{
		CardID:         card.ID,
		Kind:           LedgerWelcome,
		Amount:         b.WelcomeBonus,
		IdempotencyKey: WelcomeBonusKey(customerID),
	}
	if b.WelcomeBonusDays > 0 {
		e.ExpiresAt = LastDayEnd(now, b.WelcomeBonusDays, loc)
	}
	return e, true
}
