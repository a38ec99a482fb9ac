package domain

import (
	"testing"
	"time"
)

// A holiday on a day no year has ("02-30", "04-31") can never be due: the
// config must refuse it rather than accept a greeting that never goes out.
func TestHolidayDateThatNeverComes(t *testing.T) {
	for _, date := range []string{"02-30", "04-31"} {
		r := NudgeRule{ID: "h", Kind: NudgeHoliday, Enabled: true, Marketing: true, Date: date, At: 600, Window: 1,
			AttributionDays: 7}
		b := &Business{Stores: []StoreConfig{{Code: "a", TimeZone: "Europe/Moscow"}}, Nudges: NudgeConfig{Rules: []NudgeRule{r}}}
		if err := b.Nudges.Validate(b); err != nil {
			continue // refused: good
		}
		s := &Service{Business: b}
		due := 0
		for d := time.Date(2028, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() < 2032; d = d.AddDate(0, 0, 1) {
			if s.NudgeMayBeDue(r, d) {
				due++
			}
		}
		t.Errorf("holiday date %q accepted; due on %d days in four years", date, due)
	}
	r := NudgeRule{ID: "h", Kind: NudgeHoliday, Enabled: true, Marketing: true, Date: "02-29", At: 600, Window: 1,
		AttributionDays: 7}
	b := &Business{Stores: []StoreConfig{{Code: "a", TimeZone: "Europe/Moscow"}}, Nudges: NudgeConfig{Rules: []NudgeRule{r}}}
	if err := b.Nudges.Validate(b); err != nil {
		t.Errorf("29 February refused: %v", err)
	}
	// In other years it is 1 March, as for a birthday.
	s := &Service{Business: b}
	if !s.NudgeMayBeDue(r, time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)) || s.NudgeMayBeDue(r, time.Date(2032, 3, 2, 12, 0, 0, 0, time.UTC)) ||
		!s.NudgeMayBeDue(r, time.Date(2032, 2, 29, 12, 0, 0, 0, time.UTC)) {
		t.Error("29 February is not due on 1 March of other years only (or on the day itself)")
	}
}
