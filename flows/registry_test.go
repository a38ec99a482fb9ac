package flows

import (
	"slices"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/locales"
)

// TestRegistryCommandsAreDescribed: the command menus are built from what
// flow files register, so a new command must bring its "command.<name>"
// description in every language (the locale scan cannot see ids built at
// run time), and the menus keep staff commands first.
func TestRegistryCommandsAreDescribed(t *testing.T) {
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range locales.Languages() {
		loc := i18n.NewLocalizer(b, lang)
		for name, c := range registry.commands {
			if c.menu == MenuNone {
				continue
			}
			if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "command." + name}); err != nil {
				t.Errorf("%s: /%s has no description: %v", lang, name, err)
			}
		}
	}
	customer := menuCommands(MenuCustomer)
	if want := []string{"card", "balance", "profile", "topics", "feedback", "privacy", "help", "language", "start"}; !slices.Equal(customer[:len(want)], want) {
		t.Errorf("customer menu %v, want it to start %v", customer, want)
	}
	manager := menuCommands(MenuCashier, MenuManager, MenuCustomer)
	if want := []string{"scan", "today", "waitlist", "myqr", "staff", "broadcast", "promo", "stats", "chart", "questions", "customer", "export", "card"}; !slices.Equal(manager[:len(want)], want) {
		t.Errorf("manager menu %v, want the register's (scan, today, waitlist, myqr), staff, broadcast, promo, stats, the reports, then the customer's", manager)
	}
	owner := menuCommands(MenuCashier, MenuManager, MenuOwner, MenuCustomer)
	if want := []string{"export", "codes", "audit", "card"}; !slices.Equal(owner[11:11+len(want)], want) {
		t.Errorf("owner menu %v, want the managers' commands, then /codes and /audit, then the customer's", owner)
	}
	for _, f := range []string{flowOnboarding, flowCheckout, flowStaff, flowPrivacy, flowProfile, flowWaitlist} {
		if _, ok := registry.flows[f]; !ok {
			t.Errorf("flow %q is not registered", f)
		}
	}
}
