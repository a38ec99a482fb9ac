package domain

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"
)

// LedgerReferral is the points a referral brings, to the member who
// invited and to the friend who came.
const LedgerReferral LedgerKind = "referral"

// ReferralOutcome is what joining through a friend's link did.
type ReferralOutcome int

// Referral outcomes.
const (
	// ReferralNone: no link, an unknown one, or referrals are off.
	ReferralNone ReferralOutcome = iota
	// ReferralPending: recorded; both bonuses come with the first purchase.
	ReferralPending
	// ReferralRefused: the friend is the member who invited (the same
	// phone) or was a member before (an erased phone or account).
	ReferralRefused
)

// Reasons a referral brings no bonus, stored with it.
const (
	ReferralSamePhone    = "same_phone"
	ReferralMemberBefore = "member_before"
)

// ReferralCompleted: a friend who joined through a member's link made
// their first purchase, and both got their bonus (once per friend).
type ReferralCompleted struct {
	Referrer      *Customer // nil when the referrer erased their data
	Friend        *Customer
	ReferrerBonus int64 // credited now (0: none)
	FriendBonus   int64
}

func (ReferralCompleted) eventName() string { return "referral_completed" }

// ReferralVoided: the purchase that completed a referral was cancelled,
// or returned in full, so the referral is void and its bonuses are taken
// back as far as they are still on the cards (a bonus spent since stays
// spent). Taken are the points taken now.
type ReferralVoided struct {
	Referrer, Friend           *Customer // nil when gone (erased)
	ReferrerTaken, FriendTaken int64
}

func (ReferralVoided) eventName() string { return "referral_voided" }

// Referral is a friend who joined through a member's link.
type Referral struct {
	FriendID    int64
	ReferrerID  int64
	JoinedAt    time.Time
	Refused     string // why no bonus ("" none)
	CompletedAt time.Time
	// Round counts the completions: a void referral completes again with
	// the friend's next first purchase (0: never completed).
	Round int
	// VoidedAt is when the completing purchase was cancelled or returned
	// in full (zero: not void).
	VoidedAt time.Time
}

// ReferralCode is a member's own invite code and when it was made.
type ReferralCode struct {
	Code      string
	CreatedAt time.Time
}

// Referrer is the member behind a referral code, as the code knows them.
type Referrer struct {
	Customer *Customer
	// PhoneHash is the member's phone (salted hash) when their link was
	// last shown: a friend with that phone is the member again.
	PhoneHash []byte
}

// ReferralStats counts a member's referrals: friends who joined, and
// those of them who made a first purchase.
type ReferralStats struct{ Joined, Bought int }

// ReferralStore keeps the members' codes and their friends.
type ReferralStore interface {
	// SaveReferralCode gives a customer code unless they have one (then
	// the stored code is returned, with its phone hash refreshed);
	// ErrConflict when another customer holds code.
	SaveReferralCode(ctx context.Context, customerID int64, code string, phoneHash []byte, at time.Time) (string, error)
	// FindReferrer finds the member, not erased, whose code it is.
	FindReferrer(ctx context.Context, code string) (*Referrer, error)
	// RecordReferral records a friend's joining (once per friend: false
	// when recorded before).
	RecordReferral(ctx context.Context, r Referral) (bool, error)
	// CompleteReferral marks the friend's referral, pending or void,
	// completed by the purchase, one round more, and returns it;
	// ErrNotFound when there is none to complete.
	CompleteReferral(ctx context.Context, friendID int64, purchasePublicID string, at time.Time) (*Referral, error)
	// VoidReferral marks void, once, the friend's completed referral when
	// the friend's card has no purchase left standing, and returns it;
	// ErrNotFound otherwise.
	VoidReferral(ctx context.Context, friendID, cardID int64, at time.Time) (*Referral, error)
	// SumLedgerKeys adds up the ledger rows written with these keys.
	SumLedgerKeys(ctx context.Context, keys []string) (int64, error)
	// ReferralStats counts a member's referrals.
	ReferralStats(ctx context.Context, referrerID int64) (ReferralStats, error)
	// FindReferralCode is the customer's own code; ErrNotFound when they
	// never asked for one.
	FindReferralCode(ctx context.Context, customerID int64) (*ReferralCode, error)
	// FindReferralOf is the referral the customer joined through, as the
	// friend; ErrNotFound when they joined without one.
	FindReferralOf(ctx context.Context, friendID int64) (*Referral, error)
}

// referralAlphabet: lower-case letters and digits without the look-alikes
// (0/o, 1/l), so a code read aloud survives.
const referralAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// newReferralCode draws 10 characters: "r_" and the code stay far inside
// the 64 characters of a start payload.
func newReferralCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = referralAlphabet[int(b[i])%len(referralAlphabet)]
	}
	return string(b)
}

