package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestANumberOutOfRangeSaysTheRange: a customer who types 31 for "Visits a
// month?" (1 to 30) is told which numbers are allowed, not just that the
// number is "out of the allowed range" they were never shown.
func TestANumberOutOfRangeSaysTheRange(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(5301, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990005301").Tap("Vera").Tap("No, thanks").
		Tap("📝 Everything (up to +32 points)").
		Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").
		Send("31")
	tr := c.Transcript()
	refusal, _, _ := strings.Cut(tr[strings.Index(tr, "> 31\n")+len("> 31\n"):], "\n")
	if !strings.Contains(refusal, "from 1 to 30") {
		t.Fatalf("the refusal of 31 does not say the allowed range 1 to 30: %q\n%s", refusal, tr)
	}
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'visits'`); n != 0 {
		t.Fatalf("31 was stored for a question of 1 to 30")
	}
}

// TestNumbersSeparatedBySpaceAreNotGluedTogether: "1 000" is a thousand,
// but "1 2" (one or two visits a month) is not twelve: digits are grouped
// by threes, so such an answer is refused and asked again, not stored as
// a number the customer never typed.
func TestNumbersSeparatedBySpaceAreNotGluedTogether(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(5302, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990005302").Tap("Vera").Tap("No, thanks").
		Tap("📝 Everything (up to +32 points)").
		Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").
		Send("1 2")
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'visits' AND (value->>'number')::int = 12`); n != 0 {
		t.Fatalf("\"1 2\" was stored as 12 visits a month:\n%s", c.Transcript())
	}
	if !strings.Contains(c.Last().Text, "Visits a month?") {
		t.Fatalf("the question is not asked again: %q", c.Last().Text)
	}
}
