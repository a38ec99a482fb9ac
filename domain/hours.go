package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Span is one opening of a day, in minutes from the day's midnight. To
// past 24:00 (1440) runs into the next day: a bar open 20:00-02:00 is
// {1200, 1560} on the day it opens.
type Span struct{ From, To int }

// OpeningHours is when a store is open: the week, and the days that
// differ from it (holidays, a stocktaking). A day with no spans is
// closed.
type OpeningHours struct {
	Week [7][]Span // by time.Weekday
	// Dates are days that differ, by "2006-01-02"; an empty list is
	// closed that day.
	Dates map[string][]Span
	// Yearly are days that differ every year, by "01-02" (New Year's
	// Day); Dates come first.
	Yearly map[string][]Span
}

// Known says whether any hours were given.
func (h OpeningHours) Known() bool {
	for _, d := range h.Week {
		if len(d) > 0 {
			return true
		}
	}
	return len(h.Dates) > 0 || len(h.Yearly) > 0
}

// Day is the spans of the day that begins at day (its midnight in the
// store's zone), and whether the day differs from the week.
func (h OpeningHours) Day(day time.Time) (spans []Span, special bool) {
	if s, ok := h.Dates[day.Format("2006-01-02")]; ok {
		return s, true
	}
	if s, ok := h.Yearly[day.Format("01-02")]; ok {
		return s, true
	}
	return h.Week[day.Weekday()], false
}

// OpenState is a store's opening at one moment.
type OpenState struct {
	Open bool
	// AroundTheClock: open, and not closing within a week.
	AroundTheClock bool
	// Until is when an open store closes.
	Until time.Time
	// Opens is when a closed store opens next, within two weeks; zero if
	// it does not.
	Opens time.Time
}

// statusHorizon is how far ahead At looks for a closing or an opening.
const statusHorizon = 14

// At is the store's opening at now, which must be in the store's zone.
// Spans that touch or overlap (a day until 24:00 and the next from
// 00:00) are one opening.
func (h OpeningHours) At(now time.Time) OpenState {
	type interval struct{ from, to time.Time }
	var all []interval
	y, m, d := now.Date()
	for i := -1; i <= statusHorizon; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, now.Location())
		spans, _ := h.Day(day)
		for _, s := range spans {
			all = append(all, interval{clockOf(day, s.From), clockOf(day, s.To)})
		}
	}
	slices.SortFunc(all, func(a, b interval) int { return a.from.Compare(b.from) })
	var merged []interval
	for _, iv := range all {
		if n := len(merged); n > 0 && !iv.from.After(merged[n-1].to) {
			if iv.to.After(merged[n-1].to) {
				merged[n-1].to = iv.to
			}
			continue
		}
		merged = append(merged, iv)
	}
	for _, iv := range merged {
		if iv.from.After(now) {
			return OpenState{Opens: iv.from}
		}
		if now.Before(iv.to) {
			return OpenState{Open: true, Until: iv.to, AroundTheClock: iv.to.Sub(now) > 7*24*time.Hour}
		}
	}
	return OpenState{}
}

// clockOf is minutes past day's midnight as a time of the store's zone,
// read as a wall clock (a day of 23 or 25 hours keeps 22:00 at 22:00).
func clockOf(day time.Time, minutes int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+minutes/1440, minutes%1440/60, minutes%60, 0, 0, day.Location())
}

// hourDays are the day names of an hours entry.
var hourDays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// HoursError is a wrong opening-hours entry, by its place in the list.
type HoursError struct {
	Entry   int
	Problem string
}

func (e *HoursError) Error() string { return fmt.Sprintf("[%d]: %s", e.Entry, e.Problem) }

// ParseOpeningHours reads a store's hours, one entry per set of days:
// "mon-fri 08:00-20:00", "sat,sun 10:00-14:00, 15:00-18:00" (a lunch
// break), "daily 24h", "fri 20:00-02:00" (past midnight), "sun closed",
// and the days that differ: "2026-12-31 10:00-16:00", "01-01 closed"
// (every year). A weekday listed nowhere is closed; none may be listed
// twice, nor a date.
func ParseOpeningHours(entries []string) (OpeningHours, error) {
	var h OpeningHours
	seen := [7]bool{}
	for i, entry := range entries {
		bad := func(format string, args ...any) error {
			return &HoursError{Entry: i, Problem: fmt.Sprintf(format, args...)}
		}
		days, rest, _ := strings.Cut(strings.TrimSpace(strings.ToLower(entry)), " ")
		spans, err := parseSpans(strings.TrimSpace(rest))
		if err != nil {
			return OpeningHours{}, bad("%q: %v", entry, err)
		}
		if date, yearly, ok := parseHoursDate(days); ok {
			target := &h.Dates
			if yearly {
				target = &h.Yearly
			}
			if *target == nil {
				*target = map[string][]Span{}
			}
			if _, dup := (*target)[date]; dup {
				return OpeningHours{}, bad("%q: %s is listed twice", entry, date)
			}
			(*target)[date] = spans
			continue
		}
		if days != "" && days[0] >= '0' && days[0] <= '9' {
			return OpeningHours{}, bad("%q: %q is not a date: write 2026-12-31, or 12-31 for every year", entry, days)
		}
		list, err := parseHoursDays(days)
		if err != nil {
			return OpeningHours{}, bad("%q: %v", entry, err)
		}
		for _, wd := range list {
			if seen[wd] {
				return OpeningHours{}, bad("%q: %s is listed twice", entry, hourDays[wd])
			}
			seen[wd] = true
			h.Week[wd] = spans
		}
	}
	return h, nil
}

