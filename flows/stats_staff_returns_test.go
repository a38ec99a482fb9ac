package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStatsStaffCountsReturns: Boris rang up Anna's 1,000 RUB a week
// ago; today Mila, a manager who rang nothing up, takes 400 RUB of it
// back. /stats says one return was made today and /today tells Mila the
// money she paid back, but /stats staff listed Boris (an idle cashier,
// all zeros) and not Mila at all: the owner could not see who paid
// money out of the till. She is listed with her return and its refund.
func TestStatsStaffCountsReturns(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 941, "Boris")
	mila := hire(t, h, owner, "manager", 942, "Mila")
	anna := join(t, h, 141, "Anna")
	buy(t, anna, boris)
	h.Clock.Advance(7 * 24 * time.Hour)

	scan(t, anna, mila)
	mila.Tap("↩ Return of items").Tap(mila.Last().Inline[0][0].Text).Send("400").Tap("✅ Confirm the return")
	mila.Send("/today")
	if got := mila.Last().Text; !strings.Contains(got, "Returns you took: 1 · paid back 400 RUB") {
		t.Fatalf("/today:\n%s", got)
	}
	owner.Send("/stats today")
	if got := owner.Last().Text; !strings.Contains(got, "Returns of items in the period: 1,") {
		t.Fatalf("/stats today:\n%s", got)
	}
	owner.Tap("🧑‍💼 Staff")
	got := owner.Last().Text
	var line string
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "Mila (") {
			line = l
		}
	}
	if line == "" || !strings.Contains(line, "returns 1 · paid back 400 RUB") {
		t.Fatalf("/stats staff does not show Mila's return:\n%s", got)
	}
}

// TestStatsUpliftMinusSign: the held-out group bought and the sent one
// did not: the uplift is negative, written with the minus sign the
// weekly report and /today write ("−100.0"), not a hyphen.
func TestStatsUpliftMinusSign(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 143, "Anna")
	join(t, h, 144, "Bob")
	anna, _ := customer(t, h, 143)
	bob, _ := customer(t, h, 144)
	now := h.Clock.Now()
	for _, x := range []struct {
		id        int64
		outcome   string
		converted any
	}{{anna.ID, "sent", nil}, {bob.ID, "held_out", now.Add(-time.Minute)}} {
		if _, err := h.DB.Pool().Exec(context.Background(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing,
			outcome, due_at, send_at, attribute_until, converted_at, revenue)
			VALUES ('winback', $1, 'x', true, $2, $3, $3, $4, $5, 0)`,
			x.id, x.outcome, now.Add(-time.Hour), now.Add(7*24*time.Hour), x.converted); err != nil {
			t.Fatal(err)
		}
	}
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "uplift −100.0 pp") {
		t.Errorf("/stats:\n%s", got)
	}
	owner.Send("/stats nudges")
	if got := owner.Last().Text; !strings.Contains(got, "−100.0") || strings.Contains(got, "-100.0") {
		t.Errorf("/stats nudges:\n%s", got)
	}
}
