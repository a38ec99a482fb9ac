package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestEventRulesFromTheConfig: the example's cart reminder and an event
// rule of the owner's own are read with their event, delay and what spares
// the customer; a bad event type or a bad unless names the field.
func TestEventRulesFromTheConfig(t *testing.T) {
	base := string(exampleConfig)
	own := strings.NewReplacer("# [nudges.rules.viewed]", "[nudges.rules.viewed]", "# kind = \"event\"", "kind = \"event\"",
		"# event = \"product_viewed\"", "event = \"product_viewed\"", "# delay = \"24h\"", "delay = \"24h\"",
		"# unless = [\"cart_abandoned\"", "unless = [\"cart_abandoned\"", "# marketing = true\n# topic", "marketing = true\ntopic",
		"# text = { ru = \"{{.Name}}, {{.Items}}", "text = { ru = \"{{.Name}}, {{.Items}}").Replace(base)
	b, err := loadBusiness([]byte(own), "test", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	cart, ok := b.Nudges.Rule("cart_abandoned")
	if !ok || cart.Kind != domain.NudgeEvent || cart.Event != domain.ShopCartAbandoned || cart.Delay != 2*time.Hour ||
		!slices.Equal(cart.UnlessEvents, []string{"order_placed", "purchase"}) || !cart.Marketing || cart.Window != 1 {
		t.Fatalf("cart rule %+v", cart)
	}
	viewed, ok := b.Nudges.Rule("viewed")
	if !ok || viewed.Kind != domain.NudgeEvent || viewed.Event != domain.ShopProductViewed || viewed.Delay != 24*time.Hour ||
		len(viewed.UnlessEvents) != 3 || viewed.Topic != "sales" || viewed.Text["en"] == "" {
		t.Fatalf("own rule %+v (is it still in the example, commented out?)", viewed)
	}
	if _, err := loadBusiness(exampleConfig, "example", locales.Languages()); err != nil {
		t.Fatal(err)
	}
	cases := []configEdit{
		{`event = "cart_abandoned"`, `event = "cart_lost"`, "nudges.rules.cart_abandoned.event"},
		{`unless = ["order_placed", "purchase"]`, `unless = ["order_placed", "refund"]`, "nudges.rules.cart_abandoned.unless"},
		{`unless = ["order_placed", "purchase"]`, `unless = ["cart_abandoned"]`, "nudges.rules.cart_abandoned.unless"},
		{`unless = ["order_placed", "purchase"]`, `unless = [1]`, "unless"},
		{"[nudges.rules.winback]\n", "[nudges.rules.winback]\nunless = [\"a\", \"b\"]\n", "nudges.rules.winback.unless"},
		{"delay = \"2h\"\nunless", "delay = \"1 week\"\nunless", "nudges.rules.cart_abandoned.delay"},
		{"delay = \"2h\"\nunless", "delay = \"721h\"\nunless", "nudges.rules.cart_abandoned.delay"},
		// A category named in Russian and English only would read as
		// "coffee beans" to Uzbek readers.
		{`coffee_beans = { ru = "кофе в зёрнах", en = "coffee beans", uz = "qahva donlari" }`,
			`coffee_beans = { ru = "кофе в зёрнах", en = "coffee beans" }`, "nudges.category_names.coffee_beans"},
	}
	checkConfigEdits(t, cases)
}

// TestOwnRulesOfSellingKindsAreMarketing: a win-back or a birthday rule of
// the owner's own that does not mention marketing goes, as the built-in
// ones, only to customers who agreed to offers and counts against the
// cap; marketing = false says otherwise; a points-expiring rule is a
// service message.
func TestOwnRulesOfSellingKindsAreMarketing(t *testing.T) {
	own := string(exampleConfig) + `
[nudges.rules.winback_90]
kind = "winback"
days = 90
text = { ru = "{{.Name}}, мы скучаем.", en = "{{.Name}}, we miss you.", uz = "{{.Name}}, sizni sogʻindik." }
[nudges.rules.bday_tip]
kind = "birthday"
fact = "birthday"
marketing = false
text = { ru = "{{.Name}}, с днём рождения!", en = "Happy birthday, {{.Name}}!", uz = "{{.Name}}, tugʻilgan kuningiz bilan!" }
[nudges.rules.expiring_3]
kind = "points_expiring"
days = 3
text = { ru = "{{.Name}}, баллы сгорают.", en = "{{.Name}}, points expire.", uz = "{{.Name}}, ballar yonadi." }
`
	b, err := loadBusiness([]byte(own), "test", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"winback_90": true, "bday_tip": false, "expiring_3": false} {
		if r, ok := b.Nudges.Rule(id); !ok || r.Marketing != want {
			t.Errorf("rule %s: marketing %v, want %v", id, r != nil && r.Marketing, want)
		}
	}
}

// TestOwnNudgeTextsAreCheckedAtStart: an owner's nudge text, button, text
// by category or offer line with a field its message does not have, or
// that does not parse, stops the config with the place it is in; num
// groups a number, and is refused on a name.
func TestOwnNudgeTextsAreCheckedAtStart(t *testing.T) {
	base := string(exampleConfig)
	const anniversary = `en = "{{.Name}}, we turn 5 today! Come and celebrate with us."`
	const bucket = `en = "{{.Name}}, for your bucket: a personal discount on cleaning products."`
	const offer = `offers = [{ type = "discount", category = "cleaning", percent = 10, days = 7 }]`
	cases := []configEdit{
		{anniversary, `en = "{{.Nmae}}, we turn 5 today!"`, `nudges.rules.anniversary.text.en: 1:2: <.Nmae>: map has no entry for key "Nmae"`},
		{anniversary, `en = "{{.Name}, we turn 5 today!"`, "nudges.rules.anniversary.text.en"},
		{anniversary, `en = "{{num .Name}} points"`, "nudges.rules.anniversary.text.en"},
		{anniversary, `en = "{{.Name}}: {{.Items}} and {{.Code}}"`, `nudges.rules.anniversary.text.en: 1:28: <.Code>`},
		{`en = "🎉 My card: {{num .Balance}} points"`, `en = "{{.Balanse}}"`, "nudges.rules.anniversary.button.en"},
		{bucket, `en = "{{.Name}}, for your {{.Categroy}}"`, "nudges.rules.bucket_discount.categories.bucket.text.en"},
		{offer, `offers = [{ type = "discount", category = "cleaning", percent = 10, days = 7, text = { ru = "Скидка {{.Balance}}" } }]`,
			"nudges.rules.bucket_discount.offers[0].text.ru"},
		// Not a template: a holiday greeting reaches only who agreed to
		// offers, so its rule must say it is marketing (capped, with the
		// ways out).
		{"time = \"11:00\"\nmarketing = true\ntopic = \"events\"", "time = \"11:00\"\nmarketing = false", "nudges.rules.anniversary.marketing"},
	}
	checkConfigEdits(t, cases)
	good := strings.Replace(base, offer, `offers = [{ type = "discount", category = "cleaning", percent = 10, days = 7, text = { en = "{{.Percent}}% off {{.Category}} until {{.Expires}}, code {{.Code}}" } }]`, 1)
	good = strings.Replace(good, anniversary, `en = "{{.Name}}{{if gt .Balance 1000}}, {{num .Balance}} points{{end}}: {{.Who}} {{.Items}} {{.Percent}}"`, 1)
	if _, err := loadBusiness([]byte(good), "test", locales.Languages()); err != nil {
		t.Fatalf("every field its message has: %v", err)
	}
}

// configEdit changes the example config (from → to, once) into one the
// loader must refuse with an error naming want.
type configEdit struct{ from, to, want string }

// checkConfigEdits loads the example with each edit and checks the error.
func checkConfigEdits(t *testing.T, edits []configEdit) {
	t.Helper()
	base := string(exampleConfig)
	for _, c := range edits {
		src := strings.Replace(base, c.from, c.to, 1)
		if src == base {
			t.Fatalf("case %q does not apply to the example config", c.from)
		}
		_, err := loadBusiness([]byte(src), "test", locales.Languages())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %v, want an error naming %s", c.to, err, c.want)
		}
	}
}

