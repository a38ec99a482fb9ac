package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// waitText waits up to 10 seconds for a message of the chat holding want.
func waitText(t *testing.T, c *bottest.Chat, want string) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(texts(c), want) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// TestCardMoveLeavesTheOldChatsWaitBehind: Telegram told the bot to wait
// an hour before writing to Anna's old chat again (a 429), so her
// purchase notice waits there. Her card moves to her new account: the
// notice goes there, and the new account is answered at once. The
// wait was the old chat's: carried along, it held the new account's
// "your card is here now" for the hour, the customer standing at the till.
func TestCardMoveLeavesTheOldChatsWaitBehind(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	// What a 429 leaves: the lease given back, retry_at an hour away
	// (wall clock).
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, retry_at)
		VALUES (101, '{"chat_id": 101, "text": "Points: +30, put off"}', $1, $1, 1, now() + interval '1 hour')`,
		h.Clock.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link)
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the new account was not answered: its queue waits out the old chat's 429:\n%s", texts(fresh))
	}
	if !waitText(t, fresh, "Points: +30, put off") {
		t.Errorf("the notice put off for the old chat did not follow the card:\n%s", texts(fresh))
	}
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 101 AND sent_at IS NULL AND dropped_at IS NULL
		AND payload::text LIKE '%put off%'`); n != 0 {
		t.Errorf("the notice still waits for the old chat")
	}
}

// TestCardMoveReroutesAMessageASenderHeld: a sender (another replica)
// was sending Anna's rating request to her old chat at the moment her
// card moved; Telegram answered 429. The request was never shown
// there: when it goes again, it goes to her new account, where the
// card is, not to the account the card left.
func TestCardMoveReroutesAMessageASenderHeld(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 1, now() + interval '1 minute')
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link) // no Settle: the held row is pending
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(fresh))
	}
	// The other replica's send meets a 429 of a second.
	err := h.DB.Outbox().Throttle(context.Background(), domain.OutMessage{ID: id, ChatID: 101, Attempts: 1}, time.Second, "429")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	h.Bot.Sender().Kick()
	h.Settle()
	anna.Sync()
	if strings.Contains(texts(anna), "on its way") {
		t.Errorf("the message put off after the move went to the old account:\n%s", anna.Transcript())
	}
	if !waitText(t, fresh, "on its way") {
		t.Errorf("the message put off after the move did not follow the card:\n%s", texts(fresh))
	}
}

// TestCardMoveReroutesAHeldMessageTheOldChatRefused: Anna moves her card
// because her old account is gone; a sender (another replica) was
// sending her rating request there at that moment, and Telegram answered
// 403. The request was never shown: it goes to her new account, where the
// card is, rather than being dropped with the old chat.
func TestCardMoveReroutesAHeldMessageTheOldChatRefused(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 1, now() + interval '1 minute')
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link) // no Settle: the held row is pending
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(fresh))
	}
	// The other replica's send meets the old account's 403.
	if err := h.DB.Outbox().Drop(context.Background(), domain.OutMessage{ID: id, ChatID: 101, Attempts: 1}, "blocked: Forbidden: user is deactivated"); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	h.Settle()
	if !waitText(t, fresh, "on its way") {
		t.Errorf("the message the old chat refused after the move did not follow the card:\n%s", texts(fresh))
	}
}

// TestCardMoveReroutesAMessageWhoseSenderDied: a sender (another
// replica) held Anna's rating request for her old chat at the moment her
// card moved, and died before sending it: its lease lapses with nothing
// put off, released or dropped. The request was never shown: when a
// sender takes it up again, it goes to her new account, where the card
// is, not to the account the card left.
func TestCardMoveReroutesAMessageWhoseSenderDied(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 1, now() + interval '1 minute')
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link) // no Settle: the held row is pending
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(fresh))
	}
	// The other replica is gone: its lease runs out.
	if _, err := h.DB.Pool().Exec(t.Context(), `UPDATE outbox SET claimed_until = now() - interval '1 second' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	waitText(t, fresh, "on its way")
	h.Settle()
	anna.Sync()
	if strings.Contains(texts(anna), "on its way") {
		t.Errorf("the message whose sender died after the move went to the old account:\n%s", anna.Transcript())
	}
	if !strings.Contains(texts(fresh), "on its way") {
		t.Errorf("the message whose sender died after the move did not follow the card:\n%s", texts(fresh))
	}
}

// TestCardMoveTakesAMessagePutOffAsItMoves: a sender (another replica)
// held Anna's rating request for her old chat, and Telegram's 429 put it
// off at the very moment her card moved (the move waited on the row
// while the put-off was written). The request was never shown: it goes
// to her new account, not to the account the card left.
func TestCardMoveTakesAMessagePutOffAsItMoves(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 1, now() + interval '1 minute')
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// The other replica's put-off holds the row as the move comes.
	ctx := context.Background()
	hold, err := h.DB.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx) //nolint:errcheck
	if _, err := hold.Exec(ctx, `SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link)
	waitForLockWaiters(t, h, 1)
	if _, err := hold.Exec(ctx, `UPDATE outbox SET retry_at = now() + interval '1 second', claimed_until = NULL,
		spent = least(spent + 1, attempts), last_error = '429' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(fresh))
	}
	time.Sleep(1100 * time.Millisecond)
	h.Bot.Sender().Kick()
	waitText(t, fresh, "on its way")
	h.Settle()
	anna.Sync()
	if strings.Contains(texts(anna), "on its way") {
		t.Errorf("the message put off as the card moved went to the old account:\n%s", anna.Transcript())
	}
	if !strings.Contains(texts(fresh), "on its way") {
		t.Errorf("the message put off as the card moved did not follow the card:\n%s", texts(fresh))
	}
}

// TestCardMovedTwiceReroutesAHeldMessageToWhereItIsNow: a sender (another
// replica) was sending Anna's rating request to her first account when
// her card moved to a second one (the row is marked to follow it there,
// as the move leaves a held row), and then, the message still held, on
// to a third. Telegram answered 429: the request was never shown, and
// when it goes again it goes to the third account, where the card is,
// not to the second, which the card has left too.
func TestCardMovedTwiceReroutesAHeldMessageToWhereItIsNow(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	second := h.Chat(111, "Anna", "en")
	second.Send(cardMoveLink(t, owner, "+79990000101"))
	if !strings.Contains(texts(second), "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(second))
	}
	link := cardMoveLink(t, owner, "+79990000101")
	// What the first move left of the row a sender held as it ran: still
	// for the first chat, marked for the second.
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until, moved_to, spent)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 1, now() + interval '1 minute', 111, 1)
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	third := h.Chat(121, "Anna", "en")
	third.U.SendText(link) // no Settle: the held row is pending
	if !waitText(t, third, "is in this Telegram account now") {
		t.Fatalf("the card did not move again:\n%s", texts(third))
	}
	// The other replica's send meets a 429 of a second.
	err := h.DB.Outbox().Throttle(context.Background(), domain.OutMessage{ID: id, ChatID: 101, Attempts: 1}, time.Second, "429")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	h.Bot.Sender().Kick()
	waitText(t, third, "on its way")
	h.Settle()
	anna.Sync()
	second.Sync()
	if strings.Contains(texts(anna), "on its way") || strings.Contains(texts(second), "on its way") {
		t.Errorf("the message put off after the moves went to an account the card left:\nfirst:\n%s\nsecond:\n%s",
			texts(anna), texts(second))
	}
	if !strings.Contains(texts(third), "on its way") {
		t.Errorf("the message put off after the moves did not follow the card:\n%s", texts(third))
	}
}
