package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FeedbackConfig is the business config's [feedback]: when a visit is
// asked about, which ratings alert the owners, and what an apology costs.
type FeedbackConfig struct {
	// Delay after a purchase before the customer is asked (0: at once).
	Delay time.Duration
	// LowThreshold: a rating at or below it alerts the owners at once (0:
	// never); better ones only reach the daily digest.
	LowThreshold int
	// MinDaysBetween: at most one request per customer in this many days.
	MinDaysBetween int
	// QuietStart and QuietEnd are minutes after midnight in the store's
	// time zone; a request due in between waits for QuietEnd. Equal: none.
	QuietStart, QuietEnd int
	// Goodwill is the points of an owner's "Give N points" apology.
	Goodwill int64
	// ReviewMinStars: a rating with at least these stars of a store with
	// a review page asks the customer to review it there (reviews.go);
	// ReviewEveryDays: at most once in this many days per store.
	ReviewMinStars  int
	ReviewEveryDays int
}

// DefaultFeedback asks 2 hours after a visit, not between 22:00 and 09:00,
// at most every 14 days, alerts on 3 stars or fewer, and asks who gave 5
// stars to review a store that has a review page, at most every 180 days.
func DefaultFeedback() FeedbackConfig {
	return FeedbackConfig{Delay: 2 * time.Hour, LowThreshold: 3, MinDaysBetween: 14,
		QuietStart: 22 * 60, QuietEnd: 9 * 60, Goodwill: 100, ReviewMinStars: DefaultReviewMinStars,
		ReviewEveryDays: DefaultReviewEveryDays}
}

// ParseQuietHours reads "22:00-09:00" into minutes after midnight; ""
// means no quiet hours.
func ParseQuietHours(s string) (start, end int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("write it as HH:MM-HH:MM, got %q", s)
	}
	for i, part := range []string{a, b} {
		t, err := time.Parse("15:04", strings.TrimSpace(part))
		if err != nil {
			return 0, 0, fmt.Errorf("write it as HH:MM-HH:MM, got %q", s)
		}
		if i == 0 {
			start = t.Hour()*60 + t.Minute()
		} else {
			end = t.Hour()*60 + t.Minute()
		}
	}
	return start, end, nil
}

// Validate checks the [feedback] table.
func (c FeedbackConfig) Validate() error {
	bad := func(field, problem string) error { return &FieldError{Field: "feedback." + field, Problem: problem} }
	switch {
	case c.Delay < 0 || c.Delay > 7*24*time.Hour:
		return bad("delay", fmt.Sprintf("must be between 0 and 168h, got %s", c.Delay))
	case c.LowThreshold < 0 || c.LowThreshold > 5:
		return bad("low_threshold", fmt.Sprintf("must be between 0 (no alerts) and 5, got %d", c.LowThreshold))
	case c.MinDaysBetween < 0 || c.MinDaysBetween > 365:
		return bad("min_days_between", fmt.Sprintf("must be between 0 and 365, got %d", c.MinDaysBetween))
	case c.Goodwill < 0 || c.Goodwill > 1_000_000:
		return bad("goodwill_points", fmt.Sprintf("must be between 0 and 1000000, got %d", c.Goodwill))
	}
	return nil
}

// RequestTime is when a request for a visit at t may go out: after the
// delay, moved out of the quiet hours (in loc) to the first allowed minute.
func (c FeedbackConfig) RequestTime(t time.Time, loc *time.Location) time.Time {
	due := t.Add(c.Delay)
	if c.QuietStart == c.QuietEnd {
		return due
	}
	local := due.In(loc)
	m := local.Hour()*60 + local.Minute()
	quiet := false
	if c.QuietStart < c.QuietEnd {
		quiet = m >= c.QuietStart && m < c.QuietEnd
	} else {
		quiet = m >= c.QuietStart || m < c.QuietEnd
	}
	if !quiet {
		return due
	}
	next := 0
	if m >= c.QuietEnd {
		next = 1
	}
	// The wall-clock time: on a day with a clock change midnight plus
	// the minutes is an hour off (inside the quiet hours in autumn).
	return time.Date(local.Year(), local.Month(), local.Day()+next, c.QuietEnd/60, c.QuietEnd%60, 0, 0, loc)
}

