package domain

import (
	"context"
	"math"
	"slices"
	"time"
)

// attributeNudges is the nudge engine's reaction to a purchase: it is
// credited to the customer's latest nudge (or hold-out record) whose
// attribution window is still open, so the report can compare the sent
// group with the held-out one. A cancellation takes back what stood of
// the purchase, and a return what it took off, from the nudge credited
// then. A statement deferred to the commit: the money path pays no round
// trip for it.
func attributeNudges(ctx context.Context, tx Tx, ev Event) error {
	var p *Purchase
	var amount int64
	switch e := ev.(type) {
	case PurchaseRecorded:
		p = &e.Result.Purchase
		amount = p.Amount
	case PurchaseCancelled:
		p = &e.Result.Purchase
		amount = -p.Amount
	case PurchaseReturned:
		p = &e.Result.Purchase
		amount = -e.Result.Return.Amount
	default:
		return nil
	}
	return tx.AttributePurchase(ctx, p.CustomerID, p.PublicID, amount, p.CreatedAt)
}

// withdrawBoughtNudges is the nudge engine's reaction to a new purchase:
// a win-back still waiting for the customer's hours ("We miss you", with
// its bonus), or an event rule's message a purchase spares them, is no
// longer true once they came: it is taken back with its bonus, recorded
// as done. (A replenishment reminder is trackReplenishment's, by
// category.)
func (s *Service) withdrawBoughtNudges(ctx context.Context, tx Tx, ev Event) error {
	switch e := ev.(type) {
	case PurchaseCancelled: // the purchase did not happen: what it withdrew may be due again
		return tx.ReopenWithdrawnNudges(ctx, e.Result.Purchase.CustomerID, e.Result.Purchase.ID)
	case PurchaseReturned:
		if e.Result.Purchase.Cancelled() { // returned in full
			return tx.ReopenWithdrawnNudges(ctx, e.Result.Purchase.CustomerID, e.Result.Purchase.ID)
		}
		return nil
	}
	e, ok := ev.(PurchaseRecorded)
	if !ok {
		return nil
	}
	var rules []string
	for _, r := range s.Business.Nudges.Rules {
		if r.Kind == NudgeWinBack || r.Kind == NudgeEvent && slices.Contains(r.UnlessEvents, UnlessPurchase) {
			rules = append(rules, r.ID)
		}
	}
	if len(rules) == 0 {
		return nil
	}
	p := &e.Result.Purchase
	return tx.WithdrawBoughtNudges(ctx, p.CustomerID, rules, p.CreatedAt)
}

// withdrawSparedNudges is the nudge engine's reaction to an event of the
// online shop: an event rule's message still waiting for the customer's
// hours (an abandoned cart's reminder held for the morning) is no longer
// true once an event that spares them (the order, placed overnight) came
// after the one it is about: it is taken back with its bonus, recorded as
// done, as a purchase takes it back. So is the waiting message of the
// rule's own event type about an earlier event (the first abandoned
// cart's): the later event takes its place, and its own message, about
// the latest cart, is not then skipped by the frequency cap.
func (s *Service) withdrawSparedNudges(ctx context.Context, tx Tx, ev Event) error {
	e, ok := ev.(ShopEventRecorded)
	if !ok {
		return nil
	}
	var rules []string
	for _, r := range s.Business.Nudges.Rules {
		if r.Kind == NudgeEvent && (r.Event == e.Event.Type || slices.Contains(r.UnlessEvents, string(e.Event.Type))) {
			rules = append(rules, r.ID)
		}
	}
	if len(rules) == 0 {
		return nil
	}
	return tx.WithdrawSparedNudges(ctx, e.Event.CustomerID, rules, e.Event.OccurredAt, e.Event.CreatedAt)
}

// Nudge buttons, recorded as the click of the message they are on.
const (
	NudgeClickOffer   = "offer"   // the offer or the card
	NudgeClickProfile = "profile" // complete the profile
	NudgeClickRewards = "rewards" // the prize road map
	NudgeClickNo      = "no"      // not interested: the rule stops for them
)

