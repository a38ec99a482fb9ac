package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// menuNames are the commands of the menu set for scope and lang.
func menuNames(h *bottest.Harness, scope, lang string) []string {
	var out []string
	for _, c := range h.Fake.Commands(scope, lang) {
		out = append(out, c.Command)
	}
	return out
}

// TestOneLanguageOffersNoLanguageChoice: a shop that speaks one language
// has nothing to switch to, so no menu, /help or /settings offers
// /language (a tap on it would list the one language there is).
func TestOneLanguageOffersNoLanguageChoice(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Languages, b.DefaultLanguage = []string{"en"}, "en" })
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	anna := join(t, h, 101, "Anna")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ who, scope, lang string }{
		{"customers (en)", `{"type":"all_private_chats"}`, "en"},
		{"customers (any)", `{"type":"all_private_chats"}`, ""},
		{"the owner", `{"type":"chat","chat_id":900}`, ""},
	} {
		names := menuNames(h, m.scope, m.lang)
		if len(names) == 0 || slices.Contains(names, "language") {
			t.Errorf("the menu of %s: %v", m.who, names)
		}
	}
	anna.Send("/help")
	if help := anna.Last().Text; !strings.Contains(help, "/card") || strings.Contains(help, "/language") {
		t.Errorf("/help:\n%s", help)
	}
	anna.Send("/settings")
	if !hasButton(anna, "✏️ Other time…") || hasButton(anna, "🌐 Language") {
		t.Errorf("/settings:\n%s", anna.Transcript())
	}
}

// TestDroppedLanguageLeavesNoMenu: a shop that offered Uzbek and no
// longer does must not leave Telegram showing Uzbek-speaking clients the
// Uzbek menu of the earlier start: they get the default one, in the
// language the bot now answers them in.
func TestDroppedLanguageLeavesNoMenu(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	// The start before, when the config listed uz too.
	if err := h.Bot.RegisterCommands(t.Context(), []string{"ru", "en", "uz"}, "en"); err != nil {
		t.Fatal(err)
	}
	if len(menuNames(h, `{"type":"all_private_chats"}`, "uz")) == 0 {
		t.Fatal("no Uzbek menu to begin with")
	}
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	if uz := h.Fake.Commands(`{"type":"all_private_chats"}`, "uz"); len(uz) != 0 {
		t.Errorf("uz is no longer offered, yet its menu stays: %v", uz)
	}
	if len(menuNames(h, `{"type":"all_private_chats"}`, "ru")) == 0 {
		t.Error("the Russian menu went too")
	}
}

// TestStaffMenusDespiteAFailedMenuDeletion: a failure to delete a dropped
// language's menu is logged, and the staff still get their own menus.
func TestStaffMenusDespiteAFailedMenuDeletion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	h.Chat(ownerID, "Olga", "en").Send("/help")
	h.Fake.FailNext("deleteMyCommands", 1, tgfake.Failure{Code: 500, Description: "Internal Server Error"})
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	if names := menuNames(h, `{"type":"chat","chat_id":900}`, ""); !slices.Contains(names, "stats") {
		t.Errorf("the owner's menu after a failed deletion: %v", names)
	}
}
