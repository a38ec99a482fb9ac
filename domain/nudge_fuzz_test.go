package domain

import (
	"testing"
	"time"
)

// FuzzParseQuietHours: the config's "HH:MM-HH:MM" either parses into
// minutes of a day or is refused; it never panics.
func FuzzParseQuietHours(f *testing.F) {
	for _, s := range []string{"21:00-10:00", "", "9:00-18:00", "24:00-01:00", "10:00", "aa:bb-cc:dd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := ParseQuietHours(s)
		if err == nil && (a < 0 || a >= 24*60 || b < 0 || b >= 24*60) {
			t.Fatalf("%q gave %d-%d", s, a, b)
		}
	})
}

// FuzzNextContactTime: a nudge's send time is never before it is due,
// never more than two days later, and lies in the customer's own window
// when they set one.
func FuzzNextContactTime(f *testing.F) {
	f.Add(int64(0), 21*60, 10*60, 0, 0)
	f.Add(int64(3600*23), 21*60, 10*60, 9*60, 12*60)
	f.Add(int64(1234567), 0, 0, 22*60, 2*60)
	f.Add(int64(99999), 10*60, 9*60, 18*60, 21*60)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	f.Fuzz(func(t *testing.T, sec int64, qs, qe, from, to int) {
		norm := func(m int) int { return ((m % 1440) + 1440) % 1440 }
		qs, qe, from, to = norm(qs), norm(qe), norm(from), norm(to)
		at := time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC).Add(time.Duration(sec%(400*86400)) * time.Second)
		got := NextContactTime(at, moscow, qs, qe, from, to)
		if got.Before(at) || got.Sub(at) > 50*time.Hour {
			t.Fatalf("at %s quiet %d-%d window %d-%d: %s", at, qs, qe, from, to, got)
		}
		if from != to {
			l := got.In(moscow)
			m := l.Hour()*60 + l.Minute()
			in := (from < to && m >= from && m < to) || (from > to && (m >= from || m < to))
			if !in {
				t.Fatalf("at %s window %d-%d: %s is outside it", at, from, to, l)
			}
		}
	})
}
