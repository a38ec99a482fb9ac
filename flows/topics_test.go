package flows_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withTopics gives the business two topics: sales on by default, kids off.
func withTopics(b *domain.Business) {
	b.Topics = []domain.Topic{
		{ID: "sales", Title: map[string]string{"en": "Sales", "ru": "Скидки"}, Default: true},
		{ID: "kids", Title: map[string]string{"en": "Kids' products", "ru": "Детям"}},
	}
}

// joinConsenting is join with the marketing consent given.
func joinConsenting(t *testing.T, h *bottest.Harness, id int64, name string) *bottest.Chat {
	t.Helper()
	c := h.Chat(id, name, "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+7999" + strings.Repeat("0", 7-len(itoa(id))) + itoa(id)).Tap(name).Tap("Yes, please")
	if cust, _ := customer(t, h, id); !cust.Member() || !cust.Marketing {
		t.Fatalf("join %d failed:\n%s", id, c.Transcript())
	}
	return c
}

func TestTopicsShowDefaultsAndToggleInPlace(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withTopics)
	anna := joinConsenting(t, h, 301, "Anna")
	anna.Send("/topics")
	menu := anna.Last()
	if got := strings.Join(menu.Buttons(), "|"); got != "✅ Sales|⬜ Kids' products" {
		t.Fatalf("defaults not shown: %s", got)
	}
	anna.Tap("⬜ Kids' products").Tap("✅ Sales")
	if last := anna.Last(); last.ID != menu.ID || strings.Join(last.Buttons(), "|") != "⬜ Sales|✅ Kids' products" {
		t.Fatalf("not toggled in place: %d %v (menu was %d)", last.ID, last.Buttons(), menu.ID)
	}
	if n := countRows(t, h, `SELECT count(*) FROM topic_subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.telegram_id = 301 AND ((s.topic = 'sales' AND NOT s.subscribed) OR (s.topic = 'kids' AND s.subscribed))`); n != 2 {
		t.Fatalf("choices not saved: %d of 2", n)
	}

	boris := join(t, h, 302, "Boris") // no marketing consent
	boris.Send("/topics")
	if !strings.Contains(boris.Last().Text, "Offers and news are off") {
		t.Fatalf("a customer without the marketing consent is not told: %q", boris.Last().Text)
	}
	boris.Tap("🔔 Receive offers and news")
	if cust, _ := customer(t, h, 302); !cust.Marketing {
		t.Fatal("the marketing consent was not given")
	}
	if n := countRows(t, h, `SELECT count(*) FROM consents n JOIN customers c ON c.id = n.customer_id
		WHERE c.telegram_id = 302 AND n.kind = 'marketing' AND n.granted`); n != 1 {
		t.Fatalf("the consent is not recorded: %d rows", n)
	}
	bottest.Golden(t, "topics", anna.Transcript()+"\n"+boris.Transcript())
}

// TestTopicChoicesAreInTheDataExport: which news a customer gets, and
// whether they chose it, is their data.
func TestTopicChoicesAreInTheDataExport(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withTopics)
	anna := joinConsenting(t, h, 303, "Anna")
	anna.Send("/topics").Tap("⬜ Kids' products")
	anna.Send("/privacy").Tap("📦 Download my data")
	doc := anna.Last().Document
	if doc == nil {
		t.Fatalf("no export:\n%s", anna.Transcript())
	}
	var export struct {
		Topics []struct {
			Topic      string `json:"topic"`
			Subscribed bool   `json:"subscribed"`
			Chosen     bool   `json:"chosen_by_customer"`
		} `json:"subscriptions"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(export.Topics)
	if want := "[{sales true false} {kids true true}]"; got != want {
		t.Fatalf("export subscriptions %s, want %s", got, want)
	}
}
