package main

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/locales"
)

// TestWebhookSecretRules: the webhook's secret token is the only thing
// that tells Telegram's calls from anyone's, so a short one is refused at
// start, as are characters Telegram does not allow (A-Z a-z 0-9 _ -, up
// to 256), each time naming WEBHOOK_SECRET.
func TestWebhookSecretRules(t *testing.T) {
	env := func(secret string) func(string) string {
		return envFunc(map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40),
			"WEBHOOK_URL": "https://a.example/hook", "WEBHOOK_SECRET": secret})
	}
	for _, c := range []struct {
		secret string
		ok     bool
	}{
		{strings.Repeat("a", 31), false},
		{"abc", false},
		{strings.Repeat("a", 32), true},
		{strings.Repeat("Az09_-", 8), true},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{strings.Repeat("a", 39) + "!", false},
		{strings.Repeat("a", 39) + "é", false},
		{strings.Repeat("a", 39) + " ", false},
	} {
		_, err := loadEnv(env(c.secret), true)
		switch {
		case c.ok && err != nil:
			t.Errorf("a %d-character secret %.12q…: %v", len(c.secret), c.secret, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "WEBHOOK_SECRET")):
			t.Errorf("a %d-character secret %.12q…: error %v, want one naming WEBHOOK_SECRET", len(c.secret), c.secret, err)
		}
	}
}

// TestTierNamesPerLanguage: the example names its tiers per language; the
// default language's name is the one the POS API gives; a language left
// out is refused, naming the field.
func TestTierNamesPerLanguage(t *testing.T) {
	b, err := loadBusiness(exampleConfig, "example", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	silver := b.Program.Tiers[1]
	if silver.Name != "Серебро" || silver.NameIn("en") != "Silver" || silver.NameIn("uz") != "Kumush" || silver.NameIn("de") != "Серебро" {
		t.Fatalf("silver = %+v", silver)
	}
	checkConfigEdits(t, []configEdit{
		{`name = { ru = "Серебро", en = "Silver", uz = "Kumush" }`, `name = { ru = "Серебро", en = "Silver" }`, "program.tiers[1].name.uz"},
		{`name = { ru = "Серебро", en = "Silver", uz = "Kumush" }`, `name = { ru = "Серебро", en = "Silver", uz = 5 }`, "name.uz: write the name as text"},
		{`name = { ru = "Серебро", en = "Silver", uz = "Kumush" }`, `name = 5`, "name: write"},
	})
	plain := strings.Replace(string(exampleConfig), `name = { ru = "Серебро", en = "Silver", uz = "Kumush" }`, `name = "Silver"`, 1)
	if b, err := loadBusiness([]byte(plain), "test", locales.Languages()); err != nil || b.Program.Tiers[1].NameIn("ru") != "Silver" {
		t.Fatalf("one name for all languages: %v", err)
	}
}