// RequestTimeIn is RequestTime narrowed by the customer's own window: the
// first minute after the delay that is out of the quiet hours and inside
// the window (NextContactTime), so a customer who asked for evenings is
// asked about the morning's visit in the evening. The quiet hours are at
// the clock of the store visited (loc), the window at the customer's own
// store's (wloc), as /settings tells them.
func (c FeedbackConfig) RequestTimeIn(t time.Time, loc, wloc *time.Location, w ContactWindow) time.Time {
	if w.Any() {
		return c.RequestTime(t, loc)
	}
	return NextContactTimeAt(t.Add(c.Delay), loc, c.QuietStart, c.QuietEnd, wloc, w.From, w.To)
}

// Feedback is a customer's rating of one visit (one per purchase), or of
// a store in general (PurchaseID 0: no visit, no cashier), which anyone
// in the program may give whether they bought anything or not.
type Feedback struct {
	ID         int64
	PurchaseID int64 // 0 for a rating of the store in general
	CustomerID int64
	ShopID     int64
	StaffID    int64 // the cashier; 0 for the POS API and for a general rating
	Stars      int
	Comment    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// HandledBy is the owner or manager who answered a low rating first
	// (reply, goodwill points or resolved); the others are told who.
	HandledBy  int64
	HandledAt  time.Time
	Resolution string
}

// Resolutions of a low rating, by what the owner did first.
const (
	ResolutionReplied  = "replied"
	ResolutionGoodwill = "goodwill"
	ResolutionResolved = "resolved"
	// ResolutionWillReply is a tap on Reply, before the words are
	// written: TakeFeedback and TakeInquiry check as for a reply and
	// record nothing, so a reply started and cancelled leaves the rating
	// or the question waiting (and uncounted) for anyone to answer; the
	// first message sent records ResolutionReplied.
	ResolutionWillReply = "will_reply"
	// ResolutionErased closes a question to the shop nobody had handled
	// when its customer erased their data: nobody can answer it any more,
	// so it no longer waits, and /stats counts it as closed without an
	// answer.
	ResolutionErased = "erased"
)

// General reports whether the rating is of the store in general rather
// than of a visit: the owners' alert then names no cashier, amount or date.
func (f *Feedback) General() bool { return f.PurchaseID == 0 }

// FeedbackChangeWindow is how long a rating may still be changed. A
// rating of a visit is final after it; a general rating of a store given
// after it is a new rating (the earlier one stays as it was).
const FeedbackChangeWindow = 24 * time.Hour

// ErrFeedbackFinal means the rating is older than FeedbackChangeWindow.
var ErrFeedbackFinal = errors.New("rating can no longer be changed")

// ErrFeedbackNotLow means the customer has raised a low rating above the
// alert threshold since the owners were alerted: there is nothing to make
// up for with goodwill points.
var ErrFeedbackNotLow = errors.New("rating is no longer low")

// CustomerTotals is what an owner's alert says about the customer.
type CustomerTotals struct {
	Visits int
	Spend  int64
}