// parseHoursDate reads "2026-12-31" (that day) or "12-31" (every year).
func parseHoursDate(s string) (key string, yearly, ok bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil && t.Format("2006-01-02") == s {
		return s, false, true
	}
	if t, err := time.Parse("2006-01-02", "2024-"+s); err == nil && t.Format("01-02") == s {
		return s, true, true // 2024: a leap year, so 02-29 is a day
	}
	return "", false, false
}

// parseHoursDays reads "mon-fri", "sat,sun", "fri-mon" (round the
// weekend) or "daily".
func parseHoursDays(s string) ([]time.Weekday, error) {
	if s == "daily" {
		return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}, nil
	}
	day := func(name string) (time.Weekday, error) {
		if i := slices.Index(hourDays, name); i >= 0 {
			return time.Weekday(i), nil
		}
		return 0, fmt.Errorf("%q is not a day: write mon, tue, wed, thu, fri, sat, sun, a range (mon-fri), daily or a date (2026-12-31, or 12-31 every year)", name)
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := day(from)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := day(to)
		if err != nil {
			return nil, err
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

// parseSpans reads "08:00-20:00", "10:00-14:00, 15:00-18:00", "24h" or
// "closed".
func parseSpans(s string) ([]Span, error) {
	switch s {
	case "":
		return nil, fmt.Errorf("give the hours after the days: 09:00-21:00, 24h or closed")
	case "closed":
		return []Span{}, nil
	case "24h":
		return []Span{{0, 1440}}, nil
	}
	var out []Span
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("%q: write opening and closing as 09:00-21:00", strings.TrimSpace(part))
		}
		a, err := hoursClock(strings.TrimSpace(from))
		if err != nil {
			return nil, err
		}
		b, err := hoursClock(strings.TrimSpace(to))
		if err != nil {
			return nil, err
		}
		switch {
		case a == 1440:
			return nil, fmt.Errorf("%q: a day opens at 00:00, not 24:00", strings.TrimSpace(part))
		case a == b:
			return nil, fmt.Errorf("%q: opens and closes at once; write 24h for a day round the clock", strings.TrimSpace(part))
		case b < a:
			b += 1440 // past midnight
		}
		if n := len(out); n > 0 && a < out[n-1].To {
			return nil, fmt.Errorf("%q: starts before the opening before it ends; list a day's openings in order, apart", strings.TrimSpace(part))
		}
		out = append(out, Span{a, b})
	}
	return out, nil
}

// hoursClock reads "08:00" (or "8:00") as minutes; 24:00 is the day's end.
func hoursClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || strings.Trim(hh+mm, "0123456789") != "" || err1 != nil || err2 != nil || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 || h < 0 || m < 0 || m > 59 ||
		h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time of day such as 09:00", s)
	}
	return h*60 + m, nil
}

// FormatSpans is a day's spans as the config writes them: "08:00-20:00",
// "10:00-14:00, 15:00-18:00", "24h", "closed".
func FormatSpans(spans []Span) string {
	if len(spans) == 0 {
		return "closed"
	}
	if len(spans) == 1 && spans[0] == (Span{0, 1440}) {
		return "24h"
	}
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = s.Text("-")
	}
	return strings.Join(parts, ", ")
}

// Text is the span as "08:00<dash>22:00"; a span past midnight closes
// at the next day's clock ("20:00-02:00").
func (s Span) Text(dash string) string {
	to := s.To
	if to > 1440 {
		to -= 1440
	}
	return ClockText(s.From) + dash + ClockText(to)
}

// GeoPoint is a place on the map in millionths of a degree (about 0.1 m),
// so a location needs no float until it goes to Telegram.
type GeoPoint struct{ LatE6, LonE6 int64 }

// ParseGeoPoint reads "55.757600, 37.613200", latitude then longitude,
// as a map shows them (what Yandex, Google and 2GIS copy on a click);
// digits past the sixth decimal are dropped.
func ParseGeoPoint(s string) (GeoPoint, error) {
	lat, lon, ok := strings.Cut(s, ",")
	if !ok {
		return GeoPoint{}, fmt.Errorf("%q: write latitude, longitude as a map shows them, e.g. \"55.757600, 37.613200\"", s)
	}
	a, err := microDegrees(strings.TrimSpace(lat), 90)
	if err != nil {
		return GeoPoint{}, fmt.Errorf("latitude: %w", err)
	}
	b, err := microDegrees(strings.TrimSpace(lon), 180)
	if err != nil {
		return GeoPoint{}, fmt.Errorf("longitude: %w", err)
	}
	return GeoPoint{a, b}, nil
}

// microDegrees reads a decimal number of degrees within ±limit.
func microDegrees(s string, limit int64) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" || len(whole) > 3 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number of degrees", s)
	}
	frac = (frac + "000000")[:6]
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := w*1_000_000 + f
	if v > limit*1_000_000 {
		return 0, fmt.Errorf("%q is out of ±%d degrees", s, limit)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// String is the point as ParseGeoPoint reads it.
func (p GeoPoint) String() string {
	deg := func(v int64) string {
		sign := ""
		if v < 0 {
			sign, v = "-", -v
		}
		return fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
	}
	return deg(p.LatE6) + ", " + deg(p.LonE6)
}
