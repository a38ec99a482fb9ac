package postgres_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBirthdayGiftGetsNoExpiringReminder: a birthday gift recorded at
// 10:00 and held for the customer's evening window (18:00) lives a week
// from 18:00, as its message says: no "your points are expiring" at the
// same time.
func TestBirthdayGiftGetsNoExpiringReminder(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	c, _ := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET marketing = true, contact_from = 1080, contact_to = 1260
		WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at)
		VALUES ($1, 'birthday', '1990-05-18', $2)`, c.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	var birthday, expiring domain.NudgeRule
	for _, r := range domain.DefaultNudges().Rules {
		switch r.ID {
		case "birthday":
			birthday = r
		case "points_expiring":
			expiring = r
		}
	}
	birthday.HoldOut, expiring.HoldOut = 0, 0
	svc := nudgeService(clock, birthday, expiring)
	svc.Business.Nudges.QuietStart, svc.Business.Nudges.QuietEnd = 21*60, 10*60
	run := func() {
		t.Helper()
		if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
			t.Fatal(err)
		}
	}
	// 18 May, 10:00:30 Moscow: the birthday is due, to go out at 18:00.
	clock.Advance(time.Date(2031, 5, 18, 7, 0, 30, 0, time.UTC).Sub(clock.Now()))
	run()
	// The engine ticks every minute through the day.
	for clock.Now().Before(time.Date(2031, 5, 18, 15, 5, 0, 0, time.UTC)) {
		clock.Advance(time.Minute)
		run()
	}
	var rules string
	if err := db.Pool().QueryRow(t.Context(), `SELECT string_agg(rule || '@' || to_char(send_at AT TIME ZONE 'Europe/Moscow', 'HH24:MI'), ', ' ORDER BY id)
		FROM nudges WHERE customer_id = $1 AND outcome = 'sent'`, c.ID).Scan(&rules); err != nil {
		t.Fatal(err)
	}
	if rules != "birthday@18:00" {
		t.Fatalf("sent: %s; want the birthday alone", rules)
	}
}