// InviteCode is a member's personal referral code (the r_<code> deep
// link), made on first use. It records the member's phone as it is now,
// so a friend who later shares the same number is the member again.
func (s *Service) InviteCode(ctx context.Context, tx Tx, c *Customer) (string, error) {
	var hash []byte
	if c.Phone != "" {
		hash = PhoneHash(s.Salt, c.Phone)
	}
	for range 5 {
		code, err := tx.SaveReferralCode(ctx, c.ID, newReferralCode(), hash, s.Now())
		if errors.Is(err, ErrConflict) {
			continue
		}
		return code, err
	}
	return "", fmt.Errorf("referral code for customer %d: no free code after 5 draws", c.ID)
}

// FindReferrer is the member behind a code, for a link being opened;
// ErrNotFound when referrals are off or nobody has the code.
func (s *Service) FindReferrer(ctx context.Context, tx Tx, code string) (*Referrer, error) {
	if !s.Business.Gamification.Referral.Enabled {
		return nil, ErrNotFound
	}
	return tx.FindReferrer(ctx, code)
}

// ReferralStats counts the friends a member brought.
func (s *Service) ReferralStats(ctx context.Context, tx Tx, c *Customer) (ReferralStats, error) {
	return tx.ReferralStats(ctx, c.ID)
}

// recordReferral records that a new member came through a friend's code.
// A friend who is the member behind the code (the same phone as theirs,
// now or when the link was shown) or who was a member before (a phone or
// account an erased member had) is recorded as refused: no bonus, ever.
// A code gone with its member's erasure since the link was opened is
// recorded against referrerID, the member it named then: the friend was
// promised their bonus, and the erased member gets none (completeReferral).
// referrerPhone is the code's phone (PhoneHash) as the link was opened.
func (s *Service) recordReferral(ctx context.Context, tx Tx, c *Customer, code string, referrerID int64, referrerPhone []byte) (ReferralOutcome, error) {
	if code == "" || !s.Business.Gamification.Referral.Enabled {
		return ReferralNone, nil
	}
	ref, err := tx.FindReferrer(ctx, code)
	if errors.Is(err, ErrNotFound) && referrerID != 0 {
		ref, err = erasedReferrer(ctx, tx, referrerID, referrerPhone)
	}
	if errors.Is(err, ErrNotFound) {
		return ReferralNone, nil
	}
	if err != nil {
		return ReferralNone, err
	}
	if ref.Customer.ID == c.ID {
		return ReferralNone, nil
	}
	r := Referral{FriendID: c.ID, ReferrerID: ref.Customer.ID, JoinedAt: s.Now()}
	phone := PhoneHash(s.Salt, c.Phone)
	switch {
	case c.Phone != "" && (c.Phone == ref.Customer.Phone || bytes.Equal(phone, ref.PhoneHash)):
		r.Refused = ReferralSamePhone
	default:
		phoneBefore, err := tx.PhoneErased(ctx, phone)
		if err != nil {
			return ReferralNone, err
		}
		accountBefore, err := tx.AccountErased(ctx, AccountHash(s.Salt, c.TelegramID), s.Now())
		if err != nil {
			return ReferralNone, err
		}
		if phoneBefore || accountBefore {
			r.Refused = ReferralMemberBefore
		}
	}
	if _, err := tx.RecordReferral(ctx, r); err != nil {
		return ReferralNone, err
	}
	if r.Refused != "" {
		return ReferralRefused, nil
	}
	return ReferralPending, nil
}

// erasedReferrer is the member behind a link opened before they erased
// their data, with their code's phone as it was then; ErrNotFound when
// they are not erased.
func erasedReferrer(ctx context.Context, tx Tx, id int64, phoneHash []byte) (*Referrer, error) {
	c, err := tx.FindCustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Erased {
		return nil, ErrNotFound
	}
	return &Referrer{Customer: c, PhoneHash: phoneHash}, nil
}

// completeReferral pays a referral with the friend's first purchase: the
// friend's bonus and the referrer's (unless the referrer erased their
// data), and records ReferralCompleted. A referral a void took back
// completes again with the next first purchase, each side given back
// only what the void took from it: what a side spent before the void
// stays spent, so no side ever holds more than one bonus's worth.
func (s *Service) completeReferral(ctx context.Context, tx Tx, r *PurchaseResult) error {
	cfg := s.Business.Gamification.Referral
	friend := r.Customer
	if !cfg.Enabled || friend == nil || friend.Erased {
		return nil
	}
	ref, err := tx.CompleteReferral(ctx, friend.ID, r.Purchase.PublicID, s.Now())
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	pay := func(customerID int64, side string, bonus int64) (int64, error) {
		if bonus <= 0 {
			return 0, nil
		}
		had, err := tx.SumLedgerKeys(ctx, referralKeys(friend.ID, side, ref.Round-1))
		if err != nil {
			return 0, err
		}
		give := bonus - had
		if give <= 0 {
			return 0, nil
		}
		credit, _ := referralKey(friend.ID, side, ref.Round)
		if ok, err := s.creditPromo(ctx, tx, customerID, LedgerReferral, give, credit); err != nil || !ok {
			return 0, err
		}
		return give, nil
	}
	ev := ReferralCompleted{Friend: friend}
	if ev.FriendBonus, err = pay(friend.ID, "friend", cfg.FriendBonus); err != nil {
		return err
	}
	referrer, err := tx.FindCustomerByID(ctx, ref.ReferrerID)
	if err != nil {
		return err
	}
	if !referrer.Erased && referrer.Member() {
		ev.Referrer = referrer
		if ev.ReferrerBonus, err = pay(referrer.ID, "referrer", cfg.ReferrerBonus); err != nil {
			return err
		}
	}
	return s.emit(ctx, tx, ev)
}

