package domain

import (
	"context"
	"slices"
	"time"
)

// ChartWeeks is how many weeks a chart and the weekly report show: a
// quarter, long enough to see a trend, short enough to read each week.
const ChartWeeks = 12

// ActiveDays is the window of an active customer: one who bought in the
// 30 days before a point in time.
const ActiveDays = 30

// WeekStats is one week of the business at a glance: the points of the
// owners' charts and of the weekly report. Money is in minor units.
type WeekStats struct {
	Start      time.Time // Monday 00:00 in the business time zone
	Members    int       // members who had joined by the week's end
	NewMembers int       // of them, joined during the week
	Active     int       // customers who bought in the ActiveDays before the week's end
	Revenue    int64     // receipts not cancelled, minor units
	Receipts   int
	Ratings    int
	Stars      int // the sum of the week's ratings
	Bad        int // ratings at or below the feedback alert threshold
}

// AverageReceipt is the week's revenue per receipt, minor units (0 when
// there was none), rounded to the nearest minor unit as /stats rounds
// KPIs.AverageReceipt: the same week reads the same in both.
func (w WeekStats) AverageReceipt() int64 { return divRound(w.Revenue, int64(w.Receipts)) }

// AverageRating is the week's average rating in tenths of a star (42 is
// 4.2), 0 without ratings.
func (w WeekStats) AverageRating() int {
	if w.Ratings == 0 {
		return 0
	}
	return (w.Stars*10 + w.Ratings/2) / w.Ratings
}

// WeeklyQuery asks the storage for weekly sums. Bounds are the weeks'
// starts plus the end of the last one, computed in Go from the business
// clock and time zone (never from the database's clock).
type WeeklyQuery struct {
	Bounds     []time.Time
	ActiveDays int
	BadAtMost  int   // a rating at or below it is bad (0: none is)
	ShopID     int64 // 0: every store
	// Now ends the current week's active window: a week that runs past
	// now counts who bought in the ActiveDays before now, not before its
	// end (a week from now).
	Now time.Time
}

// ReportStore reads the sums behind charts and reports.
type ReportStore interface {
	// WeeklyStats returns one WeekStats per week of q.Bounds, in order.
	// With a store, members are those who joined there.
	WeeklyStats(ctx context.Context, q WeeklyQuery) ([]WeekStats, error)
	// MarkWeeklyReport records that the report of the week starting at
	// week went out; false when it had already been recorded.
	MarkWeeklyReport(ctx context.Context, week, at time.Time) (bool, error)
	// MarkJobRun records that job ran for the tick occurrence; false when
	// it did already (another replica's tick of the same minute).
	MarkJobRun(ctx context.Context, job string, occurrence, at time.Time) (bool, error)
	// LastJobRun is the latest occurrence recorded for job (zero when
	// none is): the scheduler runs a tick missed since.
	LastJobRun(ctx context.Context, job string) (time.Time, error)
	// LastJobRanAt is when job's latest recorded run ran (zero when none
	// is): the evening digest takes up where the last one ended.
	LastJobRanAt(ctx context.Context, job string) (time.Time, error)
	// ForgetJobRuns deletes job's records of occurrences before before.
	ForgetJobRuns(ctx context.Context, job string, before time.Time) error
}

