package domain

import (
	"testing"
	"time"
)

// TestFeedbackWalkPicksUpWhereItLeftOff: the feedback job's first run
// walks the whole lookback; the next ones start the margin for purchases
// still committing (feedbackSettle) before the previous run's end, or before the earliest visit it found (the same
// customer's later visits wait for a run of their own), or where it
// started when it was cut short by its limit; once an hour, and when the
// clock goes back, the whole lookback again.
func TestFeedbackWalkPicksUpWhereItLeftOff(t *testing.T) {
	var c feedbackCursor
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	run := func(now time.Time, dues []FeedbackDue, cut bool) (time.Time, bool) {
		t.Helper()
		from, whole := c.span(now, now)
		c.done(now, from, now, whole, dues, cut)
		return from, whole
	}
	check := func(what string, gotFrom time.Time, gotWhole bool, wantFrom time.Time, wantWhole bool) {
		t.Helper()
		if !gotFrom.Equal(wantFrom) || gotWhole != wantWhole {
			t.Errorf("%s: walk from %v (whole %v), want from %v (whole %v)", what, gotFrom, gotWhole, wantFrom, wantWhole)
		}
	}
	from, whole := run(t0, nil, false)
	check("first run", from, whole, t0.Add(-feedbackLookback), true)
	from, whole = run(t0.Add(time.Minute), nil, false)
	check("next minute", from, whole, t0.Add(-feedbackSettle), false)
	visit := t0.Add(time.Minute + 30*time.Second)
	from, whole = run(t0.Add(2*time.Minute), []FeedbackDue{{CreatedAt: visit}}, false)
	check("two minutes", from, whole, t0.Add(time.Minute-feedbackSettle), false)
	from, whole = run(t0.Add(3*time.Minute), nil, false)
	check("after a visit found", from, whole, visit.Add(-time.Microsecond), false)
	from, whole = run(t0.Add(4*time.Minute), []FeedbackDue{{CreatedAt: t0.Add(3*time.Minute + 30*time.Second)}}, true)
	check("before a cut walk", from, whole, t0.Add(3*time.Minute-feedbackSettle), false)
	from, whole = run(t0.Add(5*time.Minute), nil, false)
	check("after a cut walk", from, whole, t0.Add(3*time.Minute-feedbackSettle), false)
	from, whole = run(t0.Add(time.Hour), nil, false)
	check("an hour on", from, whole, t0.Add(time.Hour-feedbackLookback), true)
	from, whole = run(t0.Add(30*time.Minute), nil, false)
	check("the clock set back", from, whole, t0.Add(30*time.Minute-feedbackLookback), true)
}
