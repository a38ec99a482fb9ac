package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestNudgeConfigReplenishmentCategoriesAndOffers: the example config's
// replenishment, category texts and offers reach the rules, and a bad
// value is refused naming its field.
func TestNudgeConfigReplenishmentCategoriesAndOffers(t *testing.T) {
	b, err := readBusiness("", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	r, ok := b.Nudges.Rule("replenish")
	if !ok || r.Kind != domain.NudgeReplenish || r.Cycles["coffee_beans"] != 14 || r.LeadDays != 2 || r.PersonalAfter != 3 ||
		len(r.Offers) != 2 || r.Offers[1].Percent != 10 || r.OfferChoice != domain.OfferLastConverted || !r.Marketing {
		t.Fatalf("replenish rule: %+v", r)
	}
	tip, _ := b.Nudges.Rule("bucket_tip")
	if tip.Kind != domain.NudgeReplenish || tip.Cycles["bucket"] != 3 || tip.LeadDays != 0 ||
		!strings.Contains(tip.CategoryText["bucket"]["en"], "a tip for your new bucket") {
		t.Fatalf("bucket_tip rule: %+v", tip)
	}
	disc, _ := b.Nudges.Rule("bucket_discount")
	if o, ok := disc.PickOffer(""); !ok || o.Type != domain.OfferDiscount || o.Category != "cleaning" || o.Days != 7 {
		t.Fatalf("bucket_discount offer: %+v", disc.Offers)
	}
	if got := b.Nudges.CategoryName("cleaning", "en"); got != "cleaning products" {
		t.Fatalf("category name %q", got)
	}
	if got := b.Nudges.CategoryName("pet_food", "en"); got != "pet food" {
		t.Fatalf("an unnamed category reads %q", got)
	}

	base, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`cycles = { coffee_beans = 14, tea = 30 }`, `cycles = { coffee_beans = 2, tea = 30 }`, "nudges.rules.replenish.cycles.coffee_beans"},
		{"\noffer_choice = \"last_converted\"", "\noffer_choice = \"learned\"", "nudges.rules.replenish.offer_choice"},
		{`{ type = "points", points = 50, days = 14 }`, `{ type = "cash", points = 50, days = 14 }`, "nudges.rules.replenish.offers[0].type"},
		{`percent = 10, days = 7 }]`, `percent = 0, days = 7 }]`, "nudges.rules.bucket_discount.offers[0].percent"},
		{`personal_after = 3`, `personal_after = 1`, "nudges.rules.replenish.personal_after"},
		{`personal_after = 3`, "personal_after = 0\nall_categories = true", "nudges.rules.replenish.all_categories"},
		{`date = "05-17"`, "date = \"05-17\"\ncategories.bucket.text = { en = \"x\" }", "nudges.rules.anniversary.categories"},
		{`offers = [{ type = "discount"`, `bonus = 5` + "\n" + `offers = [{ type = "discount"`, "nudges.rules.bucket_discount.offers"},
	} {
		src := strings.Replace(string(base), c.from, c.to, 1)
		if src == string(base) {
			t.Fatalf("case %q does not apply to the example config", c.from)
		}
		path := filepath.Join(t.TempDir(), "c.toml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readBusiness(path, locales.Languages()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %v, want an error naming %s", c.to, err, c.want)
		}
	}
}
