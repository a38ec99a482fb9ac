package domain

import (
	"testing"
	"time"
)

// A nudge due late in the evening before a daylight-saving change must go
// out at 10:00 local the next morning, the end of the quiet hours.
func TestNextContactTimeAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct{ at, want time.Time }{
		// autumn: 25 October 2026 has 25 hours
		{time.Date(2026, 10, 24, 22, 0, 0, 0, berlin), time.Date(2026, 10, 25, 10, 0, 0, 0, berlin)},
		// spring: 29 March 2026 has 23 hours
		{time.Date(2026, 3, 28, 22, 0, 0, 0, berlin), time.Date(2026, 3, 29, 10, 0, 0, 0, berlin)},
	} {
		got := NextContactTime(c.at, berlin, 21*60, 10*60, 0, 0)
		if !got.Equal(c.want) {
			t.Errorf("due %s, quiet 21:00-10:00: sent %s, want %s", c.at, got.In(berlin), c.want)
		}
	}
}
