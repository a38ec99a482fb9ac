package domain

import (
	"context"
	"errors"
	"math"
	"time"
)

// Offers at the register: a discount or a gift a nudge promised ("show
// this message at the register, offer no. 42") is listed on the scanned
// card, and the cashier (or the POS) marks it used, once. Points offers
// are on the card already and need nothing at the till.

// OpenOffer is a discount or gift a sent nudge promised that is neither
// used nor past its end.
type OpenOffer struct {
	NudgeID int64 // the offer's number, as the message says it
	Rule    string
	Offer   NudgeOffer
	SentAt  time.Time
	Expires time.Time // zero: no end; else the end of the day the message says "until", in the customer's store's zone
}

// openOffersRead bounds the open offers a scan lists (and the rows read
// at a time), and how far back; openOffersPages how many pages of lapsed
// ones are read past before giving up.
const (
	openOffersRead  = 10
	openOffersDays  = 366
	openOffersPages = 20
)

// OfferStore keeps the use of the nudges' offers.
type OfferStore interface {
	// OpenOfferNudges lists a customer's sent nudges with a discount or a
	// gift not used yet, sent since since and before (until, untilID) by
	// (send time, id) (a message held for the quiet hours is not out
	// yet), newest first, at most limit.
	OpenOfferNudges(ctx context.Context, customerID int64, since, until time.Time, untilID int64, limit int) ([]Nudge, error)
	// OfferNudge is the customer's sent nudge nudgeID when it has a
	// discount or a gift not used yet, sent since since and by until;
	// ErrNotFound otherwise.
	OfferNudge(ctx context.Context, customerID, nudgeID int64, since, until time.Time) (*Nudge, error)
	// UseOffer marks a nudge's offer used, once; false when it was used
	// already or is no such offer of the customer.
	UseOffer(ctx context.Context, nudgeID, customerID, staffID, shopID int64, at time.Time) (bool, error)
}

// TillOffers reports whether any rule (enabled or not: its offers sent
// before stay open) promises a discount or a gift, which the register
// then looks up on each scanned card.
func (c *NudgeConfig) TillOffers() bool {
	for _, r := range c.Rules {
		for _, o := range r.RuleOffers() {
			if o.Type == OfferDiscount || o.Type == OfferGift {
				return true
			}
		}
	}
	return false
}

// OpenOffers lists the customer's offers to honour at the register, as
// the rules of the config describe them (a rule since removed leaves its
// offers out: nothing says what they were).
func (s *Service) OpenOffers(ctx context.Context, tx Tx, c *Customer) ([]OpenOffer, error) {
	now, customerID, loc := s.Now(), c.ID, s.zoneOf(ctx, tx, c.JoinedStoreID)
	since, until, untilID := now.AddDate(0, 0, -openOffersDays), now, int64(math.MaxInt64)
	var out []OpenOffer
	// Newest first, a page at a time: lapsed discounts (a fortnightly
	// restock offer let go) must not hide an older gift with no end.
	for page := 0; page < openOffersPages && len(out) < openOffersRead; page++ {
		ns, err := tx.OpenOfferNudges(ctx, customerID, since, until, untilID, openOffersRead)
		if err != nil {
			return nil, err
		}
		out = s.openOffersOf(ns, now, loc, out)
		if len(ns) < openOffersRead {
			break
		}
		until, untilID = ns[len(ns)-1].SendAt, ns[len(ns)-1].ID
	}
	if len(out) > openOffersRead {
		out = out[:openOffersRead]
	}
	return out, nil
}

// openOffersOf appends to out the nudges of ns whose offers are open at
// now, as the rules describe them; loc is the customer's zone, the one
// their messages' dates are in.
func (s *Service) openOffersOf(ns []Nudge, now time.Time, loc *time.Location, out []OpenOffer) []OpenOffer {
	for _, n := range ns {
		r, ok := s.Business.Nudges.Rule(n.Rule)
		if !ok {
			continue
		}
		o, ok := r.OfferOf(n.Offer)
		if !ok {
			continue
		}
		oo := OpenOffer{NudgeID: n.ID, Rule: n.Rule, Offer: o, SentAt: n.SendAt}
		if o.Days > 0 {
			// The message says "until" the day: good through it, to its
			// end in the customer's store's zone (as the nudge engine
			// dated it).
			if oo.Expires = LastDayEnd(n.SendAt, o.Days, loc); now.After(oo.Expires) {
				continue
			}
		}
		out = append(out, oo)
	}
	return out
}

// UseOffer marks a customer's open offer used at shopID, by staff (nil:
// the POS). One already used, past its end, or not the customer's is
// "error.offer.used".
func (s *Service) UseOffer(ctx context.Context, tx Tx, by *Staff, shopID int64, c *Customer, nudgeID int64) error {
	if by != nil && !by.CanCheckout() {
		return Invalid("staff.revoked")
	}
	// The offer itself, not the ten a scan lists: an eleventh the
	// customer shows (or the POS names) is as good.
	now, customerID := s.Now(), c.ID
	n, err := tx.OfferNudge(ctx, customerID, nudgeID, now.AddDate(0, 0, -openOffersDays), now)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	found := err == nil && len(s.openOffersOf([]Nudge{*n}, now, s.zoneOf(ctx, tx, c.JoinedStoreID), nil)) == 1
	var staffID int64
	if by != nil {
		staffID = by.ID
	}
	if found {
		if found, err = tx.UseOffer(ctx, nudgeID, customerID, staffID, shopID, s.Now()); err != nil {
			return err
		}
	}
	if !found {
		return Invalid("error.offer.used")
	}
	return nil
}
