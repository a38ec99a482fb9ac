package domain

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Failed card lookups are limited because the typed code is guessable: its
// 8-digit card number never changes, so a guesser only has to find the
// 6-digit one-time part, of which 2 are valid at any moment (the current
// and the previous window). The QR's c_ token carries a 96-bit signature
// and is not guessed, so only typed codes are held back by a limit.
//
// Counters are kept per source (a POS key, a cashier) and per card number,
// in fixed windows, in PostgreSQL so that every replica sees the same
// counts. The odds of a hit within what the limits allow:
//
//   - A guesser who knows a card number (an old receipt, a photo of the
//     card) gets at most cardLimit.Max = 10 wrong codes for that card per
//     24-hour window, whatever keys and cashiers it uses:
//     2 valid codes × 10 attempts / 10^6 one-time parts = 1 in 50,000 per
//     day. Fixed windows let 10 more through right after the window turns,
//     so any 24 hours allow at most 20 attempts: 1 in 25,000.
//   - A guesser who knows no number guesses the whole code: with C cards
//     issued, 2·C of the 9·10^7 × 10^6 = 9·10^13 codes are valid at a time.
//     For C = 1,000,000 that is 2.2·10^-8 per guess, and a key gets
//     keyLimit.Max = 20 per 15 minutes: 4.4·10^-7 per window, 1 in 23,000
//     even after a whole day (96 windows) of guessing through one key, and
//     the owners hear of it in the first 15 minutes.
const (
	cardLimitMax  = 10
	keyLimitMax   = 20
	staffLimitMax = 10
)

// LookupScope names what a counter of failed card lookups is kept for.
type LookupScope string

// The scopes of the counters. Stored in lookup_failures.scope: never rename.
const (
	ScopePOSKey LookupScope = "pos_key" // subject: the key's hash, hex
	ScopeStaff  LookupScope = "staff"   // subject: the staff id
	ScopeCard   LookupScope = "card"    // subject: the 8-digit card number
)

// LookupLimit is how many failed lookups a scope allows in one window; the
// next attempt within the window is refused.
type LookupLimit struct {
	Window time.Duration
	Max    int
}

var (
	keyLimit   = LookupLimit{Window: 15 * time.Minute, Max: keyLimitMax}
	staffLimit = LookupLimit{Window: 15 * time.Minute, Max: staffLimitMax}
	// cardLimit is per day: a legitimate customer never has ten codes
	// mistyped in a day, and the QR still works while typing is paused.
	cardLimit = LookupLimit{Window: 24 * time.Hour, Max: cardLimitMax}
)

// LimitOf returns the limit of a scope.
func LimitOf(scope LookupScope) LookupLimit {
	switch scope {
	case ScopePOSKey:
		return keyLimit
	case ScopeStaff:
		return staffLimit
	}
	return cardLimit
}

// LookupKey names one counter: a subject of a scope in one window.
type LookupKey struct {
	Scope   LookupScope
	Subject string
	Window  time.Time // the window's start
}

// LookupCounters keeps the windowed counts of failed card lookups.
type LookupCounters interface {
	// AddLookupFailures counts one failure for each key (an upsert) and
	// returns the counts after it, in the order of keys. Rows of windows
	// that started before purgeBefore are deleted on the way.
	AddLookupFailures(ctx context.Context, keys []LookupKey, purgeBefore time.Time) ([]int, error)
	// CountLookupFailures returns the failures counted so far for each
	// key, in the order of keys (0 for a key without a row).
	CountLookupFailures(ctx context.Context, keys []LookupKey) ([]int, error)
}

// LookupSource is who looks a card up: a POS key or a staff member.
type LookupSource struct {
	Scope  LookupScope // ScopePOSKey or ScopeStaff
	ID     string      // the key's hash (hex) or the staff id
	Name   string      // what an alert calls it: the key's prefix, the first name
	ShopID int64       // the store it works for (0: every store)
}

// TooManyAttemptsError refuses a card lookup while its source or its card
// is over the limit. It unwraps to ErrTooManyAttempts.
type TooManyAttemptsError struct {
	RetryAfter time.Duration // until the latest of the locked windows ends
}

func (e *TooManyAttemptsError) Error() string {
	return fmt.Sprintf("too many failed card lookups: retry after %v", e.RetryAfter)
}

// Unwrap makes errors.Is(err, ErrTooManyAttempts) true.
func (e *TooManyAttemptsError) Unwrap() error { return ErrTooManyAttempts }

// LookupBurst is a source that reached its limit with this failure: the
// owners hear of it once per window, not once per attempt.
type LookupBurst struct {
	Source   LookupSource
	Failures int
	Window   time.Duration
}

// CardLookupsBurst: a POS key or a cashier has just reached its limit of
// failed card lookups. Recorded once per window; the owners are told.
type CardLookupsBurst struct{ Burst LookupBurst }

