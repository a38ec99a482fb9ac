package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestWinBackSecondStepFollowsTheFirst: the second win-back step goes to
// exactly the members whose first step was sent for the same last
// purchase and who have not bought since: not to one who bought again,
// not to one held out of the first step; and a member who bought again
// starts a new sleep, with both steps again.
func TestWinBackSecondStepFollowsTheFirst(t *testing.T) {
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	var cards [5]int64
	for i := 1; i <= 4; i++ {
		_, card := addMember(t, db, clock, int64(i))
		cards[i] = card.ID
	}
	buy := func(member int) {
		t.Helper()
		_, err := db.Pool().Exec(t.Context(), `INSERT INTO purchases (public_id, card_id, customer_id, store_id, source,
			idempotency_key, amount, currency, points_earned, points_redeemed, created_at)
			SELECT $1, id, customer_id, $2, 'pos', $1, 10000, 'RUB', 0, 0, $3 FROM cards WHERE id = $4`,
			fmt.Sprintf("p-%d-%d", member, clock.Now().Unix()), shop.ID, clock.Now(), cards[member])
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 4; i++ {
		buy(i)
	}
	first := domain.NudgeRule{ID: "wb1", Kind: domain.NudgeWinBack, Enabled: true, Priority: 2, Days: 30, Window: 7, AttributionDays: 7}
	second := domain.NudgeRule{ID: "wb2", Kind: domain.NudgeWinBack, Enabled: true, Priority: 1, Days: 60, After: "wb1", Window: 7, AttributionDays: 7}
	svc := nudgeService(clock, first, second)
	day := 0.0
	at := func(d float64) {
		t.Helper()
		clock.Advance(time.Duration((d - day) * 24 * float64(time.Hour)))
		day = d
		if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
			t.Fatal(err)
		}
	}
	sent := func(rule string) string {
		t.Helper()
		var s string
		err := db.Pool().QueryRow(t.Context(), `SELECT coalesce(string_agg(c.telegram_id::text, ',' ORDER BY c.telegram_id), '')
			FROM nudges n JOIN customers c ON c.id = n.customer_id WHERE n.rule = $1 AND n.outcome = 'sent'`, rule).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	at(30.1)
	if got := sent("wb1"); got != "1,2,3,4" {
		t.Fatalf("first step after 30 days went to %q, want 1,2,3,4", got)
	}
	// Member 4 turns out to be in the first step's control group.
	if _, err := db.Pool().Exec(t.Context(), `UPDATE nudges SET outcome = 'held_out' FROM customers c
		WHERE c.id = nudges.customer_id AND c.telegram_id = 4 AND nudges.rule = 'wb1'`); err != nil {
		t.Fatal(err)
	}
	at(40)
	buy(3)
	at(60.1)
	if got := sent("wb2"); got != "1,2" {
		t.Errorf("second step after 60 days went to %q, want 1,2 (3 bought again, 4 was held out)", got)
	}
	at(70.1)
	if got := sent("wb1"); got != "1,2,3,3" {
		t.Errorf("after member 3's new sleep the first step went to %q, want 1,2,3,3", got)
	}
	at(100.1)
	if got := sent("wb2"); got != "1,2,3" {
		t.Errorf("the second step of member 3's new sleep: %q, want 1,2,3", got)
	}
}
