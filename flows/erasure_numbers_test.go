package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// ledgerAddsUp fails when a card's balance is not the sum of its ledger
// rows, or its open lots hold other than its balance.
func ledgerAddsUp(t *testing.T, h *bottest.Harness) {
	t.Helper()
	if n := countRows(t, h, `SELECT count(*) FROM cards c
		WHERE c.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger WHERE card_id = c.id)
		   OR c.balance <> (SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE card_id = c.id)`); n != 0 {
		t.Errorf("%d cards whose balance is not their ledger's or lots' sum", n)
	}
}

// TestErasureForfeitsTheBalanceInStats: two members hold 130 points
// each; one deletes their data. The erased card's points leave the
// cards with a ledger row of their own, and /stats says where they
// went: issued 260, on the cards 130, forfeited on erasure 130.
func TestErasureForfeitsTheBalanceInStats(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	buy(t, anna, cashier)
	buy(t, bob, cashier)
	if balance(t, h, 101) != 130 || balance(t, h, 102) != 130 {
		t.Fatalf("balances %d and %d, want 130 each", balance(t, h, 101), balance(t, h, 102))
	}
	bob.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Settle()

	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'forfeit' AND amount = -130`); n != 1 {
		t.Errorf("%d forfeit rows of 130 points, want 1", n)
	}
	ledgerAddsUp(t, h)
	owner.Send("/stats")
	got := owner.Last().Text
	for _, want := range []string{"Points issued 260 ·", "expired 0\n", "Points forfeited on erasure: 130 (", "Points on the cards now: 130,"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
}

// TestErasureWithdrawsTheNudgeBonusWaitingForTheMorning: a win-back's
// bonus is credited at 23:00 with its message waiting for 10:00; Anna
// deletes her data at 08:00. She was never told of the bonus, so it is
// withdrawn as it is when she opts out (not counted as issued), and only
// what she had before is forfeited.
func TestErasureWithdrawsTheNudgeBonusWaitingForTheMorning(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	if got := balance(t, h, 101); got != 230 {
		t.Fatalf("balance %d, want 130 and the win-back's 100", got)
	}
	h.Clock.Advance(9 * time.Hour) // 08:00
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'nudge_withdrawn' AND amount = -100`); n != 1 {
		t.Errorf("%d withdrawn win-back bonuses, want 1", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'forfeit' AND amount = -130`); n != 1 {
		t.Errorf("%d forfeit rows of 130 points, want 1", n)
	}
	ledgerAddsUp(t, h)
	owner.Send("/stats")
	got := owner.Last().Text
	for _, want := range []string{"Points forfeited on erasure: 130 (", "Points on the cards now: 0,"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
}

// TestErasureKeepsTheQuestionsInStats: Anna's question was answered,
// Bob's waits; both delete their data. The questions stay as anonymous
// rows (their words gone), so /stats counts what it counted before; a
// question nobody can answer any more no longer waits: it is closed
// without an answer, and /questions lists nothing.
func TestErasureKeepsTheQuestionsInStats(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	if !strings.HasPrefix(owner.Last().Text, "✉️ Question from Anna") {
		t.Fatalf("no alert:\n%s\n%s", owner.Transcript(), anna.Transcript())
	}
	owner.Tap("↩️ Reply").Send("Yes!")
	bob.Send("Are you open on Sunday?").Tap("✉️ Send")
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Questions to the shop: 2: answered 1") || !strings.Contains(got, "waiting 1") {
		t.Fatalf("before the erasures:\n%s", got)
	}
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	bob.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE text <> '' OR photo <> ''`); n != 0 {
		t.Errorf("%d questions keep their words after the erasures", n)
	}
	owner.Send("/stats")
	got := owner.Last().Text
	if !strings.Contains(got, "Questions to the shop: 2: answered 1") || !strings.Contains(got, "closed without an answer 1; waiting 0") {
		t.Errorf("after the erasures:\n%s", got)
	}
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.Contains(got, "No question") {
		t.Errorf("/questions after the erasures:\n%s", got)
	}
}
