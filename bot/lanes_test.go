package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestTillIsNotStuckBehindMembers: with one worker for the members'
// chats, a member's update that cannot finish (its conversation locked
// here) would hold every chat behind it. The owner's message, sent after
// it, is answered all the same, on a staff lane; the member's is
// answered once the lock goes, and nothing is lost or doubled.
func TestTillIsNotStuckBehindMembers(t *testing.T) {
	t.Parallel()
	const ownerID = 5_100
	h := bottest.NewWithBot(t, func(c *bot.Config) { c.Workers = 1 },
		func(b *domain.Business) { b.Owners = []int64{ownerID} })
	owner, member := h.Fake.User(ownerID, "Olga", "en"), h.Fake.User(5_200, "Max", "en")
	owner.SendText("/help") // the owner's first contact makes them staff
	member.SendText("/help")
	h.Settle()
	ownerHad, memberHad := len(owner.Messages()), len(member.Messages())

	release := pgtest.HoldLock(t, h.DB.Pool(), `SELECT 1 FROM conversations WHERE chat_id = $1 FOR UPDATE`, member.ID)
	member.SendText("/help")
	owner.SendText("/help")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second) // a guard against hanging, not a measure
	defer cancel()
	if _, err := owner.WaitMessages(ctx, ownerHad+1); err != nil {
		release(0) // or the bot cannot stop
		t.Fatalf("the owner waits behind a member's stuck update: %v", err)
	}
	if got := len(member.Messages()); got != memberHad {
		release(0)
		t.Fatalf("the member got %d messages while their update was stuck, want %d", got, memberHad)
	}
	release(1) // the member's update waits for the lock
	h.Settle()
	if got := len(member.Messages()); got != 2*memberHad {
		t.Errorf("the member has %d messages after the lock went, want %d (their /help answered once)", got, 2*memberHad)
	}
}
