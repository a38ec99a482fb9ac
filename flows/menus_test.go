package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// refusals are the answers of a command its sender may not run.
var refusals = []string{"This command is for shop staff.", "This is for owners and managers.", "This is for owners only."}

// TestStaffCommandsMatchTheirMenus: every staff command is in the menu of
// exactly those who may run it. The owner's menu has them all; each is
// sent by the owner, a manager, a cashier and a member, and it must be
// refused exactly when it is missing from that person's menu (managers
// have no /audit, cashiers only the register's, members none).
func TestStaffCommandsMatchTheirMenus(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 951, "Mila")
	cashier := hire(t, h, owner, "cashier", 952, "Boris")
	member := joinVia(t, h, 153, "Anna", "s_central")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	names := func(scope string) []string {
		var out []string
		for _, c := range h.Fake.Commands(scope, "") {
			out = append(out, c.Command)
		}
		return out
	}
	var customer []string
	for _, c := range h.Fake.Commands(`{"type":"all_private_chats"}`, "en") {
		customer = append(customer, c.Command)
	}
	chats := []struct {
		who  string
		chat *bottest.Chat
		menu []string
	}{
		{"owner", owner, names(`{"type":"chat","chat_id":900}`)},
		{"manager", manager, names(`{"type":"chat","chat_id":951}`)},
		{"cashier", cashier, names(`{"type":"chat","chat_id":952}`)},
		{"member", member, customer},
	}
	var staff []string
	for _, c := range chats[0].menu {
		if !slices.Contains(customer, c) {
			staff = append(staff, c)
		}
	}
	if !slices.Contains(staff, "audit") || !slices.Contains(staff, "scan") || len(staff) < 10 {
		t.Fatalf("the owner's staff commands %v: want every staff command", staff)
	}
	if slices.Contains(chats[1].menu, "audit") {
		t.Errorf("the manager's menu offers /audit, which is for owners: %v", chats[1].menu)
	}
	for _, cmd := range staff {
		for _, c := range chats {
			before := len(c.chat.U.Messages())
			c.chat.Send("/" + cmd)
			var answer []string
			for _, m := range c.chat.U.Messages()[before:] {
				answer = append(answer, m.Text+m.Caption)
			}
			refused := slices.ContainsFunc(refusals, func(r string) bool { return strings.Contains(strings.Join(answer, "\n"), r) })
			if listed := slices.Contains(c.menu, cmd); refused == listed {
				t.Errorf("/%s for the %s: in the menu %v, refused %v:\n%s", cmd, c.who, listed, refused, strings.Join(answer, "\n"))
			}
		}
	}
}