// FeedbackStore keeps ratings and the requests sent for them.
type FeedbackStore interface {
	FindFeedbackByPurchase(ctx context.Context, purchaseID int64) (*Feedback, error)
	// FindGeneralFeedback finds the customer's newest general rating of
	// the store first given at or after since (ErrNotFound when none).
	FindGeneralFeedback(ctx context.Context, customerID, shopID int64, since time.Time) (*Feedback, error)
	// LockFeedback loads a rating and locks it, so two owners' taps are
	// taken one after the other.
	LockFeedback(ctx context.Context, id int64) (*Feedback, error)
	// SaveFeedback inserts a rating (setting ID) or updates its stars,
	// comment and UpdatedAt.
	SaveFeedback(ctx context.Context, f *Feedback) error
	// MarkFeedbackHandled records who handled a rating first.
	MarkFeedbackHandled(ctx context.Context, id, staffID int64, resolution string, at time.Time) error
	// QueueFeedbackRequest records the request and queues its message,
	// both only when the customer has no request due after r.After. The
	// write may go with the commit (the purchase's id is not known yet).
	QueueFeedbackRequest(ctx context.Context, r FeedbackRequest, m OutMessage) error
	// WithdrawFeedbackRequest drops a purchase's rating request whose
	// message has not gone yet (held for the quiet hours or the
	// customer's window). The write may go with the commit.
	WithdrawFeedbackRequest(ctx context.Context, purchaseID int64, at time.Time) error
	// ListFeedbackDue lists up to limit visits made in (from, to] not
	// cancelled, not rated and not asked about, of reachable customers
	// with no request due after the visit's time plus gap (the delay less
	// the period between requests): the earliest per customer.
	ListFeedbackDue(ctx context.Context, from, to time.Time, gap time.Duration, limit int) ([]FeedbackDue, error)
	// LastPurchaseOf is the customer's newest purchase not cancelled.
	LastPurchaseOf(ctx context.Context, customerID int64) (*Purchase, error)
	// CustomerTotals counts the customer's purchases not cancelled.
	CustomerTotals(ctx context.Context, customerID int64) (CustomerTotals, error)
	// BoughtAt reports whether the customer ever bought at the store (0:
	// at any).
	BoughtAt(ctx context.Context, customerID, shopID int64) (bool, error)
	// FeedbackStats counts ratings given in [from, to) per store and
	// cashier, general ratings of a store apart.
	FeedbackStats(ctx context.Context, from, to time.Time) ([]FeedbackStat, error)
	// ListCustomerFeedback lists a customer's ratings, oldest first (for
	// the data export).
	ListCustomerFeedback(ctx context.Context, customerID int64) ([]Feedback, error)
	// ListMissedAlerts lists, newest first, up to limit low ratings (at
	// most maxStars) given at or after since at the store shopID (0: every
	// store) that nobody has handled, whose visit counts (not cancelled;
	// one returned in full does), whose customer is not erased, and of
	// which no alert was sent or waits for chatID (for a commented one,
	// none since its last change: the comment's alert missed counts):
	// those it missed while it blocked the bot.
	ListMissedAlerts(ctx context.Context, chatID, shopID int64, maxStars int, since time.Time, limit int) ([]MissedAlert, error)
}

// MissedAlert is a low rating with its visit (nil for a rating of the
// store in general), to alert of again.
type MissedAlert struct {
	Feedback Feedback
	Purchase *Purchase
}

// FeedbackRequest is a planned "How was your visit?".
type FeedbackRequest struct {
	PurchasePublicID string
	CustomerID       int64
	Due              time.Time // when the message goes out
	After            time.Time // none if another request is due after this
}

// FeedbackStat is one line of the daily digest: the ratings of a store's
// cashier (StaffID 0: the POS) in a day, or with General the ratings of
// the store in general (no visit, no cashier).
type FeedbackStat struct {
	ShopID  int64
	StaffID int64
	General bool
	Count   int
	Stars   int // the sum; the average is Stars/Count
}

// FeedbackGiven: a customer rated a visit or a store in general, changed a
// rating (Previous is the old stars) or added a comment (Commented).
type FeedbackGiven struct {
	Feedback  *Feedback
	Purchase  *Purchase // nil for a rating of the store in general
	Customer  *Customer
	Previous  int
	Commented bool
}

func (FeedbackGiven) eventName() string { return "feedback_given" }

// Low reports whether the rating alerts the owners under cfg.
func (f *Feedback) Low(cfg FeedbackConfig) bool { return f.Stars <= cfg.LowThreshold }
