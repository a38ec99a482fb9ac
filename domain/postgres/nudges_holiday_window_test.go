package postgres_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// A holiday greeting at 14:00 with window_days = 1 is still worth sending
// until 14:00 the next day (the rule's window, as a birthday's is): an
// engine that did not run in the afternoon (the nudges job at 09:00
// daily, or the bot down that afternoon) sends it the next morning.
func TestHolidayWindowIntoTheNextDay(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t) // 17 May 2031, 13:20 Moscow
	addShop(t, db, "a")
	seedJoined(t, db, 1, 3, clock.Now(), true)
	r := domain.NudgeRule{ID: "may17", Kind: domain.NudgeHoliday, Enabled: true, Marketing: true, Date: "05-17",
		At: 14 * 60, Window: 1, AttributionDays: 7}
	svc := nudgeService(clock, r)
	clock.Advance(time.Date(2031, 5, 18, 6, 0, 0, 0, time.UTC).Sub(clock.Now())) // 18 May, 09:00 Moscow
	plans, err := svc.DryRunNudges(t.Context(), db, "may17", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 3 {
		t.Fatalf("18 May 09:00, inside the greeting's window (17 May 14:00 + 1 day): %d sent, dry run %d, want 3", rep.Sent, len(plans))
	}
}
