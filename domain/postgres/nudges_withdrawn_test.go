package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// A marketing nudge that fell due in the quiet hours waits in the outbox
// for the morning. A customer who withdraws the marketing consent (or
// "Stop all offers") before then must not get it.
// TestQueuedMarketingNudgeWithdrawnWithTheConsent: a win-back due at
// 22:00 waits for the end of the quiet hours; the customer withdraws the
// marketing consent at 08:00, and at 10:00 nothing goes, the nudge no
// longer counted as sent.
func TestQueuedMarketingNudgeWithdrawnWithTheConsent(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	c, card := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET marketing = true WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	// A purchase at 22:00 Moscow (19:00 UTC).
	clock.Advance(19*time.Hour - (10*time.Hour + 20*time.Minute + 30*time.Second))
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO purchases (public_id, card_id, customer_id, store_id, source,
		idempotency_key, amount, currency, points_earned, points_redeemed, created_at)
		VALUES ('p-1', $1, $2, $3, 'pos', 'p-1', 10000, 'RUB', 0, 0, $4)`, card.ID, c.ID, shop.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	wb := domain.NudgeRule{ID: "winback", Kind: domain.NudgeWinBack, Enabled: true, Marketing: true, Days: 30, Window: 7,
		AttributionDays: 7}
	svc := nudgeService(clock, wb)
	svc.Business.Nudges.QuietStart, svc.Business.Nudges.QuietEnd = 21*60, 10*60
	clock.Advance(30*24*time.Hour + time.Minute) // 22:01 Moscow, quiet: the message waits for 10:00
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	// 08:00 the next morning the customer withdraws the marketing consent.
	clock.Advance(10 * time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return svc.SetMarketing(ctx, tx, c, false)
	})
	clock.Advance(2*time.Hour + time.Minute) // 10:02
	ms, err := db.Outbox().Claim(t.Context(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 0 {
		t.Fatalf("the win-back offer goes out at 10:00 to a customer who withdrew the marketing consent at 08:00: %s", ms[0].Payload)
	}
	var outcome, reason string
	if err := db.Pool().QueryRow(t.Context(), `SELECT outcome, reason FROM nudges WHERE customer_id = $1`, c.ID).Scan(&outcome, &reason); err != nil {
		t.Fatal(err)
	}
	if outcome != "skipped" || reason != "opted_out" {
		t.Errorf("the withdrawn nudge is %s (%q), want skipped (opted_out)", outcome, reason)
	}
	var stats []domain.NudgeStat
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		stats, err = svc.NudgeStatsSince(ctx, tx, clock.Now().AddDate(0, 0, -30), 0)
		return err
	})
	if len(stats) != 1 || stats[0].Due != 1 || stats[0].Sent != 0 || stats[0].Skipped != 0 || stats[0].Withdrawn != 1 {
		t.Errorf("the stats of the withdrawn nudge: %+v", stats)
	}
}