func (CardLookupsBurst) eventName() string { return "card_lookups_burst" }

// LookUpCard checks what a cashier or a POS scanned or typed, within the
// limits, and returns the card's id (from a token) or number (from a typed
// code): a genuine but expired token is ErrCardExpired (it cannot be
// guessed, so it is not counted); any other failure is counted (see
// FailCardLookup) and answered as ErrCardInvalid, or as a
// *TooManyAttemptsError once over a limit. A right typed code is refused
// too while its source or card is over a limit, so a guess that hits after
// the limit gains nothing. The counters are written in tx: commit it even
// when the lookup failed.
func (s *Service) LookUpCard(ctx context.Context, tx Tx, src LookupSource, input string) (cardID int64, number string, err error) {
	now := s.Now()
	cardID, number, err = CardRefOf(s.Signer, input, now)
	switch {
	case errors.Is(err, ErrCardExpired):
		return 0, "", err
	case err != nil:
		return 0, "", s.failCardLookup(ctx, tx, src, TypedCardNumber(input), now)
	case number != "":
		if err := GuardCardLookup(ctx, tx, src, number, now); err != nil {
			return 0, "", err
		}
	}
	return cardID, number, nil
}

// ResolveCard finds the card behind what a cashier scanned or typed, or
// what a POS sent (a signed token, a t.me link or the typed code), through
// LookUpCard's limits and with its errors. A card that does not exist is
// ErrNotFound.
func (s *Service) ResolveCard(ctx context.Context, tx Tx, src LookupSource, input string) (*Card, error) {
	id, number, err := s.LookUpCard(ctx, tx, src, input)
	switch {
	case err != nil:
		return nil, err
	case number != "":
		return tx.FindCardByNumber(ctx, number)
	}
	return tx.FindCardByID(ctx, id)
}

// ResolveCardID is ResolveCard for a caller that reads the card next
// anyway (a checkout's quote reads it with its owner and their spend in
// one round trip): a scanned card's id comes from its signed token with
// no read of its own, a typed code's from the card with that number. A
// scanned card that does not exist is then the caller's read's
// ErrNotFound.
func (s *Service) ResolveCardID(ctx context.Context, tx Tx, src LookupSource, input string) (int64, error) {
	id, number, err := s.LookUpCard(ctx, tx, src, input)
	switch {
	case err != nil:
		return 0, err
	case number != "":
		card, err := tx.FindCardByNumber(ctx, number)
		if err != nil {
			return 0, err
		}
		return card.ID, nil
	}
	return id, nil
}

// FailCardLookup counts a failed lookup by src of number ("" when no typed
// card number was given) and records CardLookupsBurst when it took src to
// its limit. It returns how to answer: ErrCardInvalid, or a
// *TooManyAttemptsError once past a limit.
func (s *Service) FailCardLookup(ctx context.Context, tx Tx, src LookupSource, number string) error {
	return s.failCardLookup(ctx, tx, src, number, s.Now())
}

func (s *Service) failCardLookup(ctx context.Context, tx Tx, src LookupSource, number string, now time.Time) error {
	burst, err := FailCardLookup(ctx, tx, src, number, now)
	if burst != nil {
		if eerr := s.emit(ctx, tx, CardLookupsBurst{Burst: *burst}); eerr != nil {
			return eerr
		}
	}
	return err
}

// TypedCardNumber returns the card number part of a typed code, or "" when
// input is not shaped like one: a failure is counted against that number
// whether or not a card has it, so the counts reveal nothing.
func TypedCardNumber(input string) string {
	ref, err := ParseCardRef(input)
	if err != nil || ref.Code == "" || ref.Code[0] == '0' {
		return ""
	}
	return ref.Code[:cardNumberLen]
}

// lookupKeys lists the counters of a lookup: the source's and, for a typed
// code, the card number's, each in its current window.
func lookupKeys(src LookupSource, number string, now time.Time) []LookupKey {
	keys := []LookupKey{{Scope: src.Scope, Subject: src.ID, Window: windowStart(LimitOf(src.Scope), now)}}
	if number != "" {
		keys = append(keys, LookupKey{Scope: ScopeCard, Subject: number, Window: windowStart(cardLimit, now)})
	}
	return keys
}

// windowStart aligns now to the start of its window (UTC, from the epoch).
func windowStart(l LookupLimit, now time.Time) time.Time {
	return now.UTC().Truncate(l.Window)
}

// GuardCardLookup refuses a lookup of number by src while either is over
// its limit (a *TooManyAttemptsError); it writes nothing.
func GuardCardLookup(ctx context.Context, c LookupCounters, src LookupSource, number string, now time.Time) error {
	keys := lookupKeys(src, number, now)
	counts, err := c.CountLookupFailures(ctx, keys)
	if err != nil {
		return fmt.Errorf("count failed card lookups: %w", err)
	}
	return overLimit(keys, counts, now, atLimit)
}

