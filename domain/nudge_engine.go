package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// LedgerNudge is the bonus points a nudge brings (a birthday gift, a
// win-back offer).
const LedgerNudge LedgerKind = "nudge"

// LedgerNudgeWithdrawn takes back what is left of a marketing nudge's
// bonus when its message was withdrawn before it went (the customer
// opted out meanwhile).
const LedgerNudgeWithdrawn LedgerKind = "nudge_withdrawn"

// NudgeDue is a customer a rule found due, with what the message needs.
type NudgeDue struct {
	CustomerID int64
	ChatID     int64
	Language   string
	FirstName  string
	CardID     int64
	Balance    int64
	TimeZone   string // the customer's store's
	Occurrence string
	// Points and Expires: the points about to expire and when (expiring).
	Points  int64
	Expires time.Time
	// Items are the products of the shop event that made it due (event).
	Items []ShopItem
	// Names are whose birthday it is (family birthday): the children's or
	// pets' names given, in the order they were entered.
	Names []string
	// ContactFrom and ContactTo are the customer's own window for
	// messages (minutes after local midnight); equal: none.
	ContactFrom, ContactTo int
	// Category: the triggering purchase's category the rule watches or
	// has a text for (welcome, win-back, replenish); '' none.
	Category string
	// LastOffer is the offer type this customer last converted on ('' if
	// none), for a rule that picks the offer they respond to.
	LastOffer string
	// HeldOut: this customer is in the rule's control group (a hash of
	// rule, customer and occurrence, so a dry run agrees with the run).
	HeldOut bool
	// Skip says why a marketing rule does not send (SkipCapped is
	// recorded; the others only show in a dry run).
	Skip string
}

// NudgeQuery asks the storage who is due for a rule, set-based.
type NudgeQuery struct {
	Rule         NudgeRule
	Now          time.Time
	TopicDefault bool
	// Zone is the time zone of a customer without a store of their own:
	// the business's (Business.Location), the first store of the config,
	// which need not be the oldest store in the database.
	Zone string
	// CapSince: a marketing nudge sent after it caps the customer (zero:
	// no cap).
	CapSince time.Time
	// Sections is how many questionnaire sections the business has (the
	// profile step is skipped for a customer who completed them all).
	Sections int
	// Family is where a family birthday rule finds the dates: its groups
	// the questionnaire has, with their date and name fields.
	Family []FamilyGroup
	// All includes the customers a marketing rule skips, with Skip set
	// (a dry run); the engine leaves them out.
	All   bool
	Limit int
	// AfterDays and AfterWindow are the Days and Window of the rule's
	// After step (a win-back's first step), which bound when that step
	// can have been recorded.
	AfterDays, AfterWindow int
	// ProfileRules are the other rules that invite to the profile (see
	// NudgeRule.InvitesToProfile), so a customer is not asked to fill it
	// twice in a few days: one sent since ProfileSince makes an onboarding
	// step done, and the profile reminder waits its own spacing (Days)
	// after any of them.
	ProfileRules []string
	ProfileSince time.Time
	// WaitSince (a rule that waits, see NudgeRule.Waits): while the
	// customer was sent a nudge after it, the rule is not due yet; it is
	// not recorded, so a later tick sends it (zero: the rule does not wait).
	WaitSince time.Time
	// Chain is the rule and the steps chained to it by After, before and
	// after it: "not interested" on any of them stops them all (the
	// second win-back, the rest of the onboarding tips). Empty: the rule
	// alone.
	Chain []string
}

// Nudge is one due nudge as stored: sent, held out or skipped.
type Nudge struct {
	ID             int64
	Rule           string
	CustomerID     int64
	Occurrence     string
	Marketing      bool
	Outcome        string
	Reason         string
	DueAt          time.Time
	SendAt         time.Time
	AttributeUntil time.Time
	Points         int64
	// Offer is the type of the offer it carried ('' none); BonusExpires
	// is when the offer (points, discount or gift) ends.
	Offer        string
	BonusExpires time.Time
	Click        string
	ClickedAt    time.Time
	DeclinedAt   time.Time
	// OfferUsedAt is when the discount or gift was honoured at the
	// register (zero: not yet).
	OfferUsedAt time.Time
}

