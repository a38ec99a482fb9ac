package main

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/locales"
)

// TestNudgesDefaultsNameTheKeyWritten: a hold-out or attribution window out
// of range under [nudges] is refused naming nudges.hold_out_percent (the
// key the owner wrote), not the first built-in rule it was copied to.
func TestNudgesDefaultsNameTheKeyWritten(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{"hold_out_percent = 10 ", "hold_out_percent = 60 ", "test: nudges.hold_out_percent: must be between 0 and 50, got 60"},
		{"attribution_days = 7 ", "attribution_days = 0 ", "test: nudges.attribution_days: must be between 1 and 60, got 0"},
	})
}

// TestLanguageListedTwiceIsRefused: a language listed twice would be
// offered twice by /language and written twice for every broadcast; it is
// a config error naming the second one.
func TestLanguageListedTwiceIsRefused(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`languages = ["ru", "en", "uz"]`, `languages = ["ru", "en", "uz", "ru"]`, `languages[3]: "ru" is listed twice`},
	})
}

// TestBlankTextsAreRefused: a name or consent version of spaces only is as
// empty as "" (greetings with no shop's name, a store /stores cannot name,
// consents stored under no version).
func TestBlankTextsAreRefused(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`name = "Coffee & Co"`, `name = "  "`, "config test: name: must not be empty"},
		{`name = "Coffee & Co, Central"`, `name = " "`, "stores[0].name: must not be empty"},
		{`consent_version = "2026-11"`, `consent_version = " "`, "consent_version: must not be empty"},
	})
}

// TestOwnersAreTelegramUserIDs: owners are people's Telegram ids, always
// positive; a 0 left as a placeholder or a group's id (-100…) would make
// nobody an owner without a word.
func TestOwnersAreTelegramUserIDs(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{"owners = []", "owners = [0]", "owners[0]"},
		{"owners = []", "owners = [123456789, -1001234567890]", "owners[1]"},
	})
}

// TestNudgeRuleSwitchedOffAsDocumented: the example says a built-in rule
// is switched off with enabled = false under [nudges.rules.<id>].
func TestNudgeRuleSwitchedOffAsDocumented(t *testing.T) {
	src := strings.Replace(string(exampleConfig), "[nudges.rules.winback]\n", "[nudges.rules.winback]\nenabled = false\n", 1)
	b, err := loadBusiness([]byte(src), "test", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := b.Nudges.Rule("winback"); !ok || r.Enabled {
		t.Fatalf("winback after enabled = false: %+v", r)
	}
}

// TestReferralBadgeNeedsTheInviteProgram: a referral badge the owner
// wrote, with the invite program switched off, could never be earned and
// tells customers to use /invite, which is not there: it is refused,
// naming the badge. The built-in one, left unwritten, is only not offered.
func TestReferralBadgeNeedsTheInviteProgram(t *testing.T) {
	off := strings.Replace(string(exampleConfig), "[referral]\nenabled = true", "[referral]\nenabled = false", 1)
	if off == string(exampleConfig) {
		t.Fatal("the example config has no [referral] enabled = true")
	}
	if _, err := loadBusiness([]byte(off), "test", locales.Languages()); err != nil {
		t.Fatalf("the invite program off, the built-in badge left alone: %v", err)
	}
	for _, badge := range []string{"[badges.good_friend]\npoints = 50\n", "[badges.friends_3]\nkind = \"referral\"\ncount = 3\n"} {
		src := strings.Replace(off, "[badges.longest_receipt]", badge+"\n[badges.longest_receipt]", 1)
		_, err := loadBusiness([]byte(src), "test", locales.Languages())
		if err == nil || !strings.Contains(err.Error(), "needs the invite program: [referral] enabled = true") {
			t.Errorf("%s with [referral] enabled = false → %v", badge, err)
		}
	}
	// Switched off, it asks for nothing.
	src := strings.Replace(off, "[badges.longest_receipt]", "[badges.good_friend]\nenabled = false\n\n[badges.longest_receipt]", 1)
	if _, err := loadBusiness([]byte(src), "test", locales.Languages()); err != nil {
		t.Errorf("a referral badge switched off: %v", err)
	}
}
