package domain

import (
	"context"
	"time"
)

// WelcomeOutcome is what joining did about the welcome bonus.
type WelcomeOutcome int

// Welcome outcomes.
const (
	// WelcomeNone: the business gives no welcome bonus.
	WelcomeNone WelcomeOutcome = iota
	// WelcomeCredited: on the card now, spendable on the purchase being paid.
	WelcomeCredited
	// WelcomeHeld: the phone was typed, not shared: the bonus comes with
	// the first purchase (RecordPurchase credits it).
	WelcomeHeld
	// WelcomeRefused: this phone or this Telegram account had a welcome
	// bonus before (the member erased their data and joined again).
	WelcomeRefused
)

// HeldWelcome is a welcome bonus waiting for the card's first purchase.
type HeldWelcome struct {
	CardID    int64
	Points    int64
	ValidDays int // the promo lot's life from the purchase on (0: no own expiry)
	At        time.Time
}

// GrantWelcome decides and books the welcome bonus of someone who just
// became a member. A person gets it once: a phone or Telegram account
// that an erased member had gets none. A typed number is not verified
// (anyone can type any number), so it earns the bonus only with a first
// purchase, which a real person at a real register makes; a contact
// shared with the button is the account's own number and earns it now.
func (s *Service) GrantWelcome(ctx context.Context, tx Tx, c *Customer, card *Card, phoneShared bool) (WelcomeOutcome, error) {
	b, salt, now := s.Business, s.Salt, s.Now()
	if b.WelcomeBonus <= 0 {
		return WelcomeNone, nil
	}
	phoneBefore, err := tx.PhoneErased(ctx, PhoneHash(salt, c.Phone))
	if err != nil {
		return WelcomeNone, err
	}
	accountBefore, err := tx.AccountErased(ctx, AccountHash(salt, c.TelegramID))
	if err != nil {
		return WelcomeNone, err
	}
	if phoneBefore || accountBefore {
		return WelcomeRefused, nil
	}
	if !phoneShared {
		return WelcomeHeld, tx.HoldWelcome(ctx, HeldWelcome{
			CardID: card.ID, Points: b.WelcomeBonus, ValidDays: b.WelcomeBonusDays, At: now,
		})
	}
	e, _ := WelcomeBonus(b, card, c.ID, now)
	// A promo lot: spent before regular points, on this very receipt too.
	if _, _, err := Credit(ctx, tx, e, LotPromo); err != nil {
		return WelcomeNone, err
	}
	return WelcomeCredited, nil
}

// heldWelcomeEntry is the ledger row that pays a held welcome bonus with
// a purchase: the same idempotency key as a welcome bonus paid at
// joining, so a customer never gets both.
func heldWelcomeEntry(h HeldWelcome, customerID int64, now time.Time) *LedgerEntry {
	e := &LedgerEntry{CardID: h.CardID, Kind: LedgerWelcome, Amount: h.Points,
		IdempotencyKey: WelcomeBonusKey(customerID)}
	if h.ValidDays > 0 {
		e.ExpiresAt = now.AddDate(0, 0, h.ValidDays)
	}
	return e
}
