package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOpeningHours(t *testing.T) {
	h, err := ParseOpeningHours([]string{"mon-fri 08:00-22:00", "sat 10:00-14:00, 15:00-18:00", "sun closed",
		"2026-12-31 10:00-16:00", "01-01 closed", "02-29 24h"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[time.Weekday]string{time.Monday: "08:00-22:00", time.Friday: "08:00-22:00",
		time.Saturday: "10:00-14:00, 15:00-18:00", time.Sunday: "closed"}
	for d, w := range want {
		if got := FormatSpans(h.Week[d]); got != w {
			t.Errorf("%s: %s, want %s", d, got, w)
		}
	}
	if got := FormatSpans(h.Dates["2026-12-31"]); got != "10:00-16:00" {
		t.Errorf("31 December: %s", got)
	}
	if s, ok := h.Yearly["01-01"]; !ok || len(s) != 0 {
		t.Errorf("1 January: %v %v, want closed", s, ok)
	}
	if got := FormatSpans(h.Yearly["02-29"]); got != "24h" {
		t.Errorf("29 February: %s", got)
	}
	bar, err := ParseOpeningHours([]string{"fri-sun 20:00-02:00"})
	if err != nil {
		t.Fatal(err)
	}
	if got := bar.Week[time.Sunday]; !slices.Equal(got, []Span{{1200, 1560}}) || len(bar.Week[time.Monday]) != 0 {
		t.Errorf("fri-sun past midnight: %v", bar.Week)
	}

	for _, c := range []struct{ entry, problem string }{
		{"mon-fri", "give the hours"},
		{"mon-fry 08:00-20:00", `"fry" is not a day`},
		{"mon 8-20", `"8" is not a time of day`},
		{"mon 08:00", `write opening and closing as 09:00-21:00`},
		{"mon 08:00-25:00", `"25:00" is not a time of day`},
		{"mon 08:60-20:00", `"08:60" is not a time of day`},
		{"mon 09:00-09:00", "opens and closes at once"},
		{"mon 24:00-08:00", "opens at 00:00, not 24:00"},
		{"mon 12:00-20:00, 08:00-11:00", "list a day's openings in order"},
		{"2026-02-30 closed", `"2026-02-30" is not a date`},
		{"13-01 closed", `"13-01" is not a date`},
	} {
		_, err := ParseOpeningHours([]string{"tue 10:00-12:00", c.entry})
		var he *HoursError
		if !errors.As(err, &he) || he.Entry != 1 || !strings.Contains(he.Problem, c.problem) {
			t.Errorf("%q: %v, want entry 1: …%s…", c.entry, err, c.problem)
		}
	}
	for _, twice := range [][]string{{"mon-fri 08:00-20:00", "fri 10:00-12:00"}, {"12-31 closed", "12-31 10:00-12:00"}} {
		if _, err := ParseOpeningHours(twice); err == nil || !strings.Contains(err.Error(), "listed twice") {
			t.Errorf("%q: %v, want listed twice", twice, err)
		}
	}
}

// TestOpenState: open, closing, opening next, past midnight, a day
// that differs, round the clock.
func TestOpenState(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseOpeningHours([]string{"mon-thu 08:00-22:00", "fri 08:00-02:00", "sat 10:00-14:00, 15:00-18:00",
		"2026-12-31 10:00-16:00", "01-01 closed", "01-02 closed"})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, msk)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		now, until, opens string
	}{
		{now: "2026-12-07 09:00", until: "2026-12-07 22:00"}, // Monday
		{now: "2026-12-07 07:59", opens: "2026-12-07 08:00"}, // before opening
		{now: "2026-12-07 22:00", opens: "2026-12-08 08:00"}, // at closing
		{now: "2026-12-12 01:30", until: "2026-12-12 02:00"}, // Friday's night, on Saturday
		{now: "2026-12-12 14:30", opens: "2026-12-12 15:00"}, // the lunch break
		{now: "2026-12-13 12:00", opens: "2026-12-14 08:00"}, // Sunday: closed
		{now: "2026-12-31 12:00", until: "2026-12-31 16:00"}, // a day that differs
		{now: "2026-12-31 17:00", opens: "2027-01-04 08:00"}, // two closed days, then the weekend
		{now: "2027-01-01 12:00", opens: "2027-01-04 08:00"}, // a yearly closed day
		{now: "2028-01-01 12:00", opens: "2028-01-03 08:00"}, // the next year's, a Saturday
	} {
		got := h.At(at(c.now))
		switch {
		case c.until != "" && (!got.Open || !got.Until.Equal(at(c.until))):
			t.Errorf("%s: %+v, want open until %s", c.now, got, c.until)
		case c.opens != "" && (got.Open || !got.Opens.Equal(at(c.opens))):
			t.Errorf("%s: %+v, want opening %s", c.now, got, c.opens)
		}
	}
	always, _ := ParseOpeningHours([]string{"daily 24h"})
	if s := always.At(at("2026-12-07 03:00")); !s.Open || !s.AroundTheClock {
		t.Errorf("daily 24h: %+v", s)
	}
	// Until midnight and on from midnight is one opening.
	late, _ := ParseOpeningHours([]string{"mon 18:00-24:00", "tue 00:00-03:00"})
	if s := late.At(at("2026-12-07 23:00")); !s.Open || !s.Until.Equal(at("2026-12-08 03:00")) || s.AroundTheClock {
		t.Errorf("Monday until 24:00, Tuesday from 00:00: %+v", s)
	}
	var none OpeningHours
	if s := none.At(at("2026-12-07 12:00")); s.Open || !s.Opens.IsZero() || none.Known() {
		t.Errorf("no hours: %+v", s)
	}
}