// ClickNudge records the customer's tap on a nudge's button (the chat's
// click-through). "Not interested" is recorded as declined, not as a
// click, and stops the rule for them. A nudge that is not theirs is
// ErrNotFound.
func (s *Service) ClickNudge(ctx context.Context, tx Tx, c *Customer, nudgeID int64, click string) (*Nudge, error) {
	if c == nil {
		return nil, ErrNotFound
	}
	switch click {
	case NudgeClickOffer, NudgeClickProfile, NudgeClickRewards, NudgeClickNo:
	default:
		return nil, ErrInvalid
	}
	return tx.ClickNudge(ctx, nudgeID, c.ID, click, s.Now())
}

// NudgeStat is one rule's row of /stats nudges: the due customers split
// into the sent group, the held-out control group and those the frequency
// cap skipped; conversions are purchases within the attribution window.
type NudgeStat struct {
	Rule                     string
	Due, Sent, HeldOut       int
	Skipped                  int // by the frequency cap
	Withdrawn                int // queued, then taken back: opted out or erased first
	Clicked                  int
	ConvertedSent            int
	ConvertedHeldOut         int
	Points                   int64 // bonus points given with the sent ones
	RevenueSent, RevenueHeld int64 // minor units, purchases within the window
}

// Rate is converted/of in tenths of a percent (123 is 12.3 %), rounded
// half up by integer arithmetic.
func Rate(converted, of int) int {
	if of == 0 {
		return 0
	}
	return (converted*2000 + of) / (2 * of)
}

// Uplift is the sent group's conversion rate minus the held-out group's,
// in tenths of a percentage point.
func (x NudgeStat) Uplift() int {
	return Rate(x.ConvertedSent, x.Sent) - Rate(x.ConvertedHeldOut, x.HeldOut)
}

// Confidence says how far the uplift can be trusted: "small" when either
// group is too small to tell (fewer than 30 customers, or fewer than 5
// conversions in both), else "significant" or "not_significant" by a
// two-proportion z-test at 95 %. (Floats here are statistics, never money
// or points.)
func (x NudgeStat) Confidence() string {
	if x.Sent < 30 || x.HeldOut < 30 || x.ConvertedSent+x.ConvertedHeldOut < 10 {
		return "small"
	}
	n1, n2 := float64(x.Sent), float64(x.HeldOut)
	p1, p2 := float64(x.ConvertedSent)/n1, float64(x.ConvertedHeldOut)/n2
	p := float64(x.ConvertedSent+x.ConvertedHeldOut) / (n1 + n2)
	se := math.Sqrt(p * (1 - p) * (1/n1 + 1/n2))
	if se == 0 || math.Abs(p1-p2)/se < 1.96 {
		return "not_significant"
	}
	return "significant"
}

// NudgeStatsSince reads the report of the nudges due since from to the
// members of store shopID (0: all), in the order of the config's rules.
func (s *Service) NudgeStatsSince(ctx context.Context, tx Tx, from time.Time, shopID int64) ([]NudgeStat, error) {
	rows, err := tx.NudgeStats(ctx, from, shopID)
	if err != nil {
		return nil, err
	}
	by := map[string]NudgeStat{}
	for _, r := range rows {
		by[r.Rule] = r
	}
	var out []NudgeStat
	for _, r := range s.Business.Nudges.Rules {
		if x, ok := by[r.ID]; ok {
			out = append(out, x)
			delete(by, r.ID)
		}
	}
	for _, r := range rows { // rules since removed from the config
		if _, ok := by[r.Rule]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// NudgeOfferStat is one offer type's line of /stats nudges: which offer
// brings customers back, across the rules that carry it.
type NudgeOfferStat struct {
	Offer                           string
	Sent, HeldOut                   int
	ConvertedSent, ConvertedHeldOut int
	// Used counts the discounts and gifts honoured at the register.
	Used int
}

// NudgeOfferStatsSince reads the offer types' report of the nudges due
// since from to the members of store shopID (0: all).
func (s *Service) NudgeOfferStatsSince(ctx context.Context, tx Tx, from time.Time, shopID int64) ([]NudgeOfferStat, error) {
	return tx.NudgeOfferStats(ctx, from, shopID)
}
