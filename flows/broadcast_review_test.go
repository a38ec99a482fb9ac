package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestPollProgressSurvivesOutboxRetention: a poll keeps its "📊 Progress"
// button for good (answers keep coming); a month later, once the daily
// retention job has deleted the sent messages' rows, the count must still
// say they were sent, not "0 of 2 sent".
func TestPollProgressSurvivesOutboxRetention(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 1101, "Anna")
	joinConsenting(t, h, 1102, "Boris")
	owner.Send("/broadcast").Send("Tea or coffee?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Tea").Send("Coffee").Tap("✅ Done").Tap("✅ Send to 2 customers")
	h.Settle()
	anna.Sync().Tap("Tea")
	owner.Tap("📊 Progress")
	if want := "2 of 2 sent"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("progress right after: %q, want %q", owner.Last().Text, want)
	}
	runReportJob(t, h) // every minute in production
	h.Clock.Advance(31 * 24 * time.Hour)
	if _, _, err := domain.PurgeExpired(t.Context(), h.DB, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	owner.Tap("📊 Progress")
	if want := "2 of 2 sent"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("progress a month later: %q, want %q", owner.Last().Text, want)
	}
}

// TestPollAnswerAfterStopAllKeepsTheWayBack: a customer who stopped all
// marketing under a poll sees "🔔 Receive offers and news" there; answering
// the poll afterwards must not put "🛑 Stop all offers and news" back, as
// if the consent were still given.
func TestPollAnswerAfterStopAllKeepsTheWayBack(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 1111, "Anna")
	owner.Send("/broadcast").Send("Tea or coffee?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Tea").Send("Coffee").Tap("✅ Done").Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Sync().Tap("🛑 Stop all offers and news")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "Tea|Coffee|🔔 Receive offers and news" {
		t.Fatalf("after stopping: %s", b)
	}
	anna.Tap("Tea")
	if cust, _ := customer(t, h, 1111); cust.Marketing {
		t.Fatal("the consent came back")
	}
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "✅ Tea|Coffee|🔔 Receive offers and news" {
		t.Fatalf("after answering with the consent withdrawn: %s", b)
	}
}

// TestStoreManagerPollExportOtherStore: Central's manager, whose /export
// holds Central's customers only and no names, sends a poll to everyone;
// its "📥 Export answers" must not hand them the name of River's member
// who answered.
func TestStoreManagerPollExportOtherStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 1121, "Mila")
	bob := h.Chat(1122, "Bob", "en")
	bob.Send("/start s_river").Tap("✅ I agree").ShareContact("+79990001122").Tap("Bob").Tap("Yes, please")
	manager.Send("/broadcast").Send("Tea or coffee?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Tea").Send("Coffee").Tap("✅ Done").Tap("✅ Send to 1 customer")
	h.Settle()
	bob.Sync().Tap("Coffee")
	manager.Tap("📊 Progress").Tap("📥 Export answers")
	doc := manager.Last().Document
	if doc == nil {
		t.Fatalf("no CSV:\n%s", manager.Transcript())
	}
	if strings.Contains(string(doc.Data), "Bob") {
		t.Fatalf("Central's manager gets River's member by name:\n%s", doc.Data)
	}
}
