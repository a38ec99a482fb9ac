package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestManualPointCorrection: an owner adds points from the customer card
// (a number with letters and an overlong reason are said and asked
// again), the customer is told why; taking more than the card holds
// takes nothing and asks again; a second tap on Confirm does nothing;
// a manager may correct too, Cancel leaves, and /audit lists each
// correction with its reason.
func TestManualPointCorrection(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	_, card := customer(t, h, 101)
	start := card.Balance

	owner.Send("/customer +7 (999) 000-01-01").Tap("± Points").
		Send("fifty").
		Send("+50").
		Send(strings.Repeat("x", 201)).
		Send("purchase on 21.11 without the card")
	if got := owner.Last().Text; got != "Add 50 points to Anna's card?\nReason: purchase on 21.11 without the card" {
		t.Fatalf("confirmation: %q", got)
	}
	confirm := owner.Last()
	owner.Tap("✅ Confirm")
	if _, c := customer(t, h, 101); c.Balance != start+50 {
		t.Fatalf("balance %d after +50 on %d", c.Balance, start)
	}
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "➕ Test Coffee added 50 points to your card: purchase on 21.11 without the card.") {
		t.Fatalf("Anna was not told:\n%s", anna.Transcript())
	}
	// The same Confirm again: the step is gone, nothing is added.
	owner.Callback(confirm.ID, confirm.Inline[0][0].Data, "✅ Confirm again, from a view before the edit")
	if _, c := customer(t, h, 101); c.Balance != start+50 {
		t.Fatalf("a second Confirm changed the balance to %d", c.Balance)
	}

	owner.Send("/customer +79990000101").Tap("± Points").Send("-100000").Send("typo").Tap("✅ Confirm")
	if got := lastTexts(owner, 2); !strings.Contains(got, "fewer points than 100,000") {
		t.Fatalf("taking more than the card holds: %q", got)
	}
	owner.Send("−30").Send("points given twice by mistake").Tap("✅ Confirm")
	if got := owner.Last().Text; !strings.HasPrefix(got, "✅ Anna: −30, balance") {
		t.Errorf("the deduction's result: %q", got)
	}
	if _, c := customer(t, h, 101); c.Balance != start+20 {
		t.Fatalf("balance %d after +50 −30 on %d", c.Balance, start)
	}
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "➖ Test Coffee took 30 points back from your card: points given twice by mistake.") {
		t.Fatalf("Anna was not told of the deduction:\n%s", anna.Transcript())
	}

	manager.Send("/customer " + card.Number).Tap("± Points").Send("1").Send("a stamp card from paper").Tap("✅ Confirm")
	manager.Send("/customer " + card.Number).Tap("± Points").Tap("✖ Cancel")
	if _, c := customer(t, h, 101); c.Balance != start+21 {
		t.Fatalf("balance %d after the manager's +1 on %d", c.Balance, start+20)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'adjust'`); n != 3 {
		t.Fatalf("%d correction rows, want 3", n)
	}
	owner.Send("/audit")
	for _, want := range []string{"Olga (owner) corrected the points of customer", "Anna: +50 purchase on 21.11 without the card",
		"Anna: -30 points given twice by mistake", "Mila (manager) corrected the points of customer"} {
		if !strings.Contains(owner.Last().Text, want) {
			t.Errorf("/audit lacks %q:\n%s", want, owner.Last().Text)
		}
	}
	// Her card lists the corrections, newest first, with who and why.
	owner.Send("/customer +79990000101")
	if got := owner.Last().Text; !strings.Contains(got, "± Point corrections:\n• 22.11.2026 +1 · Mila: a stamp card from paper\n"+
		"• 22.11.2026 -30 · Olga: points given twice by mistake\n• 22.11.2026 +50 · Olga: purchase on 21.11 without the card") {
		t.Errorf("the card does not list the corrections:\n%s", got)
	}
	// The owner's ledger export says who corrected the points and why.
	owner.Send("/export").Tap("💳 Points ledger")
	var reasons []string
	for _, row := range lastCSV(t, owner, "ledger-2026-11-22.csv") {
		if row[4] == "adjust" {
			reasons = append(reasons, row[7])
		}
	}
	if want := []string{"Olga: purchase on 21.11 without the card", "Olga: points given twice by mistake", "Mila: a stamp card from paper"}; !slices.Equal(reasons, want) {
		t.Errorf("the ledger export's corrections: %q, want %q", reasons, want)
	}
	// A member who has bought nothing yet: no dangling "Latest:".
	join(t, h, 102, "Petr")
	owner.Send("/customer +7 (999) 000-01-02")
	if got := owner.Last().Text; !strings.Contains(got, "🛒 No purchases yet.") || strings.Contains(got, "Latest:") {
		t.Errorf("the card of a member without purchases:\n%s", got)
	}
	_, petr := customer(t, h, 102)
	bottest.Golden(t, "adjust_owner", strings.NewReplacer(card.Number, "<number>", petr.Number, "<Petr's number>").Replace(owner.Transcript()))
	bottest.Golden(t, "adjust_manager", strings.ReplaceAll(manager.Transcript(), card.Number, "<number>"))
}

// TestCorrectionOnAnIdleCardIsKept: a customer back after more than a
// year (their old points expired, as the program says) bought without
// the card; the owner adds the points they should have had. Those points
// must not be written off at the very next look at the card.
func TestCorrectionOnAnIdleCardIsKept(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(400 * 24 * time.Hour)
	owner.Send("/customer +79990000101").Tap("± Points").Send("+50").Send("bought today without the card").Tap("✅ Confirm")
	if got := owner.Last().Text; !strings.Contains(got, "+50, balance 50") {
		t.Fatalf("the correction: %q\n%s", got, owner.Transcript())
	}
	owner.Send("/customer +79990000101")
	anna.Sync()
	if _, after := customer(t, h, 101); after.Balance != 50 {
		t.Errorf("balance %d after +50 on an idle card: the correction was written off at once\n%s\n%s",
			after.Balance, owner.Transcript(), anna.Transcript())
	}
	h.Clock.Advance(364 * 24 * time.Hour)
	owner.Send("/customer +79990000101")
	if _, after := customer(t, h, 101); after.Balance != 50 {
		t.Errorf("balance %d within the correction's year, want 50", after.Balance)
	}
}
