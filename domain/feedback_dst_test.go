package domain

import (
	"testing"
	"time"
)

// TestRequestTimeQuietHoursOnClockChangeDay: on the night the clocks go
// back (Berlin, 25.10.2026), a request due at 00:30 inside the quiet hours
// 22:00-09:00 must wait for 09:00 local, not go at 08:00 local (inside
// the quiet hours) because midnight plus nine hours is an hour off.
// TestRequestTimeQuietHoursOnClockChangeDay: a request held by the quiet
// hours goes out at 09:00 on the day the clocks change, not 08:00 or 10:00.
func TestRequestTimeQuietHoursOnClockChangeDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	c := DefaultFeedback() // delay 2h, quiet 22:00-09:00
	bought := time.Date(2026, 10, 24, 22, 30, 0, 0, berlin)
	got := c.RequestTime(bought, berlin).In(berlin)
	want := time.Date(2026, 10, 25, 9, 0, 0, 0, berlin)
	if !got.Equal(want) {
		t.Fatalf("request due %s, want %s (08:00 is inside the quiet hours)", got, want)
	}
	// And the spring change: 10:00 local is an hour later than the quiet hours end.
	bought = time.Date(2026, 3, 28, 22, 30, 0, 0, berlin)
	got = c.RequestTime(bought, berlin).In(berlin)
	want = time.Date(2026, 3, 29, 9, 0, 0, 0, berlin)
	if !got.Equal(want) {
		t.Fatalf("spring: request due %s, want %s", got, want)
	}
}