// NudgeStore keeps the nudges.
type NudgeStore interface {
	// ListNudgesDue runs the rule's one set-based query.
	ListNudgesDue(ctx context.Context, q NudgeQuery) ([]NudgeDue, error)
	// ReserveNudgeIDs takes n ids, so a message can name its nudge in its
	// buttons before the nudge is written.
	ReserveNudgeIDs(ctx context.Context, n int) ([]int64, error)
	// RecordNudge writes n with its reserved id; false when that (rule,
	// customer, occurrence) was recorded before (by another replica).
	RecordNudge(ctx context.Context, n *Nudge) (bool, error)
	// QueueNudgeMessage queues the message of a recorded nudge.
	QueueNudgeMessage(ctx context.Context, nudgeID int64, m OutMessage) error
	// AttributePurchase credits a purchase to the customer's latest nudge
	// (or hold-out record) whose window was open at its time, at; a
	// negative amount takes back what a cancellation or a return took off
	// it. It may be deferred to the commit.
	AttributePurchase(ctx context.Context, customerID int64, purchasePublicID string, amount int64, at time.Time) error
	// ClickNudge records a tap on a nudge's button (the first one counts
	// as the click; "no" also declines the rule). ErrNotFound when the
	// nudge is not the customer's.
	ClickNudge(ctx context.Context, id, customerID int64, click string, at time.Time) (*Nudge, error)
	// NudgeStats sums the nudges due since from, per rule, of the members
	// of store shopID (0: all; a member's store is their activity's).
	NudgeStats(ctx context.Context, from time.Time, shopID int64) ([]NudgeStat, error)
	// ListCustomerNudges lists a customer's nudges, oldest first (for the
	// data export).
	ListCustomerNudges(ctx context.Context, customerID int64) ([]Nudge, error)
	// NudgeOfferStats sums the nudges with an offer due since from, per
	// offer type.
	NudgeOfferStats(ctx context.Context, from time.Time, shopID int64) ([]NudgeOfferStat, error)
	// TrackReplenishment rewrites the customer's last live purchase and
	// rhythm in each of the categories, from the card's purchases, with
	// the commit; bought (not zero: a new purchase at that time) also
	// withdraws the reminders of those categories still waiting to go.
	TrackReplenishment(ctx context.Context, customerID, cardID int64, categories []string, bought time.Time) error
	// WithdrawBoughtNudges takes back, with the commit, the customer's
	// nudges of the rules still waiting to go (quiet hours, their window)
	// that a purchase at bought made untrue, and their bonus: recorded
	// as done.
	WithdrawBoughtNudges(ctx context.Context, customerID int64, rules []string, bought time.Time) error
	// ReopenWithdrawnNudges, with the commit, lets the engine record
	// again the customer's nudges that purchase purchaseID withdrew (a
	// win-back, a restock reminder waiting for the morning), the purchase
	// having been cancelled or returned in full: it did not happen.
	ReopenWithdrawnNudges(ctx context.Context, customerID, purchaseID int64) error
	// WithdrawSparedNudges takes back at at, with the commit, the
	// customer's nudges of the event rules still waiting to go whose shop
	// event happened at or before occurred (a later event that spares
	// them came), and their bonus: recorded as done.
	WithdrawSparedNudges(ctx context.Context, customerID int64, rules []string, occurred, at time.Time) error
	// WithdrawSwitchedOffNudges takes back at at the nudges of the rules
	// not in enabled still waiting to go (quiet hours, the customer's
	// window), and their bonus: recorded as SkipSwitchedOff.
	WithdrawSwitchedOffNudges(ctx context.Context, enabled []string, at time.Time) error
}

// NudgeRender builds the message of a nudge that is sent; n has its id,
// bonus and send time.
type NudgeRender func(r NudgeRule, d NudgeDue, n *Nudge) (json.RawMessage, error)

// NudgeReport is what one run of the engine did, per outcome.
type NudgeReport struct {
	Sent, HeldOut, Skipped int
	Failed                 []error
	// raced counts due customers another engine recorded first: progress
	// for this one too, since the next query no longer finds them.
	raced int
}

// Nudge engine limits: a batch is one transaction; a rule queues at most
// maxPerRun per run (the sender cannot send more in a minute anyway),
// and the next run goes on.
const (
	nudgeBatch     = 500
	nudgeMaxPerRun = 5000
)

