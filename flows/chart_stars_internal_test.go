package flows

import (
	"math"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/chart"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestChartStarsLeaveOutWeeksWithoutRatings: a week nobody rated has no
// average (the caption says "—"); the stars line must not draw it as 0
// stars, the worst week there could be, between two weeks of 5 stars.
// The chart is still drawn.
func TestChartStarsLeaveOutWeeksWithoutRatings(t *testing.T) {
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Config: Config{Business: &domain.Business{Currency: "RUB"}, Bundle: bundle},
		locs: map[string]*i18n.Localizer{}, langs: map[*i18n.Localizer]string{}}
	weeks := []domain.WeekStats{{Ratings: 2, Stars: 10}, {}, {Ratings: 1, Stars: 5}}
	for _, kind := range []string{chartRatings, ""} {
		c := e.chartOf(kind, weeks, "en")
		stars := c.Panels[0].Series[0].Values
		if kind == "" {
			stars = c.Panels[2].Series[0].Values
		}
		if stars[0] != 5 || stars[2] != 5 || !math.IsNaN(stars[1]) {
			t.Errorf("%q chart: stars %v, want the unrated week left out (NaN)", kind, stars)
		}
		if _, err := chart.PNG(c); err != nil {
			t.Errorf("%q chart not drawn: %v", kind, err)
		}
	}
}
