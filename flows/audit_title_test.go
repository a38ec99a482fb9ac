package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestAuditTitleCountsOne: an owner whose log holds one entry (she opened
// one customer card) reads a title that agrees with the number, in every
// language: not "Latest 1 views and exports".
func TestAuditTitleCountsOne(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	owner.Send("/customer +79990000101")
	owner.Send("/audit")
	got := owner.Last().Text
	if !strings.Contains(got, "Olga (owner) viewed customer") {
		t.Fatalf("the audit log:\n%s", got)
	}
	if title, _, _ := strings.Cut(got, "\n"); strings.Contains(title, "1 views") {
		t.Errorf("the title of a log of one entry: %q", title)
	}
	owner.Send("/language").Tap("🇷🇺 Русский").Send("/audit")
	if got := owner.Last().Text; !strings.HasPrefix(got, "🔍 Последние просмотры и выгрузки данных клиентов, сообщения клиентам, исправления баллов, акции и кодовые слова (1):") {
		t.Errorf("the Russian title: %q", got)
	}
}
