package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// The onboarding profile step is skipped (recorded as done) for a customer
// who completed the profile: that is not the frequency cap, and /stats
// nudges must not tell the owner "skipped by the frequency cap" for it.
// TestNudgeStatsDoneIsNotCapped: a profile step skipped because the
// customer had completed the profile was not due, and no frequency cap
// skipped it.
func TestNudgeStatsDoneIsNotCapped(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	start := clock.Now()
	seedJoined(t, db, 1, 3, start, false)
	// Two of the three completed the profile section the step invites to.
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO section_offers (customer_id, section, offered_at, completed_at)
		SELECT id, 'basic', $1, $1 FROM customers ORDER BY id LIMIT 2`, start); err != nil {
		t.Fatal(err)
	}
	clock.Advance(21 * 24 * time.Hour)
	step := domain.NudgeRule{ID: "onboarding_profile", Kind: domain.NudgeOnboarding, Enabled: true, Days: 21, Window: 7,
		AttributionDays: 7, Unless: domain.UnlessProfileComplete, Section: "basic"}
	svc := nudgeService(clock, step)
	if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
		t.Fatal(err)
	}
	var stats []domain.NudgeStat
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		stats, err = svc.NudgeStatsSince(ctx, tx, clock.Now().AddDate(0, 0, -30), 0)
		return err
	})
	if len(stats) != 1 {
		t.Fatalf("stats: %+v", stats)
	}
	x := stats[0]
	// Shown as "{{.Due}} due — {{.Sent}} sent, {{.HeldOut}} held out,
	// {{.Skipped}} skipped by the frequency cap".
	if x.Skipped != 0 || x.Due != 1 || x.Sent != 1 {
		t.Fatalf("a non-marketing step nobody was capped on reads: %d due, %d sent, %d skipped by the frequency cap", x.Due, x.Sent, x.Skipped)
	}
}
