package domain

import (
	"context"
	"fmt"
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
	// Round is 1 for the bonus held at joining, one more each time a
	// cancellation or a full return put it back on hold (undoWelcome).
	Round int
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
	accountBefore, err := tx.AccountErased(ctx, AccountHash(salt, c.TelegramID), now)
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
	e, _ := WelcomeBonus(b, card, c.ID, now, s.zoneOf(ctx, tx, c.JoinedStoreID))
	// A promo lot: spent before regular points, on this very receipt too.
	if _, _, err := Credit(ctx, tx, e, LotPromo); err != nil {
		return WelcomeNone, err
	}
	return WelcomeCredited, nil
}

// heldWelcomeEntry is the ledger row that pays a held welcome bonus with
// a purchase: the first round under the same idempotency key as a
// welcome bonus paid at joining, so a customer never gets both; a bonus
// held again (undoWelcome) under its round's key.
func heldWelcomeEntry(h HeldWelcome, customerID int64, purchase string, now time.Time, loc *time.Location) *LedgerEntry {
	e := &LedgerEntry{CardID: h.CardID, Kind: LedgerWelcome, Amount: h.Points, Reason: purchase,
		IdempotencyKey: welcomeRoundKey(customerID, h.Round)}
	if h.ValidDays > 0 {
		e.ExpiresAt = LastDayEnd(now, h.ValidDays, loc)
	}
	return e
}

// welcomeRoundKey is the key of a welcome bonus paid in a round: the
// customer's welcome key for the first, with the round after it.
func welcomeRoundKey(customerID int64, round int) string {
	if round <= 1 {
		return WelcomeBonusKey(customerID)
	}
	return fmt.Sprintf("%s:%d", WelcomeBonusKey(customerID), round)
}

// WelcomeHeldAgain: a cancellation or a full return left the card with no
// purchase standing, so the welcome bonus its first purchase paid was
// taken back (as far as it is still on the card) and is held for the
// next purchase; the customer is told.
type WelcomeHeldAgain struct {
	Customer *Customer
	Points   int64 // taken back, and held again
	Balance  int64 // the card's after it
}

func (WelcomeHeldAgain) eventName() string { return "welcome_held_again" }

// welcomeUndone runs undoWelcome for a cancellation or a full return.
func (s *Service) welcomeUndone(ctx context.Context, tx Tx, ev Event) error {
	switch ev := ev.(type) {
	case PurchaseCancelled:
		return s.undoWelcome(ctx, tx, &ev.Result.Purchase, ev.Result.Customer, nil)
	case PurchaseReturned:
		if ev.Result.Purchase.Cancelled() { // returned in full
			return s.undoWelcome(ctx, tx, &ev.Result.Purchase, ev.Result.Customer, &ev.Result.WelcomeTaken)
		}
	}
	return nil
}

// undoWelcome is the reaction to a cancellation or a full return: when no
// purchase of the card stands any more and a purchase paid its welcome
// bonus (the phone was typed: WelcomeHeld), what is left of the bonus is
// taken back and held again for the next purchase, one round more. What
// the customer spent of it stays spent and is not held again, so the
// bonus never adds up to more than one. taken (nil: unused) is told the
// points taken back.
func (s *Service) undoWelcome(ctx context.Context, tx Tx, p *Purchase, c *Customer, taken *int64) error {
	if c == nil || c.Erased || s.Business.WelcomeBonus <= 0 {
		return nil
	}
	w, err := tx.PurchaseWelcome(ctx, p.CardID)
	if err != nil || !w.Paid || w.Held <= 0 {
		return err
	}
	now := s.Now()
	row, take, created, err := takeBack(ctx, tx, LedgerEntry{CardID: p.CardID, Kind: LedgerWelcome, Amount: -w.Held,
		Reason: p.PublicID, IdempotencyKey: fmt.Sprintf("%s:undo", welcomeRoundKey(c.ID, w.Round)), CreatedAt: now}, LotPromo,
		w.Lots...)
	if err != nil || !created {
		return err
	}
	if taken != nil {
		*taken = take
	}
	if err := tx.HoldWelcome(ctx, HeldWelcome{CardID: p.CardID, Points: take, ValidDays: s.Business.WelcomeBonusDays,
		At: now, Round: w.Round + 1}); err != nil {
		return err
	}
	return s.emit(ctx, tx, WelcomeHeldAgain{Customer: c, Points: take, Balance: row.BalanceAfter})
}

// PurchaseWelcome is what a card holds of a welcome bonus a purchase
// paid: Paid when a purchase paid one, Held what its rows add up to now,
// Round the round of the last payment, Lots the welcome lots with points
// left: those the take-back takes from (never more than Held).
type PurchaseWelcome struct {
	Paid  bool
	Held  int64
	Round int
	Lots  []int64
}
