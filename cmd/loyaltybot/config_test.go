package main

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
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

// TestPromotionsConfig: the example's promotion reads as written (days,
// hours, a TOML date or a quoted one); each mistake is refused naming
// its field.
func TestPromotionsConfig(t *testing.T) {
	b, err := loadBusiness(exampleConfig, "example", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := b.Program.Promotion("quiet_afternoons")
	if !ok || p.Multiplier != 2 || len(p.Days) != 5 || p.StartMin != 15*60 || p.EndMin != 17*60 || p.TitleIn("uz", "ru") == "" {
		t.Fatalf("the example's promotion: %+v", p)
	}
	const line = `hours = "15:00-17:00"`
	dated := strings.Replace(string(exampleConfig), line, line+"\nfrom = 2026-12-01\nuntil = \"2026-12-31\"", 1)
	b, err = loadBusiness([]byte(dated), "test", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	if p := b.Program.Promotions[0]; p.From != "2026-12-01" || p.Until != "2026-12-31" {
		t.Fatalf("dates: %q, %q", p.From, p.Until)
	}
	minimum := strings.Replace(string(exampleConfig), line, line+"\nmin_amount = 100000", 1)
	if b, err = loadBusiness([]byte(minimum), "test", locales.Languages()); err != nil || b.Program.Promotions[0].MinAmount != 100_000 {
		t.Fatalf("min_amount: %v, %+v", err, b)
	}
	checkConfigEdits(t, []configEdit{
		{`days = ["mon", "tue", "wed", "thu", "fri"]`, `days = ["mon", "tues"]`, "program.promotions[0].days[1]"},
		{line, `hours = "15-17"`, "program.promotions[0].hours"},
		{line, `hours = "15:00-15:00"`, "program.promotions[0].hours"},
		{line, line + "\nfrom = 5", "program.promotions[0].from"},
		{line, line + `
until = "2026-02-30"`, "program.promotions[0].until"},
		{line, line + `
stores = ["central", "moon"]`, "program.promotions[0].stores[1]"},
		{"multiplier = 2\n", "multiplier = 11\n", "program.promotions[0].multiplier"},
		{line, line + "\nmin_amount = -5", "program.promotions[0].min_amount"},
		{`id = "quiet_afternoons"`, `id = "Quiet"`, "program.promotions[0].id"},
	})
}

// TestCashierReturnsConfig: cashiers take no returns by default, and
// cashier_returns = true lets them.
func TestCashierReturnsConfig(t *testing.T) {
	b, err := loadBusiness(exampleConfig, "example", locales.Languages())
	if err != nil || b.Program.CashierReturns {
		t.Fatalf("the example: %v, cashier_returns %v", err, b.Program.CashierReturns)
	}
	on := strings.Replace(string(exampleConfig), "cashier_returns = false", "cashier_returns = true", 1)
	if b, err := loadBusiness([]byte(on), "test", locales.Languages()); err != nil || !b.Program.CashierReturns {
		t.Fatalf("cashier_returns = true: %v", err)
	}
	checkConfigEdits(t, []configEdit{{"cashier_returns = false", `cashier_returns = "yes"`, "cashier_returns"}})
}

// TestStoreDetailsConfig: the example's stores read with their address
// per language, phone, hours and place; each mistake is refused naming
// its field, and a store with none of them is still a store.
func TestStoreDetailsConfig(t *testing.T) {
	b, err := loadBusiness(exampleConfig, "example", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	central := b.Stores[0]
	if central.AddressIn("en", "ru") != "7 Tverskaya St, Moscow" || central.AddressIn("de", "ru") != "Москва, Тверская ул., 7" ||
		central.Phone != "+7 495 123-45-67" || central.Location == nil || central.Location.String() != "55.757500, 37.612900" ||
		domain.FormatSpans(central.Hours.Week[time.Saturday]) != "09:00-21:00" || len(central.Hours.Yearly) != 2 {
		t.Fatalf("the example's central store: %+v", central)
	}
	const hours = `hours = ["mon-fri 08:00-22:00", "sat,sun 09:00-21:00", "12-31 09:00-18:00", "01-01 closed"]`
	const place = `location = "55.757500, 37.612900"`
	const addr = `address = { ru = "Москва, Тверская ул., 7", en = "7 Tverskaya St, Moscow", uz = "Moskva, Tverskaya koʻchasi, 7" }`
	checkConfigEdits(t, []configEdit{
		{hours, `hours = ["mon-fri 08:00-22:00", "fri 09:00-21:00"]`, "stores[0].hours[1]"},
		{hours, `hours = ["mon-fri 8-22"]`, "stores[0].hours[0]"},
		{hours, `hours = "mon-fri 08:00-22:00"`, "hours"},
		{place, `location = "55.7575"`, "stores[0].location"},
		{place, `location = "95.1, 37.6"`, "stores[0].location: latitude"},
		{addr, `address = { ru = "Москва", de = "Moskau" }`, "stores[0].address.de"},
		{addr, `address = "  "`, "stores[0].address"},
		{addr, `address = 5`, "address: write"},
		{`phone = "+7 495 123-45-67"`, `phone = "` + strings.Repeat("1", 33) + `"`, "stores[0].phone"},
		{`review_url = "https://yandex.ru/`, `review_url = "http://yandex.ru/`, "stores[0].review_url"},
		{"review_min_stars = 5 ", "review_min_stars = 3 ", "feedback.review_min_stars"},
		{"review_every_days = 180 ", "review_every_days = 0 ", "feedback.review_every_days"},
		{`review_url = "https://yandex.ru/maps/org/`, `review_url = "https://yandex.ru/maps/my org/`, "stores[0].review_url"},
		{"low_threshold = 3 ", "low_threshold = 5 ", "feedback.review_min_stars: 5 is a low rating"},
	})
	if central.ReviewURL == "" || b.Feedback.ReviewMinStars != 5 || b.Feedback.ReviewEveryDays != 180 {
		t.Fatalf("the example's review page: %q, %+v", central.ReviewURL, b.Feedback)
	}
	plain := strings.Replace(string(exampleConfig), addr, `address = "7 Tverskaya St"`, 1)
	if b, err := loadBusiness([]byte(plain), "test", locales.Languages()); err != nil || b.Stores[0].AddressIn("uz", "ru") != "7 Tverskaya St" {
		t.Fatalf("one address for every language: %v", err)
	}
	bare := strings.NewReplacer(addr+"\n", "", hours+"\n", "", place+"\n", "", `phone = "+7 495 123-45-67"`+"\n", "").Replace(string(exampleConfig))
	if b, err := loadBusiness([]byte(bare), "test", locales.Languages()); err != nil || b.Stores[0].Described() {
		t.Fatalf("a store without details: %v %+v", err, b.Stores[0])
	}
}

// TestSendRate: SEND_RATE is this process's share of Telegram's 30
// messages a second (replicas split it); what is not a rate from 0.1 to
// 1000 is refused, naming the variable; unset keeps the default.
func TestSendRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"15", 15, true}, {" 7.5 ", 7.5, true}, {"1000", 1000, true},
		{"0", 0, false}, {"-3", 0, false}, {"fast", 0, false}, {"NaN", 0, false}, {"1e9", 0, false},
	} {
		e, err := loadEnv(envFunc(map[string]string{"SEND_RATE": c.in}), false)
		switch {
		case c.ok && (err != nil || e.SendRate != c.want):
			t.Errorf("SEND_RATE=%q: %v, rate %v, want %v", c.in, err, e, c.want)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "SEND_RATE")):
			t.Errorf("SEND_RATE=%q: error %v, want one naming SEND_RATE", c.in, err)
		}
	}
}
