package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestPlaygroundKeepsItsClockAndResets: the business clock (and the card
// secret and the added panes) survive a restart, so the data is never
// older than the clock; --clock is refused on a playground that ran
// already, and --reset starts over.
func TestPlaygroundKeepsItsClockAndResets(t *testing.T) {
	dir, url := t.TempDir(), pgtest.NewDB(t)
	open := func(o *playOptions) (*playClock, *playState, error) {
		t.Helper()
		clock := &playClock{}
		a := &app{env: &env{DatabaseURL: url}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: clock.Time}
		st, err := openPlayground(t.Context(), a, o, dir, clock)
		if a.db != nil {
			a.db.Close()
		}
		return clock, st, err
	}
	near := func(got, want time.Time) bool { return got.Sub(want).Abs() < time.Minute }

	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	clock, st, err := open(&playOptions{clockAt: start})
	if err != nil || !near(clock.Time(), start) {
		t.Fatalf("fresh playground at %v: clock %v, %v", start, clock.Time(), err)
	}
	secret := st.CardSecret
	if _, err := clock.Advance(30 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.update(func(s *playState) {
		s.Panes = []tgfake.WebUser{{ID: 1001, Name: "Emma", Lang: "en", Role: "Customer 2"}}
	}); err != nil {
		t.Fatal(err)
	}

	clock, st, err = open(&playOptions{})
	if err != nil || !near(clock.Time(), start.AddDate(0, 0, 30)) {
		t.Fatalf("after a restart the clock is %v (%v), want 30 days after %v", clock.Time(), err, start)
	}
	if string(st.CardSecret) != string(secret) || len(st.Panes) != 1 {
		t.Fatalf("after a restart: new card secret or panes lost: %+v", st)
	}
	if _, err := clock.Advance(-time.Hour); err == nil {
		t.Fatal("the clock went back")
	}
	if _, _, err := open(&playOptions{clockAt: start}); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Fatalf("--clock on a playground that ran: %v, want a hint at --reset", err)
	}
	later := start.AddDate(1, 0, 0)
	clock, st, err = open(&playOptions{reset: true, clockAt: later})
	if err != nil || !near(clock.Time(), later) || len(st.Panes) != 0 || string(st.CardSecret) == string(secret) {
		t.Fatalf("--reset --clock: clock %v, state %+v, %v", clock.Time(), st, err)
	}
}
