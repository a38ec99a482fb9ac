package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestOwnerWritesToACustomer: ✉️ Write under the customer card sends the
// owner's words to the customer signed with the business name; the
// customer's answer comes back to the owner, whose Reply goes on; every
// message from the shop is in /audit. A cashier gets no such button, a
// customer who blocked the bot is said to be out of reach, and one who
// erased their data leaves nobody to write to.
func TestOwnerWritesToACustomer(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	manager := hire(t, h, owner, "manager", 972, "Max")
	anna := join(t, h, 101, "Anna")

	owner.Send("/customer +79990000101")
	card := owner.Last().ID
	owner.Tap("✉️ Write to Anna")
	if !strings.HasPrefix(owner.Last().Text, "Write your message to Anna: it goes from the bot, signed “Test Coffee”") {
		t.Fatalf("the ask:\n%s", owner.Transcript())
	}
	owner.Send("Your oat milk has come, we kept two litres for you.")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Your oat milk has come, we kept two litres for you.\n\n— Test Coffee") ||
		strings.Contains(got, "Olga") {
		t.Fatalf("the customer's message:\n%s\nowner:\n%s", anna.Transcript(), owner.Transcript())
	}
	anna.Tap("↩️ Answer").Send("Thank you! I'll come on Saturday.")
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Anna answers:\nThank you! I'll come on Saturday.") {
		t.Fatalf("the answer back:\n%s", owner.Transcript())
	}
	owner.Tap("↩️ Reply").Send("See you!")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "See you!") {
		t.Fatalf("the thread does not go on:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM audit_log WHERE action = 'customer_message'`); n != 2 {
		t.Fatalf("%d messages in the audit log, want 2", n)
	}
	owner.Send("/audit")
	if !strings.Contains(owner.Last().Text, "Olga (owner) wrote to customer #") {
		t.Fatalf("/audit:\n%s", owner.Last().Text)
	}
	_, c := customer(t, h, 101)
	bottest.Golden(t, "direct_owner", strings.ReplaceAll(owner.Transcript(), c.Number, "<number>"))
	bottest.Golden(t, "direct_customer", anna.Transcript())

	manager.Send("/customer +79990000101").Tap("✉️ Write to Anna").Send("Did you like the new beans?")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Did you like the new beans?") {
		t.Fatalf("a manager's message:\n%s", anna.Transcript())
	}
	anna.U.Block()
	owner.TapOld(card, "✉️ Write to Anna").Send("Are you coming?") // answered 403
	h.Settle()
	manager.Send("/customer +79990000101")
	for _, b := range manager.Last().Buttons() {
		if strings.HasPrefix(b, "✉️") {
			t.Fatalf("Write for a customer who blocked the bot: %q", b)
		}
	}
	owner.TapOld(card, "✉️ Write to Anna")
	if !strings.Contains(owner.Last().Text, "Anna has blocked the bot: a message would not reach them.") {
		t.Fatalf("a blocked customer:\n%s", owner.Transcript())
	}

	bob := join(t, h, 102, "Bob")
	owner.Send("/customer +79990000102")
	bobCard := owner.Last().ID
	owner.Tap("✉️ Write to Bob")
	bob.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	owner.Send("Hello?")
	if strings.Contains(texts(owner), "Sent to Bob") || strings.Contains(texts(bob), "Hello?") {
		t.Fatalf("the step outlived the customer's erasure:\n%s", owner.Transcript())
	}
	owner.TapOld(bobCard, "✉️ Write to Bob")
	if !strings.Contains(owner.Last().Text, "This customer is no longer in the program") {
		t.Fatalf("Write after the erasure:\n%s", owner.Transcript())
	}

	cashier := hire(t, h, owner, "cashier", 971, "Boris")
	cashier.Send("/customer +79990000101")
	for _, b := range cashier.Last().Buttons() {
		if strings.HasPrefix(b, "✉️") {
			t.Fatalf("a cashier may write: %q", b)
		}
	}
}
