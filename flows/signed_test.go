package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// Stateless buttons carry a MAC over the chat they were sent to, their
// name and value: another chat's button, a tampered value or a button
// without a MAC does nothing but say the button is out of date; a real
// tap works; and a view button sent before buttons were signed (it shows
// the person their own card) still works.
func TestStatelessButtonsAreSignedForTheirChat(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := join(t, h, 170, "Anna")
	bob := join(t, h, 171, "Bob")
	lang := func(id int64) string {
		t.Helper()
		c, _ := customer(t, h, id)
		return c.Language
	}
	stale := func(c *bottest.Chat, why string) {
		t.Helper()
		got := c.U.CallbackAnswers()
		if len(got) == 0 || got[len(got)-1].Text != "This button is out of date." {
			t.Fatalf("%s: answered %+v, want the stale-button toast\n%s", why, got, c.Transcript())
		}
	}

	anna.Send("/language")
	ask := anna.Last()
	ru, en := buttonData(t, ask, "🇷🇺 Русский"), buttonData(t, ask, "🇬🇧 English")
	if strings.HasPrefix(ru, "x:") || !strings.HasSuffix(ru, ":lang:ru") {
		t.Fatalf("the language button %q is not signed", ru)
	}

	bob.Send("/language")
	bob.Callback(bob.Last().ID, ru, "Anna's Русский, signed for Anna's chat")
	stale(bob, "another chat's button")
	if l := lang(171); l != "en" {
		t.Fatalf("Anna's button changed Bob's language to %q", l)
	}

	anna.Callback(ask.ID, strings.TrimSuffix(en, "en")+"ru", "English with its value changed to ru")
	stale(anna, "a tampered value")
	anna.Callback(ask.ID, "x:lang:ru", "Русский without a MAC")
	stale(anna, "an unsigned button that changes something")
	anna.Callback(ask.ID, "xAAAAAAAA:lang:ru", "Русский with a made-up MAC")
	stale(anna, "a made-up MAC")
	if l := lang(170); l != "en" {
		t.Fatalf("a forged button changed Anna's language to %q", l)
	}

	anna.Tap("🇷🇺 Русский")
	if l := lang(170); l != "ru" {
		t.Fatalf("a real tap did not change the language: %q\n%s", l, anna.Transcript())
	}

	photos := func() int {
		n := 0
		for _, m := range anna.U.Messages() {
			if m.Photo != nil {
				n++
			}
		}
		return n
	}
	before := photos()
	anna.Callback(ask.ID, "x:card:show", "Show my card from a message sent before buttons were signed")
	if photos() != before+1 {
		t.Fatalf("an old Show my card button did not show the card\n%s", anna.Transcript())
	}
}