// Location is the business time zone: the first store's, where the
// scheduled jobs run.
func (b *Business) Location() *time.Location {
	if len(b.Stores) > 0 {
		if loc, err := time.LoadLocation(b.Stores[0].TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// HomeZone is the first store's time zone: the evening digest of every
// store goes to the owners at its 21:00.
func (b *Business) HomeZone() string {
	if len(b.Stores) == 0 {
		return ""
	}
	return b.Stores[0].TimeZone
}

// DigestZones are the time zones of the stores, the first store's
// first: the evening digest goes out at each one's evening (to the
// managers of its stores; the first store's to the owners too).
func (b *Business) DigestZones() []string {
	var zones []string
	for _, st := range b.Stores {
		if !slices.Contains(zones, st.TimeZone) {
			zones = append(zones, st.TimeZone)
		}
	}
	return zones
}

// ZoneOf is the digest zone of a store in time zone tz: its own, or the
// first store's for a store no longer in the config.
func (b *Business) ZoneOf(tz string) string {
	if slices.Contains(b.DigestZones(), tz) {
		return tz
	}
	return b.HomeZone()
}

// DigestJob names the evening digest's job of zone: the first store's
// keeps the plain name (and its record of runs), others add the zone.
func (b *Business) DigestJob(zone string) string {
	if zone == "" || zone == b.HomeZone() {
		return JobFeedbackDigest
	}
	return JobFeedbackDigest + "@" + zone
}

// WeekStart is the Monday 00:00 of t's week in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	back := (int(day.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return day.AddDate(0, 0, -back)
}

// WeekBounds lists the starts of the n weeks that end at end (a Monday
// 00:00), followed by end itself.
func WeekBounds(end time.Time, n int) []time.Time {
	b := make([]time.Time, n+1)
	for i := range b {
		b[i] = end.AddDate(0, 0, -7*(n-i))
	}
	return b
}

// WeeklyStats reads the n weeks up to and including the current one (by
// the business clock), for one store (0: all). The current week is
// partial: it runs to now.
func (s *Service) WeeklyStats(ctx context.Context, tx ReportStore, shopID int64, n int, loc *time.Location) ([]WeekStats, error) {
	end := WeekStart(s.Now(), loc).AddDate(0, 0, 7)
	return s.weekly(ctx, tx, shopID, end, n)
}

func (s *Service) weekly(ctx context.Context, tx ReportStore, shopID int64, end time.Time, n int) ([]WeekStats, error) {
	return tx.WeeklyStats(ctx, WeeklyQuery{
		Bounds: WeekBounds(end, n), ActiveDays: ActiveDays,
		BadAtMost: s.Business.Feedback.LowThreshold, ShopID: shopID, Now: s.Now(),
	})
}

// WeeklyReport is what the owners get on Monday: the last full weeks and
// how the last one moved against the one before.
type WeeklyReport struct {
	Weeks []WeekStats // oldest first; the last is the week reported on
	// Care is how the shop answered the week's Bad ratings and its
	// questions.
	Care CareStat
	Bad  int
}

// Last is the week reported on.
func (r WeeklyReport) Last() WeekStats { return r.Weeks[len(r.Weeks)-1] }

// Previous is the week before it (zero when there is none).
func (r WeeklyReport) Previous() WeekStats {
	if len(r.Weeks) < 2 {
		return WeekStats{}
	}
	return r.Weeks[len(r.Weeks)-2]
}

// ChangePercent is the change from before to after in whole percent,
// rounded half away from zero; ok is false when before is 0 (no base).
func ChangePercent(before, after int64) (pct int64, ok bool) {
	if before == 0 {
		return 0, false
	}
	d := (after - before) * 100
	if (d < 0) != (before < 0) {
		return (d - before/2) / before, true
	}
	return (d + before/2) / before, true
}

// TakeWeeklyReport builds the report of the last full week before now and
// records that it is sent; ok is false when this week's report went out
// already (another replica, a restart, a second tick), and then nothing
// is to be sent.
func (s *Service) TakeWeeklyReport(ctx context.Context, tx interface {
	ReportStore
	KPIStore
}) (rep WeeklyReport, ok bool, err error) {
	now := s.Now()
	end := WeekStart(now, s.Business.Location())
	ok, err = tx.MarkWeeklyReport(ctx, end.AddDate(0, 0, -7), now)
	if err != nil || !ok {
		return WeeklyReport{}, false, err
	}
	weeks, err := s.weekly(ctx, tx, 0, end, ChartWeeks)
	if err != nil {
		return WeeklyReport{}, false, err
	}
	care, err := tx.ReadCare(ctx, s.kpiQuery(Period{From: end.AddDate(0, 0, -7), To: end}, 0))
	if err != nil {
		return WeeklyReport{}, false, err
	}
	return WeeklyReport{Weeks: weeks, Care: care.Care, Bad: care.BadRatings}, true, nil
}
