package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStatsStaffViewOfAChain: /stats staff of a chain with sixty
// cashiers lists every one of them (a page at a time, as /staff does),
// rather than a text cut off by the adapter at Telegram's 4,096
// characters, which silently drops the people at the bottom: those with
// the fewest checkouts, the ones an owner reads it to find.
func TestStatsStaffViewOfAChain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	for i := range 60 {
		if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO staff (telegram_id, chat_id, first_name, role, store_id, created_at)
			VALUES ($1, $1, $2, 'cashier', (SELECT id FROM stores WHERE code = 'central'), $3)`,
			5000+i, fmt.Sprintf("Cashier%02d", i), h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	owner.Send("/stats staff")
	seen := map[string]bool{}
	for page := 0; page < 10; page++ {
		text := owner.Last().Text
		for i := range 60 {
			if name := fmt.Sprintf("Cashier%02d", i); strings.Contains(text, name+" (") {
				seen[name] = true
			}
		}
		if !nextPage(owner) {
			break
		}
	}
	if len(seen) != 60 {
		t.Fatalf("%d of 60 cashiers can be read in /stats staff; the text ends:\n%s", len(seen),
			owner.Last().Text[max(0, len(owner.Last().Text)-300):])
	}
}
