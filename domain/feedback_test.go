package domain

import (
	"testing"
	"time"
)

// TestRequestTimeLeavesQuietHours: a request due inside the quiet hours
// (in the store's zone) moves to their end, the same night or the next
// morning; one due outside them keeps its time.
func TestRequestTimeLeavesQuietHours(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	c := DefaultFeedback()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, msk) }
	cases := []struct{ bought, want time.Time }{
		{at(22, 12, 0), at(22, 14, 0)},
		{at(22, 19, 59), at(22, 21, 59)},
		{at(22, 20, 0), at(23, 9, 0)},
		{at(22, 23, 30), at(23, 9, 0)},
		{at(23, 6, 0), at(23, 9, 0)},
		{at(23, 7, 0), at(23, 9, 0)},
		{at(23, 7, 1), at(23, 9, 1)},
	}
	for _, tc := range cases {
		if got := c.RequestTime(tc.bought, msk); !got.Equal(tc.want) {
			t.Errorf("bought %s: asked %s, want %s", tc.bought.Format("02 15:04"), got.In(msk).Format("02 15:04"), tc.want.Format("02 15:04"))
		}
	}
	c.QuietStart, c.QuietEnd = 13*60, 15*60 // a siesta: start before end
	if got, want := c.RequestTime(at(22, 12, 0), msk), at(22, 15, 0); !got.Equal(want) {
		t.Errorf("siesta: asked %s, want %s", got.In(msk), want)
	}
}

// TestFeedbackAverageRoundsHalfUp: the digest's average is integer tenths.
func TestFeedbackAverageRoundsHalfUp(t *testing.T) {
	for _, tt := range []struct{ count, stars, want int }{
		{2, 9, 45}, {3, 13, 43}, {3, 14, 47}, {8, 39, 49}, {1, 5, 50}, {0, 0, 0}, {20, 81, 41},
	} {
		if got := (FeedbackStat{Count: tt.count, Stars: tt.stars}).Average(); got != tt.want {
			t.Errorf("%d stars over %d ratings: %d tenths, want %d", tt.stars, tt.count, got, tt.want)
		}
	}
}
