package domain_test

import (
	"errors"
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
		"10.01.27 12:00":    time.Date(2027, 1, 10, 12, 0, 0, 0, msk), // a short year is this century's, not 1927
		"25.12.26 18:00":    time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25-12-26 18:00":    time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"22.11 16:00":       time.Date(2026, 11, 22, 16, 0, 0, 0, msk), // today, later
		"22.11 14:00":       time.Date(2026, 11, 22, 14, 0, 0, 0, msk), // today, past: the caller refuses it
		"01.03 10:00":       time.Date(2027, 3, 1, 10, 0, 0, 0, msk),   // passed this year: next year's
		"25.12 18.00":       time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25.12 в 9":         time.Date(2026, 12, 25, 9, 0, 0, 0, msk),
		"завтра в 10":       time.Date(2026, 11, 23, 10, 0, 0, 0, msk),
		"Завтра 10:30":      time.Date(2026, 11, 23, 10, 30, 0, 0, msk),
		"послезавтра 9.15":  time.Date(2026, 11, 24, 9, 15, 0, 0, msk),
		"сегодня в 18:00":   time.Date(2026, 11, 22, 18, 0, 0, 0, msk),
		"tomorrow at 18:00": time.Date(2026, 11, 23, 18, 0, 0, 0, msk),
		"Today 17":          time.Date(2026, 11, 22, 17, 0, 0, 0, msk),
		"ertaga soat 9":     time.Date(2026, 11, 23, 9, 0, 0, 0, msk),
		"18:00":             time.Date(2026, 11, 22, 18, 0, 0, 0, msk), // still ahead today
		"9:00":              time.Date(2026, 11, 23, 9, 0, 0, 0, msk),  // passed: tomorrow's
		"25 декабря 18:00":  time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25/12/2026 18:00":  time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25/12/26 18:00":    time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25/12 18:00":       time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25 декабр 18:00":   time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"25. 12. 26 18:00":  time.Date(2026, 12, 25, 18, 0, 0, 0, msk), // spaces after the dots: still this century
		"25. 12 18:00":      time.Date(2026, 12, 25, 18, 0, 0, 0, msk),
		"12/25/2026 18:00":  time.Date(2026, 12, 25, 18, 0, 0, 0, msk), // month first, as only it reads
		// Sunday 22 November: a day of the week is the next such day.
		"в субботу в 10":    time.Date(2026, 11, 28, 10, 0, 0, 0, msk),
		"Saturday 9:30":     time.Date(2026, 11, 28, 9, 30, 0, 0, msk),
		"shanba soat 10":    time.Date(2026, 11, 28, 10, 0, 0, 0, msk),
		"пн 8:00":           time.Date(2026, 11, 23, 8, 0, 0, 0, msk),
		"воскресенье 18:00": time.Date(2026, 11, 22, 18, 0, 0, 0, msk), // today, still ahead
		"sunday 14:00":      time.Date(2026, 11, 29, 14, 0, 0, 0, msk), // today, passed: next week's
		"yakshanba soat 9":  time.Date(2026, 11, 29, 9, 0, 0, 0, msk),
	} {
		got, err := domain.ParseDateTime(in, now, msk)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "25.12", "10.12", "18", "25.12 24:00", "25.12 18:60", "31.11 10:00", "вчера 18:00", "завтра", "завтра в", "в 10",
		"tomorrow 25", "25.12 18:0", "25.12 18.5", "saturday", "сб 25:00", "funday 10:00"} {
		if _, err := domain.ParseDateTime(in, now, msk); err == nil {
			t.Errorf("ParseDateTime(%q) accepted", in)
		}
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, seed := range []string{"25.12 18:00", "2026-12-25 18:00", "завтра в 10", "tomorrow at 18:00", "ertaga soat 9",
		"18:00", "10.12", "25 декабря 18:00", "29.02 10:00", "в 10", "", "25. 12. 26 18:00", "12/25 9:00"} {
		f.Add(seed)
	}
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		at, err := domain.ParseDateTime(in, now, msk)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("ParseDateTime(%q): %v", in, err)
			}
			return
		}
		if at.Location() != msk || at.Second() != 0 || at.Nanosecond() != 0 {
			t.Fatalf("ParseDateTime(%q) = %v", in, at)
		}
		// What the confirmation shows reads back as the same moment.
		shown := at.Format("02.01.2006 15:04")
		if again, err := domain.ParseDateTime(shown, now, msk); err != nil || !again.Equal(at) {
			t.Fatalf("ParseDateTime(%q) = %v, shown %q, read back %v, %v", in, at, shown, again, err)
		}
	})
}
