package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestWithdrawnNudgeTakesItsBonusBack: a win-back with 100 points due at
// 22:00 waits for the morning; its points are on the card at once. The
// customer withdraws the marketing consent at 08:00 and the message never
// goes: the points it announced must not stay on the card (nobody told
// the customer of them, and a points_expiring reminder would later name
// a marketing bonus they refused), nor count as given in /stats nudges.
func TestWithdrawnNudgeTakesItsBonusBack(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	c, card := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET marketing = true WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(19*time.Hour - (10*time.Hour + 20*time.Minute + 30*time.Second)) // 22:00 Moscow
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO purchases (public_id, card_id, customer_id, store_id, source,
		idempotency_key, amount, currency, points_earned, points_redeemed, created_at)
		VALUES ('p-1', $1, $2, $3, 'pos', 'p-1', 10000, 'RUB', 0, 0, $4)`, card.ID, c.ID, shop.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	wb := domain.NudgeRule{ID: "winback", Kind: domain.NudgeWinBack, Enabled: true, Marketing: true, Days: 30, Window: 7,
		AttributionDays: 7, Bonus: 100, BonusDays: 14}
	svc := nudgeService(clock, wb)
	svc.Business.Nudges.QuietStart, svc.Business.Nudges.QuietEnd = 21*60, 10*60
	clock.Advance(30*24*time.Hour + time.Minute) // 22:01 Moscow: the message waits for 10:00
	if rep, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil || rep.Sent != 1 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	clock.Advance(10 * time.Hour) // 08:01: consent withdrawn
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return svc.SetMarketing(ctx, tx, c, false) })
	clock.Advance(2*time.Hour + time.Minute)
	if ms, err := db.Outbox().Claim(t.Context(), 10, time.Minute); err != nil || len(ms) != 0 {
		t.Fatalf("claimed %d, %v", len(ms), err)
	}
	var balance int64
	if err := db.Pool().QueryRow(t.Context(), `SELECT balance FROM cards WHERE id = $1`, card.ID).Scan(&balance); err != nil {
		t.Fatal(err)
	}
	if balance != 0 {
		t.Errorf("the withdrawn win-back's %d points stay on the card of a customer who never got the message", balance)
	}
	var stats []domain.NudgeStat
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		stats, err = svc.NudgeStatsSince(ctx, tx, clock.Now().AddDate(0, 0, -30), 0)
		return err
	})
	if len(stats) != 1 || stats[0].Withdrawn != 1 || stats[0].Points != 0 {
		t.Errorf("/stats nudges counts the withdrawn nudge's points as given: %+v", stats)
	}
}