func TestParseGeoPoint(t *testing.T) {
	for in, want := range map[string]GeoPoint{
		"55.757600, 37.613200":     {55_757_600, 37_613_200},
		"55.7576,37.6132":          {55_757_600, 37_613_200},
		"-33.8688197, 151.2092955": {-33_868_819, 151_209_295},
		"0, -0.1":                  {0, -100_000},
	} {
		got, err := ParseGeoPoint(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"55.7576", "91, 37", "55, 181", "55.7.6, 37", "x, y", ", 37", "1e3, 2"} {
		if _, err := ParseGeoPoint(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzParseOpeningHours: whatever an entry is, the parser answers
// without panicking, and what it reads is written back (FormatSpans) to
// text that reads as the same hours.
func FuzzParseOpeningHours(f *testing.F) {
	for _, s := range []string{"mon-fri 08:00-22:00", "sat,sun 10:00-14:00, 15:00-18:00", "daily 24h",
		"fri 20:00-02:00", "sun closed", "2026-12-31 10:00-16:00", "01-01 closed", "fri-mon 9:00-24:00", "mon 00:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		h, err := ParseOpeningHours([]string{entry})
		if err != nil {
			return
		}
		for wd, spans := range h.Week {
			for i, s := range spans {
				if s.From < 0 || s.From >= 1440 || s.To <= s.From || s.To-s.From > 1440 || i > 0 && s.From < spans[i-1].To {
					t.Fatalf("%q: %s: %v", entry, time.Weekday(wd), spans)
				}
			}
			if spans == nil {
				continue
			}
			again, err := ParseOpeningHours([]string{hourDays[wd] + " " + FormatSpans(spans)})
			if err != nil || !slices.Equal(again.Week[wd], spans) {
				t.Fatalf("%q: %s written %q reads %v %v", entry, time.Weekday(wd), FormatSpans(spans), again.Week[wd], err)
			}
		}
	})
}

// FuzzParseGeoPoint: a point read is written back to the same point.
func FuzzParseGeoPoint(f *testing.F) {
	for _, s := range []string{"55.757600, 37.613200", "-33.8688197, 151.2092955", "0,0", "90, -180"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseGeoPoint(s)
		if err != nil {
			return
		}
		if p.LatE6 < -90_000_000 || p.LatE6 > 90_000_000 || p.LonE6 < -180_000_000 || p.LonE6 > 180_000_000 {
			t.Fatalf("%q: %v out of range", s, p)
		}
		if again, err := ParseGeoPoint(p.String()); err != nil || again != p {
			t.Fatalf("%q: %v written %q reads %v %v", s, p, p.String(), again, err)
		}
	})
}
