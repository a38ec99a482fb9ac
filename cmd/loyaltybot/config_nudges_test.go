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
	cases := []struct{ from, to, want string }{
		{`event = "cart_abandoned"`, `event = "cart_lost"`, "nudges.rules.cart_abandoned.event"},
		{`unless = ["order_placed", "purchase"]`, `unless = ["order_placed", "refund"]`, "nudges.rules.cart_abandoned.unless"},
		{`unless = ["order_placed", "purchase"]`, `unless = ["cart_abandoned"]`, "nudges.rules.cart_abandoned.unless"},
		{`unless = ["order_placed", "purchase"]`, `unless = [1]`, "unless"},
		{"[nudges.rules.winback]\n", "[nudges.rules.winback]\nunless = [\"a\", \"b\"]\n", "nudges.rules.winback.unless"},
		{"delay = \"2h\"\nunless", "delay = \"1 week\"\nunless", "nudges.rules.cart_abandoned.delay"},
		{"delay = \"2h\"\nunless", "delay = \"721h\"\nunless", "nudges.rules.cart_abandoned.delay"},
	}
	for _, c := range cases {
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