// TestWelcomeBonusDaysIsBounded: welcome_bonus_days, like every other
// expiry in days, has an upper bound: a few extra zeros are a config
// error at start, not a welcome bonus whose expiry PostgreSQL cannot
// store, which would fail every join.
func TestWelcomeBonusDaysIsBounded(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{"welcome_bonus_days = 30", "welcome_bonus_days = 1000000000", "welcome_bonus_days"},
	})
}

// TestStoreTimeZoneLocalIsRefused: "Local" is whatever zone the server
// runs in, not a store's: refused, naming the key.
func TestStoreTimeZoneLocalIsRefused(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`timezone = "Europe/Moscow"`, `timezone = "Local"`, "timezone"},
	})
}

// TestPhoneRegionIsACountry: phone_region must name a country whose
// numbers can be read; a typo is a config error at start, not a shop
// whose every typed number is refused.
func TestPhoneRegionIsACountry(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`phone_region = "RU"`, `phone_region = "ru"`, "phone_region"},
		{`phone_region = "RU"`, `phone_region = "Russia"`, "phone_region"},
		{`phone_region = "RU"`, `phone_region = "XX"`, "phone_region"},
	})
	b, err := loadBusiness(exampleConfig, "example", locales.Languages())
	if err != nil || b.PhoneRegion != "RU" {
		t.Fatalf("example: %v, region %q", err, b.PhoneRegion)
	}
	if got, err := b.ParsePhone("999 123-45-67"); err != nil || got != "+79991234567" {
		t.Errorf("the example's shop reads a national number as %q, %v", got, err)
	}
	uz := strings.Replace(string(exampleConfig), `phone_region = "RU"`, `phone_region = "UZ"`, 1)
	if b, err = loadBusiness([]byte(uz), "test", locales.Languages()); err != nil {
		t.Fatal(err)
	}
	if got, err := b.ParsePhone("90 123 45 67"); err != nil || got != "+998901234567" {
		t.Errorf("an Uzbek shop reads %q, %v", got, err)
	}
}