// RunNudges is the nudge engine's tick: for each enabled rule, highest
// priority first, one set-based query finds who is due, and each due
// customer gets a row (sent, held out, or skipped by the frequency cap)
// and, when sent, its bonus and its message, in one transaction per batch.
// The row's uniqueness on (rule, customer, occurrence) makes it once only,
// whoever runs it. A batch that fails is retried a customer at a time,
// so one that cannot be written holds up no other.
func (s *Service) RunNudges(ctx context.Context, st Store, render NudgeRender) (NudgeReport, error) {
	var rep NudgeReport
	now := s.Now()
	// A rule the owner switched off sends nothing more: not even what it
	// queued before, still waiting for the customer's hours.
	enabled := []string{}
	for _, r := range s.Business.Nudges.ByPriority() {
		enabled = append(enabled, r.ID)
	}
	if err := st.Update(ctx, func(tx Tx) error { return tx.WithdrawSwitchedOffNudges(ctx, enabled, now) }); err != nil {
		return rep, fmt.Errorf("nudge rules switched off: %w", err)
	}
	for _, r := range s.Business.Nudges.ByPriority() {
		if !s.nudgeMayBeDue(r, now) {
			continue
		}
		for done := 0; done < nudgeMaxPerRun; {
			var dues []NudgeDue
			err := st.Update(ctx, func(tx Tx) (err error) {
				dues, err = tx.ListNudgesDue(ctx, s.nudgeQuery(r, now, false, nudgeBatch))
				return err
			})
			if err != nil {
				return rep, fmt.Errorf("nudge rule %s: %w", r.ID, err)
			}
			if len(dues) == 0 {
				break
			}
			before := rep.Sent + rep.HeldOut + rep.Skipped + rep.raced
			s.writeNudges(ctx, st, r, dues, render, now, &rep)
			done += len(dues)
			if len(dues) < nudgeBatch || rep.Sent+rep.HeldOut+rep.Skipped+rep.raced == before {
				break // the rest failed: the next run tries again
			}
		}
	}
	return rep, errors.Join(rep.Failed...)
}

// writeNudges writes a batch in one transaction, or each due customer in
// its own when the batch fails.
func (s *Service) writeNudges(ctx context.Context, st Store, r NudgeRule, dues []NudgeDue, render NudgeRender, now time.Time, rep *NudgeReport) {
	var batch NudgeReport
	err := st.Update(ctx, func(tx Tx) error {
		batch = NudgeReport{}
		return s.writeNudgeBatch(ctx, tx, r, dues, render, now, &batch)
	})
	if err == nil {
		rep.Sent, rep.HeldOut, rep.Skipped = rep.Sent+batch.Sent, rep.HeldOut+batch.HeldOut, rep.Skipped+batch.Skipped
		rep.raced += batch.raced
		return
	}
	for _, d := range dues {
		var one NudgeReport
		err := st.Update(ctx, func(tx Tx) error {
			one = NudgeReport{}
			return s.writeNudgeBatch(ctx, tx, r, []NudgeDue{d}, render, now, &one)
		})
		if err != nil {
			rep.Failed = append(rep.Failed, fmt.Errorf("nudge %s for customer %d: %w", r.ID, d.CustomerID, err))
			continue
		}
		rep.Sent, rep.HeldOut, rep.Skipped = rep.Sent+one.Sent, rep.HeldOut+one.HeldOut, rep.Skipped+one.Skipped
		rep.raced += one.raced
	}
}

func (s *Service) writeNudgeBatch(ctx context.Context, tx Tx, r NudgeRule, dues []NudgeDue, render NudgeRender, now time.Time, rep *NudgeReport) error {
	ids, err := tx.ReserveNudgeIDs(ctx, len(dues))
	if err != nil {
		return err
	}
	for i, d := range dues {
		n := s.planNudge(r, d, now)
		n.ID = ids[i]
		created, err := tx.RecordNudge(ctx, n)
		if err != nil {
			return err
		}
		if !created {
			rep.raced++
			continue
		}
		switch n.Outcome {
		case NudgeHeldOut:
			rep.HeldOut++
			continue
		case NudgeSkipped:
			rep.Skipped++
			continue
		}
		if n.Points > 0 {
			e := LedgerEntry{CardID: d.CardID, Kind: LedgerNudge, Amount: n.Points, Reason: r.ID,
				IdempotencyKey: fmt.Sprintf("nudge:%d", n.ID), ExpiresAt: n.BonusExpires}
			if _, _, err := Credit(ctx, tx, e, LotPromo); err != nil {
				return err
			}
		}
		payload, err := render(r, d, n)
		if err != nil {
			return err
		}
		payloads, err := s.heldPayloads(n.SendAt, now, func(lang string) (json.RawMessage, error) {
			other := d
			other.Language = lang
			return render(r, other, n)
		})
		if err != nil {
			return err
		}
		m := OutMessage{ChatID: d.ChatID, Payload: payload, Payloads: payloads, NotBefore: n.SendAt}
		if err := tx.QueueNudgeMessage(ctx, n.ID, m); err != nil {
			return err
		}
		rep.Sent++
	}
	return nil
}