// atLimit: a source or card that used up its failures is refused, even
// with a right code.
func atLimit(n, max int) bool { return n >= max }

// FailCardLookup counts a failed lookup by src (and of number, when a typed
// code named one) and says how to answer it: ErrCardInvalid, or a
// *TooManyAttemptsError once a count is past its limit. The failure that
// brings the source to its limit exactly returns the burst to report: the
// upsert makes that happen once per window, whatever the concurrency.
func FailCardLookup(ctx context.Context, c LookupCounters, src LookupSource, number string, now time.Time) (*LookupBurst, error) {
	keys := lookupKeys(src, number, now)
	counts, err := c.AddLookupFailures(ctx, keys, now.Add(-cardLimit.Window))
	if err != nil {
		return nil, fmt.Errorf("count a failed card lookup: %w", err)
	}
	var burst *LookupBurst
	if l := LimitOf(src.Scope); counts[0] == l.Max {
		burst = &LookupBurst{Source: src, Failures: counts[0], Window: l.Window}
	}
	if err := overLimit(keys, counts, now, func(n, max int) bool { return n > max }); err != nil {
		return burst, err
	}
	return burst, fmt.Errorf("%w: failed card lookup %d of %d", ErrCardInvalid, counts[0], LimitOf(src.Scope).Max)
}

// overLimit returns a *TooManyAttemptsError when over says a count is over
// its limit, with the time until the last such window ends.
func overLimit(keys []LookupKey, counts []int, now time.Time, over func(n, max int) bool) error {
	if len(counts) != len(keys) {
		return fmt.Errorf("%d failed-lookup counts for %d counters", len(counts), len(keys))
	}
	var wait time.Duration
	for i, k := range keys {
		l := LimitOf(k.Scope)
		if over(counts[i], l.Max) {
			wait = max(wait, k.Window.Add(l.Window).Sub(now))
		}
	}
	if wait <= 0 {
		return nil
	}
	return &TooManyAttemptsError{RetryAfter: wait}
}

// ResolveCardByPhone finds the card of the member with this phone, for a
// customer at the register without their card (a flat battery, no
// signal). A phone is no proof of who stands there, so the caller lets
// such a checkout add points only, never pay with them. A number that
// finds no member is a failed lookup of src, counted as a wrong code is
// (ErrCardInvalid, or a *TooManyAttemptsError past the limit), so phone
// numbers cannot be tried in bulk to learn who is a member; while src is
// over its limit even a right number is refused. A malformed number is
// ParsePhone's *ValidationError, not counted.
func (s *Service) ResolveCardByPhone(ctx context.Context, tx Tx, src LookupSource, raw string) (int64, error) {
	phone, err := s.Business.ParsePhone(raw)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	if err := GuardCardLookup(ctx, tx, src, "", now); err != nil {
		return 0, err
	}
	c, err := findCustomerByPhone(ctx, tx, phone, raw)
	if errors.Is(err, ErrNotFound) || (err == nil && (c.Erased || !c.Member())) {
		return 0, s.failCardLookup(ctx, tx, src, "", now)
	} else if err != nil {
		return 0, err
	}
	card, err := tx.FindCardByCustomer(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return 0, s.failCardLookup(ctx, tx, src, "", now)
	}
	if err != nil {
		return 0, err
	}
	return card.ID, nil
}

// IsPhoneLookup reports whether what a cashier typed or a POS sent for a
// card is a phone number (to find the card by, ResolveCardByPhone) rather
// than the card's code: a 14-digit code is always a code, though it would
// parse as a long phone number.
func (b *Business) IsPhoneLookup(input string) bool {
	if _, code := codeDigits(strings.TrimSpace(input)); code {
		return false
	}
	_, err := b.ParsePhone(input)
	return err == nil
}

// findCustomerByPhone finds the customer with phone, the number raw reads
// as, or with the number the reader before phone_region stored for raw
// ("999 123-45-67" as +9991234567): such rows were not rewritten. Only a
// typed number was ever misread so; a shared one the old reading lands
// on is someone else's number, not found.
func findCustomerByPhone(ctx context.Context, tx Tx, phone, raw string) (*Customer, error) {
	c, err := tx.FindCustomerByPhone(ctx, phone)
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	old, perr := ParsePhone(raw)
	if perr != nil || old == phone {
		return nil, err
	}
	if c, err = tx.FindCustomerByPhone(ctx, old); err != nil {
		return nil, err
	}
	if shared, err := tx.PhoneVerified(ctx, c.ID); err != nil || shared {
		return nil, cmp.Or(err, ErrNotFound)
	}
	return c, nil
}
