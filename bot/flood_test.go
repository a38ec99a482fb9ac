package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// countText counts the messages that contain s.
func countText(ms []tgfake.Message, s string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// TestFloodIsTurnedAwayPolitely: with the production limit (a burst of 20,
// then one a second; the clock stands still here), a person sending 100
// messages at once gets 20 answered and one slow-down message in their
// language, and the rest cost no database write at all: they are not
// even stored, and a flooded tap is still answered so it stops spinning.
// Another person on the same worker tapping 20 times quickly is answered
// every time; after a quiet spell the flooder is answered again.
func TestFloodIsTurnedAwayPolitely(t *testing.T) {
	t.Parallel()
	h := bottest.NewWithBot(t, func(c *bot.Config) { c.FloodBurst, c.FloodEvery = 20, time.Second })
	ref := h.Fake.User(417, "Olga", "en")
	ref.SendText("/help")
	h.Settle()
	perHelp := len(ref.Messages())

	// 8 workers share chats by id: 401, 409 and 425 share one.
	anna, boris, carl := h.Fake.User(401, "Анна", "ru"), h.Fake.User(409, "Boris", "en"), h.Fake.User(425, "Carl", "en")
	for range 100 {
		anna.SendText("/help")
	}
	for range 20 {
		boris.SendText("/help")
	}
	for range 25 {
		carl.SendText("/help")
	}
	h.Settle()

	const ru, en = "Вы пишете быстрее", "You are writing faster"
	got := anna.Messages()
	if len(got) != 20*perHelp+1 || countText(got, ru) != 1 || !strings.Contains(got[len(got)-1].Text, ru) {
		t.Errorf("Anna flooded 100 /help: got %d messages (%d slow-down), want the 20 first answered (%d messages), then one slow-down in Russian",
			len(got), countText(got, ru), 20*perHelp)
	}
	if got := boris.Messages(); len(got) != 20*perHelp || countText(got, en) != 0 {
		t.Errorf("Boris tapped 20 times quickly: got %d messages (%d slow-down), want every one answered (%d)",
			len(got), countText(got, en), 20*perHelp)
	}
	if got := carl.Messages(); len(got) != 20*perHelp+1 || countText(got, en) != 1 {
		t.Errorf("Carl sent 25: got %d messages (%d slow-down), want 20 answered and one slow-down in English",
			len(got), countText(got, en))
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d flooded updates left unhandled: they would be replayed at the next start", n)
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE chat_id = 401`); n != 21 {
		t.Errorf("%d of Anna's 100 updates stored, want 21 (20 answered, 1 slow-down): the rest must cost no write", n)
	}

	// Taps while over the limit: answered, nothing stored or run.
	acks := len(anna.CallbackAnswers())
	msg := anna.Messages()[0].ID
	for range 30 {
		if _, err := anna.SendCallback(msg, "x:card:show"); err != nil {
			t.Fatal(err)
		}
	}
	h.Settle()
	if got := len(anna.CallbackAnswers()) - acks; got != 30 {
		t.Errorf("%d of 30 flooded taps answered, want all", got)
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE chat_id = 401`); n != 21 {
		t.Errorf("flooded taps stored: %d updates of Anna's, want still 21", n)
	}

	h.Clock.Advance(20 * time.Second)
	before := len(anna.Messages())
	anna.SendText("/help")
	h.Settle()
	if got := anna.Messages()[before:]; len(got) != perHelp || countText(got, ru) != 0 {
		t.Errorf("after a quiet spell Anna got %d messages, want her /help answered (%d)", len(got), perHelp)
	}
}