// planNudge decides what a due customer gets: when (out of quiet hours),
// which group, and the bonus.
func (s *Service) planNudge(r NudgeRule, d NudgeDue, now time.Time) *Nudge {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	cfg := &s.Business.Nudges
	send := NextContactTime(now, loc, cfg.QuietStart, cfg.QuietEnd, d.ContactFrom, d.ContactTo)
	n := &Nudge{Rule: r.ID, CustomerID: d.CustomerID, Occurrence: d.Occurrence, Marketing: r.Marketing,
		Outcome: NudgeSent, DueAt: now, SendAt: send, AttributeUntil: send.AddDate(0, 0, r.AttributionDays)}
	switch {
	case d.Skip == SkipCapped:
		n.Outcome, n.Reason = NudgeSkipped, SkipCapped
	case d.Skip != "":
		n.Outcome, n.Reason = NudgeSkipped, d.Skip
	case r.Kind == NudgeExpiring && !d.Expires.IsZero() && !send.Before(d.Expires):
		n.Outcome, n.Reason = NudgeSkipped, SkipTooLate
	case d.HeldOut:
		n.Outcome = NudgeHeldOut
	}
	o, ok := r.PickOffer(d.LastOffer)
	if !ok || n.Outcome == NudgeSkipped {
		return n
	}
	n.Offer = o.Type
	days := o.Days
	if o.Type == OfferPoints {
		if n.Outcome == NudgeSent {
			n.Points = o.Points
		}
		if days == 0 {
			days = r.BonusDays
		}
		if days == 0 {
			days = s.Business.WelcomeBonusDays
		}
	}
	if days > 0 {
		// The message says "valid until" a day: good through it, to the
		// end of that day in the customer's store's zone.
		n.BonusExpires = LastDayEnd(send, days, loc)
	}
	return n
}

// NudgeQuery is the query one batch of the engine's tick runs for rule r
// at the given time: what the benchmarks time and EXPLAIN shows.
func (s *Service) NudgeQuery(r NudgeRule, at time.Time) NudgeQuery {
	return s.nudgeQuery(r, at, false, nudgeBatch)
}

// NudgeMayBeDue tells whether the engine runs rule r's query at the given
// time at all: a dated rule only on its days.
func (s *Service) NudgeMayBeDue(r NudgeRule, at time.Time) bool { return s.nudgeMayBeDue(r, at) }

// nudgeQuery is the rule's query at now.
func (s *Service) nudgeQuery(r NudgeRule, now time.Time, all bool, limit int) NudgeQuery {
	q := NudgeQuery{Rule: r, Now: now, All: all, Limit: limit, Sections: len(s.Business.Questionnaire.Sections),
		Zone: s.Business.Location().String()}
	if r.Kind == NudgeFamily {
		q.Family = familyGroups(&s.Business.Questionnaire, r)
	}
	if t, ok := s.Business.Topic(r.Topic); ok {
		q.TopicDefault = t.Default
	}
	if a, ok := s.Business.Nudges.Rule(r.After); ok && r.After != "" {
		q.AfterDays, q.AfterWindow = a.Days, a.Window
	}
	q.Chain = s.Business.Nudges.Chain(r.ID)
	if r.Marketing && s.Business.Nudges.CapDays > 0 {
		q.CapSince = now.AddDate(0, 0, -s.Business.Nudges.CapDays)
	}
	if r.Waits() {
		q.WaitSince = now.Add(-NudgeWaitGap)
	}
	if r.InvitesToProfile() {
		q.ProfileRules = []string{}
		for _, o := range s.Business.Nudges.Rules {
			if o.InvitesToProfile() && o.ID != r.ID {
				q.ProfileRules = append(q.ProfileRules, o.ID)
			}
		}
		q.ProfileSince = now.AddDate(0, 0, -ProfileInviteGapDays)
	}
	return q
}

