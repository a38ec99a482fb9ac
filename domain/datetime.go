package domain

import (
	"strconv"
	"strings"
	"time"
)

// ParseDateTime reads a date and a time of day as an owner types them to
// schedule something, in loc: "25.12 18:00", "25.12.2026 18:00",
// "2026-12-25 18:00" (or any date ParseDate reads, then the time). A date
// without a year is the next such day from now (today included). Errors
// are *ValidationError with reason "error.answer.datetime".
func ParseDateTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	bad := &ValidationError{Reason: "error.answer.datetime"}
	s = strings.Join(strings.Fields(s), " ")
	i := strings.LastIndexByte(s, ' ')
	if i < 0 || len(s) > 100 {
		return time.Time{}, bad
	}
	datePart, clock := s[:i], s[i+1:]
	hs, ms, ok := strings.Cut(clock, ":")
	h, okH := dateNumber(hs, 1, 2)
	m, okM := dateNumber(ms, 2, 2)
	if !ok || !okH || !okM || h > 23 || m > 59 {
		return time.Time{}, bad
	}
	local := now.In(loc)
	noYear := false
	if parts := strings.Split(datePart, "."); len(parts) == 2 || (len(parts) == 3 && parts[2] == "") {
		datePart = parts[0] + "." + parts[1] + "." + strconv.Itoa(local.Year())
		noYear = true
	}
	d, err := ParseDate(datePart, now)
	if err != nil {
		return time.Time{}, bad
	}
	if noYear && d.Before(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)) {
		next := d.AddDate(1, 0, 0) // 25.12 on the 26th: next year's
		if next.Day() != d.Day() {
			return time.Time{}, bad // 29.02 with no leap year next
		}
		d = next
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
}
