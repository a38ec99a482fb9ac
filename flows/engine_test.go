package flows

import (
	"errors"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestSafelyTurnsPanicIntoError: a bug in a step must not become a poison
// update; the engine's error path then answers and marks it handled.
func TestSafelyTurnsPanicIntoError(t *testing.T) {
	s := &Session{Conv: &domain.Conversation{Flow: "checkout", Step: "amount"}}
	err := safely(func(*Session) error { panic("boom") }, s)
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), `step "amount"`) {
		t.Fatalf("got %v", err)
	}
	want := errors.New("plain")
	if err := safely(func(*Session) error { return want }, s); err != want {
		t.Fatalf("got %v, want the step's own error", err)
	}
}

// TestChartAxisGroupsDigitsLikeTheReader: the chart's y axis groups digits
// as its reader's messages do: "12,500" in English, "12 500" in Russian.
func TestChartAxisGroupsDigitsLikeTheReader(t *testing.T) {
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Config: Config{Business: &domain.Business{Currency: "RUB"}, Bundle: bundle},
		locs: map[string]*i18n.Localizer{}, langs: map[*i18n.Localizer]string{}}
	weeks := []domain.WeekStats{{Revenue: 1_250_000}}
	if c := e.chartOf(chartRevenue, weeks, "en"); c.Thousands != "," {
		t.Errorf("English chart separates thousands with %q", c.Thousands)
	}
	if c := e.chartOf(chartRevenue, weeks, "ru"); c.Thousands != " " {
		t.Errorf("Russian chart separates thousands with %q", c.Thousands)
	}
}

// TestBuiltInRulesHaveNames: owners read every built-in nudge rule by a
// name in their language, not its config id; their own rules by the id.
func TestBuiltInRulesHaveNames(t *testing.T) {
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Config: Config{Business: &domain.Business{}, Bundle: bundle},
		locs: map[string]*i18n.Localizer{}, langs: map[*i18n.Localizer]string{}}
	for _, r := range domain.DefaultNudges().Rules {
		for _, lang := range locales.Languages() {
			if name := e.ruleName(r.ID, lang); name == r.ID || name == "" {
				t.Errorf("built-in rule %s has no name in %s", r.ID, lang)
			}
		}
	}
	if got := e.ruleName("anniversary", "ru"); got != "anniversary" {
		t.Errorf("an owner's rule reads %q", got)
	}
}
