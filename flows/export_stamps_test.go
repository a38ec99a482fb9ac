package flows_test

import (
	"encoding/json"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestExportHoldsTheStampsOfEachPurchase: with a stamp card the shop
// keeps how many stamps each purchase earned (purchases.stamps), as the
// owner's purchases export shows them. Anna's "Download my data" tells
// them too: none for 50 RUB (under the card's minimum), one for 200 RUB,
// three for the 450 RUB the cashier gave three coffees' stamps, and the
// three the prize took.
func TestExportHoldsTheStampsOfEachPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 941, "Boris")
	anna := join(t, h, 141, "Anna")
	buyFor(t, anna, cashier, 50)
	buyFor(t, anna, cashier, 200)
	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13").Tap("☕ +1").Tap("☕ +1").Tap("✅ Confirm")
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")

	var export struct {
		Purchases []struct {
			Amount string `json:"amount"`
			Stamps *int   `json:"stamps"`
		} `json:"purchases"`
		Prizes []struct {
			Stamps int `json:"stamps"`
		} `json:"prizes"`
	}
	doc := exportOf(t, anna)
	if err := json.Unmarshal(doc, &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Purchases) != 3 || len(export.Prizes) != 1 || export.Prizes[0].Stamps != 3 {
		t.Fatalf("three purchases and a prize of 3 stamps:\n%s\n%s", doc, cashier.Transcript())
	}
	want := map[string]int{"200 RUB": 1, "450 RUB": 3}
	for _, p := range export.Purchases {
		n, earns := want[p.Amount]
		switch {
		case !earns && p.Stamps != nil:
			t.Errorf("%s is under the stamp card's minimum, yet the export gives it %d stamps:\n%s", p.Amount, *p.Stamps, doc)
		case earns && (p.Stamps == nil || *p.Stamps != n):
			t.Errorf("the purchase of %s earned %d stamps, not in the export:\n%s", p.Amount, n, doc)
		}
	}
}
