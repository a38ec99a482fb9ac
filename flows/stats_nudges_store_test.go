package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStoreManagerNudgeReportIsTheirStore: a win-back went to a
// member of River and brought 5,000 RUB back. Central's manager, who
// "sees that store only" in /stats, must not read River's automatic
// messages and their revenue in /stats nudges (the 📊 view's nudge line
// is scoped to Central already).
func TestStoreManagerNudgeReportIsTheirStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 932, "Mila")
	joinVia(t, h, 134, "Bob", "s_river")
	bob, _ := customer(t, h, 134)
	now := h.Clock.Now()
	_, err := h.DB.Pool().Exec(context.Background(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing,
		outcome, due_at, send_at, attribute_until, converted_at, revenue)
		VALUES ('winback', $1, 'x', true, 'sent', $2, $2, $3, $2, 500000)`, bob.ID, now.Add(-time.Hour), now.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	manager.Send("/stats")
	if got := manager.Last().Text; !strings.Contains(got, "📊 Central") {
		t.Fatalf("manager's report:\n%s", got)
	}
	manager.Send("/stats nudges")
	if got := manager.Last().Text; strings.Contains(got, "1 sent") || strings.Contains(got, "5,000") {
		t.Fatalf("Central's manager reads River's automatic messages:\n%s", got)
	}
}
