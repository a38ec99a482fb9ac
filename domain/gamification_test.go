package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseNickname(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"Bobby_77", "Bobby_77", true},
		{"  Anna   K. ", "Anna K.", true},
		{"Лиса-2026", "Лиса-2026", true},
		{"O'tkir", "O'tkir", true},
		{"Oʻtkir G‘ayrat", "Oʻtkir G‘ayrat", true},
		{"'anna", "", false},
		{"anna'", "", false},
		{"an' na", "", false},
		{"x", "", false},
		{strings.Repeat("a", 21), "", false},
		{"+7 999 123 45 67", "", false},
		{"79991234567", "", false},
		{"12345", "", false},
		{"a12345", "", false},
		{"@anna", "", false},
		{"anna.example.com/x", "", false},
		{"1234", "", false},
	}
	for _, c := range cases {
		got, err := ParseNickname(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseNickname(%q) = %q, %v; want %q, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseNickname(%q): %v does not wrap ErrInvalid", c.in, err)
		}
	}
}

// FuzzParseNickname: whatever a customer types, an accepted nickname is
// 2-20 characters of the allowed kinds with at most 4 digits.
func FuzzParseNickname(f *testing.F) {
	for _, s := range []string{"Bobby_77", "Anna K.", "+79991234567", "", "ё ё", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseNickname(s)
		if err != nil {
			return
		}
		n := utf8.RuneCountInString(got)
		if n < 2 || n > 20 || !utf8.ValidString(got) || strings.Count(got, "  ") > 0 {
			t.Fatalf("accepted %q from %q", got, s)
		}
		digits := 0
		for _, r := range got {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits > 4 {
			t.Fatalf("accepted %q with %d digits", got, digits)
		}
		if again, err := ParseNickname(got); err != nil || again != got {
			t.Fatalf("not stable: %q → %q, %v", got, again, err)
		}
	})
}

func TestDefaultAlias(t *testing.T) {
	for _, c := range []struct{ first, last, want string }{
		{"Anna", "karenina", "Anna K."}, {"Anna", "", "Anna"}, {"Анна", "Каренина", "Анна К."}, {"", "", "?"}, {"Bo", "'Neil", "Bo"},
	} {
		if got := DefaultAlias(c.first, c.last); got != c.want {
			t.Errorf("DefaultAlias(%q, %q) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
}

func TestStreak(t *testing.T) {
	for _, c := range []struct {
		weeks []int
		want  int
	}{
		{nil, 0}, {[]int{0}, 1}, {[]int{0, 1, 2}, 3}, {[]int{1, 2}, 2}, {[]int{0, 2, 3}, 1}, {[]int{2, 3}, 0}, {[]int{3, 0, 1, 2}, 4},
	} {
		if got := Streak(c.weeks); got != c.want {
			t.Errorf("Streak(%v) = %d, want %d", c.weeks, got, c.want)
		}
	}
}

func TestIsBirthday(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		fact, on string
		want     bool
	}{
		{"1990-11-22", "2026-11-22", true},
		{"1990-11-22", "2026-11-23", false},
		{"2000-02-29", "2026-02-28", false},
		{"2000-02-29", "2026-03-01", true},
		{"2000-02-29", "2028-02-28", false},
		{"2000-02-29", "2028-02-29", true},
		{"2000-02-29", "2028-03-01", false},
		{"2000-03-01", "2026-03-01", true},
		{"", "2026-11-22", false},
		{"22.11.1990", "2026-11-22", false},
	} {
		if got := IsBirthday(c.fact, day(c.on)); got != c.want {
			t.Errorf("IsBirthday(%q, %s) = %v, want %v", c.fact, c.on, got, c.want)
		}
	}
}

func TestMonthOccurrenceRoundTrip(t *testing.T) {
	m := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	occ := MonthOccurrence("river-2", m)
	code, month, ok := ParseMonthOccurrence(occ)
	if occ != "river-2:2026-11" || !ok || code != "river-2" || !month.Equal(m) {
		t.Fatalf("%q → %q %s %v", occ, code, month, ok)
	}
	for _, bad := range []string{"", "2026", ":2026-11", "central:2026-13", "central-2026-11"} {
		if _, _, ok := ParseMonthOccurrence(bad); ok {
			t.Errorf("%q parsed as a month occurrence", bad)
		}
	}
}

// TestReferralCodeFitsADeepLink: "r_" and a code are a valid start
// payload of the referral kind.
func TestReferralCodeFitsADeepLink(t *testing.T) {
	for range 100 {
		code := newReferralCode()
		p, err := ParseStartPayload("r_" + code)
		if err != nil || p.Kind != StartReferral || p.Value != code {
			t.Fatalf("r_%s parses as %+v, %v", code, p, err)
		}
	}
}

func TestDefaultGamificationValidates(t *testing.T) {
	b := &Business{Languages: []string{"en"}, Gamification: DefaultGamification()}
	if err := b.Gamification.Validate(b); err != nil {
		t.Fatal(err)
	}
	var zero Gamification
	if err := zero.Validate(b); err != nil {
		t.Fatalf("a config without gamification: %v", err)
	}
}
