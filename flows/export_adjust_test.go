package flows_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestExportTellsWhyPointsWereCorrected: the shop keeps the reason of a
// point correction, which Anna was told and an erasure blanks (it is
// hers); "Download my data" gives it on the correction's row of the
// points history, without naming who on the staff made it.
func TestExportTellsWhyPointsWereCorrected(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	owner.Send("/customer +79990000101").Tap("± Points").Send("+50").Send("purchase on 21.11 without the card").Tap("✅ Confirm")
	owner.Send("/customer +79990000101").Tap("± Points").Send("-20").Send("counted twice").Tap("✅ Confirm")

	var export struct {
		Ledger []map[string]any `json:"points_history"`
	}
	doc := exportOf(t, anna)
	if err := json.Unmarshal(doc, &export); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, row := range export.Ledger {
		if row["kind"] == "adjust" {
			r, _ := row["reason"].(string)
			reasons = append(reasons, r)
		}
	}
	if strings.Join(reasons, "|") != "purchase on 21.11 without the card|counted twice" {
		t.Fatalf("the corrections' reasons %q, want both:\n%s", reasons, doc)
	}
	if strings.Contains(string(doc), "Olga") || strings.Contains(string(doc), "staff ") {
		t.Fatalf("the export names who on the staff made the correction:\n%s", doc)
	}
}