// NudgeWaitGap is how long after any nudge the customer was sent a rule
// that waits is held back: such a message is never the second of a day.
const NudgeWaitGap = 24 * time.Hour

// Waits tells a rule whose message keeps for a day or two: the onboarding
// chain and the profile reminder, which tell and ask, offer nothing dated
// and have days to go out in (their window). They wait NudgeWaitGap after
// any other nudge the customer was sent, so a birthday, a win-back or
// points expiring is not followed the same day by a tip. The others are
// about a moment (the first purchase, a birthday, a holiday, points about
// to expire, a cart, a restock) and are capped, if marketing, by the
// frequency cap instead.
func (r NudgeRule) Waits() bool {
	return r.Kind == NudgeOnboarding || r.Kind == NudgeProfile
}

// ProfileInviteGapDays: an onboarding step that invites to the profile
// counts as done when another invitation went out this recently.
const ProfileInviteGapDays = 7

// InvitesToProfile tells a rule whose message asks the customer to fill
// the profile (its button opens it): the profile reminder, and an
// onboarding step that is pointless once the profile is complete.
func (r NudgeRule) InvitesToProfile() bool {
	return r.Kind == NudgeProfile || r.Unless == UnlessProfileComplete
}

// nudgeMayBeDue skips the query of a dated rule on the days it cannot be
// due in any store's time zone, of a family birthday rule whose groups
// the questionnaire does not have, and of a replenishment rule that
// watches no category.
func (s *Service) nudgeMayBeDue(r NudgeRule, now time.Time) bool {
	if r.Kind == NudgeFamily {
		return len(familyGroups(&s.Business.Questionnaire, r)) > 0
	}
	if r.Kind == NudgeReplenish {
		return r.watching()
	}
	if r.Kind != NudgeHoliday {
		return true
	}
	for _, st := range s.Business.Stores {
		loc, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		// The greeting is due from its day and time for Window days, so
		// its window reaches into the day after the last of them.
		for d := range r.Window + 1 {
			day := now.In(loc).AddDate(0, 0, -d)
			md := day.Format("01-02")
			if md == "03-01" && time.Date(day.Year(), 2, 29, 0, 0, 0, 0, loc).Month() == time.March {
				md = "02-29" // as the query has it: 29 February is 1 March in other years
			}
			if md == r.Date {
				return true
			}
		}
	}
	return false
}

// NextContactTime is the first minute at or after t when a message may go
// out: outside the quiet hours [quietStart, quietEnd) and inside the
// customer's own window [from, to) (minutes after midnight in loc; equal
// bounds: none). When the two never overlap, the customer's window wins.
func NextContactTime(t time.Time, loc *time.Location, quietStart, quietEnd, from, to int) time.Time {
	return NextContactTimeAt(t, loc, quietStart, quietEnd, loc, from, to)
}

// NextContactTimeAt is NextContactTime with the quiet hours at one clock
// (qloc: the store a visit was made at) and the customer's window at
// another (wloc: their own store's, as /settings says).
func NextContactTimeAt(t time.Time, qloc *time.Location, quietStart, quietEnd int, wloc *time.Location, from, to int) time.Time {
	inRange := func(m, a, b int) bool {
		if a < b {
			return m >= a && m < b
		}
		return m >= a || m < b
	}
	minute := func(x time.Time, loc *time.Location) int {
		l := x.In(loc)
		return l.Hour()*60 + l.Minute()
	}
	ok := func(x time.Time, strict bool) bool {
		if from != to && !inRange(minute(x, wloc), from, to) {
			return false
		}
		return !strict || quietStart == quietEnd || !inRange(minute(x, qloc), quietStart, quietEnd)
	}
	var candidates []time.Time
	for _, b := range []struct {
		m   int
		loc *time.Location
	}{{quietEnd, qloc}, {from, wloc}} {
		local := t.In(b.loc)
		for day := range 3 {
			// The wall-clock minute: on a day with a clock change,
			// midnight plus m minutes is an hour off.
			if c := time.Date(local.Year(), local.Month(), local.Day()+day, b.m/60, b.m%60, 0, 0, b.loc); c.After(t) {
				candidates = append(candidates, c)
			}
		}
	}
	for _, strict := range []bool{true, false} {
		if ok(t, strict) {
			return t
		}
		best := time.Time{}
		for _, c := range candidates {
			if ok(c, strict) && (best.IsZero() || c.Before(best)) {
				best = c
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return t
}
