package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// NudgePlan is one line of a dry run: who a rule would reach and why, or
// why not.
type NudgePlan struct {
	Rule       string    `json:"rule"`
	Kind       NudgeKind `json:"kind"`
	CustomerID int64     `json:"customer_id"`
	TelegramID int64     `json:"telegram_id"`
	HeldOut    bool      `json:"held_out"`
	Reason     string    `json:"reason"`
	Skipped    string    `json:"skipped,omitempty"`
	SendAt     time.Time `json:"send_at"`
	Points     int64     `json:"points,omitempty"`
	Offer      string    `json:"offer,omitempty"`
	Category   string    `json:"category,omitempty"`
}

// dryRunLimit bounds a dry run per rule.
const dryRunLimit = 100_000

// DryRunNudges runs the rules' queries at the given time (rule "" for
// every enabled rule, by priority) and says who would get what and why,
// writing nothing. Customers a rule skips are listed with the reason (no
// consent, unsubscribed, capped, declined, done, waits); quiet hours show
// as a later SendAt.
func (s *Service) DryRunNudges(ctx context.Context, st Store, rule string, at time.Time) ([]NudgePlan, error) {
	rules := s.Business.Nudges.ByPriority()
	if rule != "" {
		r, ok := s.Business.Nudges.Rule(rule)
		if !ok {
			return nil, fmt.Errorf("%w: no nudge rule %q", ErrNotFound, rule)
		}
		rules = []NudgeRule{*r}
	}
	var out []NudgePlan
	// What the run would have written by the time it reaches a rule: a
	// marketing nudge sent caps the rules after it, any nudge sent holds
	// back the rules that wait (the run's later queries see its rows).
	sentMarketing, sentAny := map[int64]bool{}, map[int64]bool{}
	err := st.Update(ctx, func(tx Tx) error {
		for _, r := range rules {
			if !s.nudgeMayBeDue(r, at) {
				continue
			}
			dues, err := tx.ListNudgesDue(ctx, s.nudgeQuery(r, at, true, dryRunLimit))
			if err != nil {
				return err
			}
			for _, d := range dues {
				switch {
				case d.Skip != "":
				case r.Marketing && s.Business.Nudges.CapDays > 0 && sentMarketing[d.CustomerID]:
					d.Skip = SkipCapped
				case r.Waits() && sentAny[d.CustomerID]:
					d.Skip = SkipWaits
				}
				n := s.planNudge(r, d, at)
				if n.Outcome == NudgeSent {
					sentAny[d.CustomerID] = true
					sentMarketing[d.CustomerID] = sentMarketing[d.CustomerID] || r.Marketing
				}
				out = append(out, NudgePlan{Rule: r.ID, Kind: r.Kind, CustomerID: d.CustomerID, TelegramID: d.ChatID,
					HeldOut: n.Outcome == NudgeHeldOut, Reason: r.why(d), Skipped: d.Skip, SendAt: n.SendAt, Points: n.Points,
					Offer: n.Offer, Category: d.Category})
			}
		}
		return fmt.Errorf("%w: dry run", errRollback)
	})
	if err != nil && !isRollback(err) {
		return nil, err
	}
	return out, nil
}

// why says in words what made the rule due for d.
func (r NudgeRule) why(d NudgeDue) string {
	switch r.Kind {
	case NudgeWelcome:
		return fmt.Sprintf("first purchase at least %s ago", r.Delay)
	case NudgeOnboarding:
		s := fmt.Sprintf("joined %d days ago", r.Days)
		if r.After != "" {
			s += ", " + r.After + " was sent"
		}
		return s
	case NudgeWinBack:
		s := fmt.Sprintf("no purchase for %d days (last purchase %s)", r.Days, d.Occurrence)
		if r.After != "" {
			s += ", " + r.After + " was sent"
		}
		return s
	case NudgeExpiring:
		return fmt.Sprintf("%d points expire on %s", d.Points, d.Expires.Format(time.DateOnly))
	case NudgeProfile:
		return fmt.Sprintf("profile incomplete %d days after joining, reminder %s of %d", r.Days, d.Occurrence, r.MaxTimes)
	case NudgeBirthday:
		return "birthday (" + r.Fact + ") today"
	case NudgeHoliday:
		return "holiday on " + r.Date
	case NudgeEvent:
		return r.whyEvent(d)
	case NudgeFamily:
		return fmt.Sprintf("birthday in %v on %s (%d named)", r.Groups, d.Occurrence, len(d.Names))
	case NudgeReplenish:
		purchase, _, _ := strings.Cut(d.Occurrence, ":")
		return fmt.Sprintf("%s runs out in %d days (purchase %s)", d.Category, r.LeadDays, purchase)
	}
	return string(r.Kind)
}

// errRollback ends a read-only transaction without committing it.
var errRollback = errors.New("rolled back on purpose")

func isRollback(err error) bool { return errors.Is(err, errRollback) }
