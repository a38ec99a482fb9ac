package flows_test

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestStaffMenuInTheirLanguageAfterRestart: an English-speaking owner of
// a shop whose default is Russian keeps an English command menu in their
// chat when the bot starts again (RegisterCommands), as their alerts are
// written in the language the bot last answered them in.
func TestStaffMenuInTheirLanguageAfterRestart(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.DefaultLanguage = "ru" })
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	menu := map[string]string{}
	for _, c := range h.Fake.Commands(`{"type":"chat","chat_id":900}`, "") {
		menu[c.Command] = c.Description
	}
	if menu["scan"] == "" {
		t.Fatalf("the owner's chat menu: %v", menu)
	}
	want := map[string]string{}
	for _, c := range h.Engine.StaffMenu("en", &domain.Staff{Role: domain.RoleOwner}) {
		want[c.Name] = c.Description
	}
	if menu["scan"] != want["scan"] || menu["card"] != want["card"] {
		t.Fatalf("after a restart the English-speaking owner's menu is %q / %q, want %q / %q",
			menu["scan"], menu["card"], want["scan"], want["card"])
	}
}

// TestStaffMenuFollowsLanguageSwitch: a cashier who switches /language to
// Russian gets the command menu of their chat in Russian too, not the
// English one it was made in when they were hired.
func TestStaffMenuFollowsLanguageSwitch(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 952, "Boris")
	scan := func() string {
		for _, c := range h.Fake.Commands(`{"type":"chat","chat_id":952}`, "") {
			if c.Command == "scan" {
				return c.Description
			}
		}
		return ""
	}
	if got := scan(); got != "Check out a card by its code" {
		t.Fatalf("the new cashier's menu: /scan %q", got)
	}
	cashier.Send("/language").Tap("🇷🇺 Русский")
	cashier.Sync()
	if got := scan(); got != "Провести карту по коду" {
		t.Fatalf("after switching to Russian the cashier's menu still says /scan %q\n%s", got, cashier.Transcript())
	}
}
