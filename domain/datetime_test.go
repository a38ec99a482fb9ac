package domain_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

func TestParseDateTime(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // 15:00 in Moscow
	for in, want := range map[string]time.Time{
		"25.12 18:00":       time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25.12. 9:05":       time.Date(2026, 12, 25, 9, 5, 0, 0, msk),
		"2026-12-25 18:00":  time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25.12.2026  18:00": time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"22.11 16:00":       time.Date(2026, 11, 22, 16, 0, 0, 0, msk), // today, later
		"22.11 14:00":       time.Date(2026, 11, 22, 14, 0, 0, 0, msk), // today, past: the caller refuses it
		"01.03 10:00":       time.Date(2027, 3, 1, 10, 0, 0, 0, msk),   // passed this year: next year's
	} {
		got, err := domain.ParseDateTime(in, now, msk)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "18:00", "25.12", "25.12 24:00", "25.12 18:60", "31.11 10:00", "tomorrow 18:00", "25.12 18.00", "25.12 18:0"} {
		if _, err := domain.ParseDateTime(in, now, msk); err == nil {
			t.Errorf("ParseDateTime(%q) accepted", in)
		}
	}
}