// referralKey is the idempotency key of a side's ("friend", "referrer")
// bonus in a round of a referral, and of its take-back. The first
// round's keys are those written before referrals had rounds.
func referralKey(friendID int64, side string, round int) (credit, void string) {
	credit = fmt.Sprintf("referral:%d:%s", friendID, side)
	if round <= 1 {
		return credit, credit + ":void"
	}
	return fmt.Sprintf("%s:%d", credit, round), fmt.Sprintf("%s:void:%d", credit, round)
}

// referralKeys lists a side's keys of rounds 1 to round: what they add
// up to is what the side holds of its bonus now.
func referralKeys(friendID int64, side string, round int) []string {
	keys := make([]string, 0, 2*round)
	for n := 1; n <= round; n++ {
		credit, void := referralKey(friendID, side, n)
		keys = append(keys, credit, void)
	}
	return keys
}

// voidReferral is the reaction to a cancellation or a full return that
// leaves the friend's card with no purchase standing: the referral is
// void and what each side holds of its bonus is taken back as far as it
// is still on the card, so buying to earn the bonuses and bringing it
// all back earns nothing, and the referrer's referral badges whose count
// is no longer reached go with it (takeBackReferralBadges). The next
// first purchase completes it again (completeReferral). Cards are locked
// friend first, then referrer, the order a purchase completing a
// referral takes them in.
func (s *Service) voidReferral(ctx context.Context, tx Tx, p *Purchase) error {
	ref, err := tx.VoidReferral(ctx, p.CustomerID, p.CardID, s.Now())
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	ev := ReferralVoided{}
	take := func(customerID int64, side string) (*Customer, int64, error) {
		c, err := tx.FindCustomerByID(ctx, customerID)
		if err != nil || c.Erased {
			return nil, 0, err
		}
		held, err := tx.SumLedgerKeys(ctx, referralKeys(ref.FriendID, side, ref.Round))
		if err != nil || held <= 0 {
			return c, 0, err
		}
		card, err := tx.FindCardByCustomer(ctx, customerID)
		if err != nil {
			return nil, 0, err
		}
		if _, err := tx.LockCard(ctx, card.ID); err != nil {
			return nil, 0, err
		}
		// From the bonus's own lots first: taken from another, that one's
		// points would die at the bonus's date.
		own, err := tx.OpenLotsOfKeys(ctx, card.ID, referralKeys(ref.FriendID, side, ref.Round))
		if err != nil {
			return nil, 0, err
		}
		_, key := referralKey(ref.FriendID, side, ref.Round)
		_, n, created, err := takeBack(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerReferral, Amount: -held,
			Reason: p.PublicID, IdempotencyKey: key, CreatedAt: s.Now()}, LotPromo, own...)
		if err != nil || !created {
			return c, 0, err
		}
		return c, n, nil
	}
	if ev.Friend, ev.FriendTaken, err = take(ref.FriendID, "friend"); err != nil {
		return err
	}
	if ev.Referrer, ev.ReferrerTaken, err = take(ref.ReferrerID, "referrer"); err != nil {
		return err
	}
	if err := s.emit(ctx, tx, ev); err != nil {
		return err
	}
	// The referrer no longer counts this friend: a referral badge whose
	// count they no longer reach goes with it.
	return s.takeBackReferralBadges(ctx, tx, ev.Referrer, p.PublicID)
}

// takeBackReferralBadges takes back, with a voided referral (voidReferral),
// the referrer's referral badges whose count of friends who bought the
// referrer no longer reaches, counted as checkBadges counts them; the
// friend's next first purchase completes the referral and earns them
// again. reason is the purchase that voided it. The referrer's card is
// locked after the friend's, the order voidReferral keeps.
func (s *Service) takeBackReferralBadges(ctx context.Context, tx Tx, referrer *Customer, reason string) error {
	bs := s.Business.Gamification.badgesOf(BadgeReferral)
	if len(bs) == 0 || referrer == nil || referrer.Erased {
		return nil
	}
	f, err := tx.BadgeFacts(ctx, s.badgeQuery(referrer.ID, bs, time.Time{}))
	if err != nil {
		return err
	}
	var card *Card
	for _, b := range bs {
		if !f.Earned(b.ID, "") {
			continue
		}
		if n, total := s.badgeProgress(b, f); total == 0 || n >= total {
			continue
		}
		a, err := tx.TakeBackBadge(ctx, referrer.ID, b.ID, "")
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if card == nil {
			if card, err = tx.FindCardByCustomer(ctx, referrer.ID); err != nil {
				return err
			}
			if _, err := tx.LockCard(ctx, card.ID); err != nil {
				return err
			}
		}
		if err := s.takeBackAward(ctx, tx, referrer, card.ID, *a, reason, true); err != nil {
			return err
		}
	}
	return nil
}
