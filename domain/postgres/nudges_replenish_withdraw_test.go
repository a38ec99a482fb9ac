package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestReplenishAfterAReturnInFull: Anna bought coffee beans on day 0 and
// again on day 5, and brought the second bag back whole on day 6. The
// return cancels that purchase, so her clock is the day-0 bag's again:
// the reminder is due on day 12, not day 17.
func TestReplenishAfterAReturnInFull(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	svc := nudgeService(clock, replenishRule("restock"))
	start := clock.Now()
	_, anna := addMember(t, db, clock, 1)
	first := buyIn(t, db, svc, anna, "coffee_beans")
	clock.Advance(5 * day)
	again := buyIn(t, db, svc, anna, "coffee_beans")
	clock.Advance(day)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{PurchaseID: again.PublicID, Source: "pos",
			IdempotencyKey: "ret-1", RequestHash: "h", Amount: again.Amount})
		return err
	})
	if rep := runAt(t, db, clock, svc, start, 12*day); rep.Sent != 1 {
		t.Fatalf("day 12: %+v, want the reminder of the day-0 bag (the day-5 one was returned)", rep)
	}
	if nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE occurrence = $1`, occurrence(first, "coffee_beans")) != 1 {
		t.Fatal("the reminder is not the day-0 purchase's")
	}
}

// TestReplenishPointsOfferExpiresAsTheMessageSays: a reminder due at
// 22:00 in the store's zone waits for the end of the quiet hours; its 50
// points, valid 14 days, end when the message says (the last day, in the
// customer's zone), and the ledger agrees.
func TestReplenishPointsOfferExpiresAsTheMessageSays(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	r := replenishRule("restock")
	r.Offers = []domain.NudgeOffer{{Type: domain.OfferPoints, Points: 50, Days: 14}}
	svc := nudgeService(clock, r)
	svc.Business.Nudges.QuietStart, svc.Business.Nudges.QuietEnd = 21*60, 10*60
	clock.Advance(19*time.Hour - (10*time.Hour + 20*time.Minute + 30*time.Second)) // 22:00 Moscow
	start := clock.Now()
	_, anna := addMember(t, db, clock, 1)
	buyIn(t, db, svc, anna, "coffee_beans")
	if rep := runAt(t, db, clock, svc, start, 12*day+time.Minute); rep.Sent != 1 {
		t.Fatalf("day 12: %+v", rep)
	}
	var send, lot time.Time
	if err := db.Pool().QueryRow(t.Context(), `SELECT n.send_at, l.expires_at FROM nudges n
		JOIN ledger g ON g.idempotency_key = 'nudge:' || n.id JOIN point_lots l ON l.ledger_id = g.id`).Scan(&send, &lot); err != nil {
		t.Fatal(err)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	if got := send.In(msk); got.Hour() != 10 || got.Minute() != 0 {
		t.Fatalf("sent at %s, want 10:00 after the quiet hours", got)
	}
	want := domain.LastDayEnd(send, 14, msk)
	if !lot.Equal(want) {
		t.Fatalf("the points lot ends %s, the message says %s", lot.In(msk), want.In(msk))
	}
}

// TestReplenishQueuedReminderAfterTheRepeatPurchase: Anna asked for
// messages only between 18:00 and 20:00. Her coffee-beans reminder
// falls due on day 12 at 13:20 and is queued for 18:00; at 14:20 she
// buys coffee beans again. At 18:00 she must not be told it may be time
// to stock up on what she bought six hours ago.
func TestReplenishQueuedReminderAfterTheRepeatPurchase(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	svc := nudgeService(clock, replenishRule("restock"))
	start := clock.Now() // 13:20 Moscow
	c, anna := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET contact_from = 18*60, contact_to = 20*60 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	buyIn(t, db, svc, anna, "coffee_beans")
	if rep := runAt(t, db, clock, svc, start, 12*day); rep.Sent != 1 {
		t.Fatalf("day 12: %+v", rep)
	}
	var notBefore time.Time
	if err := db.Pool().QueryRow(t.Context(), `SELECT not_before FROM outbox WHERE nudge_id IS NOT NULL`).Scan(&notBefore); err != nil {
		t.Fatal(err)
	}
	if msk, _ := time.LoadLocation("Europe/Moscow"); notBefore.In(msk).Hour() != 18 {
		t.Fatalf("queued for %s, want 18:00, her window", notBefore.In(msk))
	}
	clock.Advance(time.Hour)
	buyIn(t, db, svc, anna, "coffee_beans") // 14:20: she bought them anyway
	clock.Advance(5 * time.Hour)            // 19:20, inside her window
	ms, err := db.Outbox().Claim(t.Context(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 0 {
		t.Fatalf("%d restock reminder(s) go out after she bought the category again: %s", len(ms), ms[0].Payload)
	}
	if n := nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE outcome = 'skipped' AND reason = 'done'`); n != 1 {
		t.Fatalf("%d reminders recorded as done (bought again before they went), want 1", n)
	}
}

// TestReplenishWithdrawnReminderTakesBackItsBonus: Anna's coffee-beans
// reminder, with 50 points, is queued for her 18:00 window; at 14:20 she
// buys coffee beans again and the reminder is withdrawn. She was never
// told of the 50 points: they go with it, once, however often she buys.
func TestReplenishWithdrawnReminderTakesBackItsBonus(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	r := replenishRule("restock")
	r.Offers = []domain.NudgeOffer{{Type: domain.OfferPoints, Points: 50, Days: 14}}
	svc := nudgeService(clock, r)
	start := clock.Now() // 13:20 Moscow
	c, anna := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET contact_from = 18*60, contact_to = 20*60 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	buyIn(t, db, svc, anna, "coffee_beans")
	if rep := runAt(t, db, clock, svc, start, 12*day); rep.Sent != 1 {
		t.Fatalf("day 12: %+v", rep)
	}
	clock.Advance(time.Hour)
	buyIn(t, db, svc, anna, "coffee_beans") // 14:20: the reminder is withdrawn
	clock.Advance(time.Hour)
	buyIn(t, db, svc, anna, "coffee_beans") // and once more
	var left, taken int64
	if err := db.Pool().QueryRow(t.Context(), `SELECT coalesce(sum(l.remaining), 0) FROM point_lots l
		JOIN ledger g ON g.id = l.ledger_id WHERE g.kind = 'nudge'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(*) FROM ledger WHERE kind = 'nudge_withdrawn' AND amount = -50`).Scan(&taken); err != nil {
		t.Fatal(err)
	}
	if left != 0 || taken != 1 {
		t.Fatalf("after the withdrawn reminder: %d bonus points left on the card, %d take-backs of 50; want 0 and 1", left, taken)
	}
}
