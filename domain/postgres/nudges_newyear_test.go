package postgres_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBirthdayWindowAcrossNewYear: a birthday on 31 December, missed on
// the day, is still greeted on 1 January within its window (the due day
// was looked for in the new year only), as one on 30 December is.
func TestBirthdayWindowAcrossNewYear(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	seedJoined(t, db, 1, 2, clock.Now(), true)
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at)
		SELECT id, 'birthday', CASE WHEN telegram_id = 1 THEN '1990-12-30' ELSE '1990-12-31' END, $1 FROM customers`,
		clock.Now()); err != nil {
		t.Fatal(err)
	}
	var birthday domain.NudgeRule
	for _, r := range domain.DefaultNudges().Rules {
		if r.ID == "birthday" {
			birthday = r
		}
	}
	birthday.HoldOut = 0
	svc := nudgeService(clock, birthday)
	sent := func() string {
		t.Helper()
		var s string
		if err := db.Pool().QueryRow(t.Context(), `SELECT coalesce(string_agg(c.telegram_id::text || ':' || n.occurrence, ',' ORDER BY n.id), '')
			FROM nudges n JOIN customers c ON c.id = n.customer_id`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// 31 December 09:00 Moscow: member 1's birthday (30 December) is still in its window.
	clock.Advance(time.Date(2031, 12, 31, 6, 0, 0, 0, time.UTC).Sub(clock.Now()))
	if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
		t.Fatal(err)
	}
	if got := sent(); got != "1:2031" {
		t.Fatalf("31 Dec 09:00: %q, want 1:2031", got)
	}
	// 1 January 09:00 Moscow: member 2's (31 December) is in its window just the same.
	clock.Advance(24 * time.Hour)
	if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
		t.Fatal(err)
	}
	if got := sent(); got != "1:2031,2:2031" {
		t.Fatalf("1 Jan 09:00: %q, want 1:2031,2:2031 (the 31 December birthday, within its day's window)", got)
	}
}

// TestHolidayWindowAcrossNewYear: a greeting of 31 December at 10:00
// with a window of two days, the engine down on the day, goes out on
// 1 January as the greeting of the old year.
func TestHolidayWindowAcrossNewYear(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	seedJoined(t, db, 1, 2, clock.Now(), true)
	r := domain.NudgeRule{ID: "eve", Kind: domain.NudgeHoliday, Enabled: true, Marketing: true, Date: "12-31",
		At: 10 * 60, Window: 2, AttributionDays: 7}
	svc := nudgeService(clock, r)
	clock.Advance(time.Date(2032, 1, 1, 6, 0, 0, 0, time.UTC).Sub(clock.Now())) // 1 Jan 09:00 Moscow
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil || rep.Sent != 2 {
		t.Fatalf("1 Jan 09:00, within the greeting of 31 Dec 10:00 + 2 days: %+v %v", rep, err)
	}
	var occ string
	if err := db.Pool().QueryRow(t.Context(), `SELECT string_agg(DISTINCT occurrence, ',') FROM nudges`).Scan(&occ); err != nil || occ != "2031" {
		t.Fatalf("occurrence %q (%v), want 2031", occ, err)
	}
}
