package flows

import (
	"regexp"
	"slices"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// helpCommand is a command at the start of a /help line.
var helpCommand = regexp.MustCompile(`(?m)^/([a-z]+) `)

// TestHelpListsEachAudiencesMenu: in every language, /help names exactly
// the commands of the person's menus (customer, cashier, manager,
// owner): none is missing, and none is offered to someone who may not run
// it. /start is what opens the chat, not a line of help.
func TestHelpListsEachAudiencesMenu(t *testing.T) {
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	audiences := []struct {
		who string
		st  *domain.Staff
	}{
		{"customer", nil},
		{"cashier", &domain.Staff{Role: domain.RoleCashier, ShopID: 1}},
		{"manager", &domain.Staff{Role: domain.RoleManager, ShopID: 1}},
		{"owner", &domain.Staff{Role: domain.RoleOwner}},
	}
	for _, lang := range locales.Languages() {
		loc := i18n.NewLocalizer(b, lang)
		for _, a := range audiences {
			menus := []Menu{MenuCustomer}
			if a.st != nil {
				menus = staffMenus(a.st)
			}
			var want []string
			for _, c := range menuCommands(menus...) {
				if c != "start" {
					want = append(want, c)
				}
			}
			var got []string
			for _, id := range helpMessages(a.st) {
				text, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id})
				if err != nil {
					t.Fatalf("%s: %s: %v", lang, id, err)
				}
				for _, m := range helpCommand.FindAllStringSubmatch(text, -1) {
					got = append(got, m[1])
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %s: /help lists %v, the menus %v", lang, a.who, got, want)
			}
		}
	}
}
