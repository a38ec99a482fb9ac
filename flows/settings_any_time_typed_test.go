package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestSettingsAnyTimeTypedInWords: after "Other time…" a member who types
// "any time" (or "в любое время", "istalgan vaqt") is written to at any
// time, as the "Any time" button does, not told the bot did not
// understand the time.
func TestSettingsAnyTimeTypedInWords(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Languages = []string{"en", "ru", "uz"} })
	for i, tc := range []struct{ lang, typed, saved string }{
		{"en", "any time", "Saved: we will write to you any time"},
		{"en", "Anytime", "Saved: we will write to you any time"},
		{"ru", "в любое время", "Сохранено: будем писать вам в любое время"},
		{"uz", "istalgan vaqtda", "Saqlandi: sizga yozadigan vaqtimiz"},
	} {
		id := int64(121 + i)
		c := join(t, h, id, "Anna")
		c.Send("/settings").Tap("🌆 Evening 18:00–21:00")
		if tc.lang != "en" {
			c.Send("/language").Tap(map[string]string{"ru": "🇷🇺 Русский", "uz": "🇺🇿 Oʻzbekcha"}[tc.lang]).Send("/settings")
		}
		c.Tap(c.Last().Inline[2][0].Text).Send(tc.typed) // "✏️ Other time…"
		if w := contactWindow(t, h, id); w != "" {
			t.Errorf("%q typed: the window stays %q, want any time:\n%s", tc.typed, w, c.Transcript())
		}
		if text := c.Last().Text; !strings.Contains(text, tc.saved) {
			t.Errorf("%q typed: the answer %q, want %q", tc.typed, text, tc.saved)
		}
	}
}
