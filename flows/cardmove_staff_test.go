package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestCardMoveToStaffAccountKeepsTheirWork: Boris, a cashier, works
// from a new Telegram account; his own card is on his old one. On the
// new account he began joining (stopped at his card's number), then
// took Anna's purchase. Half way through it he opens the move link of
// his card: the card comes, and his checkout and the alert waiting for
// his chat (the quiet hours hold it) stay his.
func TestCardMoveToStaffAccountKeepsTheirWork(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 555, "Boris") // his old account's card
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")

	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000555")
	if got := lastTexts(cashier, 2); !strings.Contains(got, "We could not use this number") {
		t.Fatalf("the new account joined with his card's number:\n%s", cashier.Transcript())
	}
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at)
		VALUES (901, '{"chat_id": 901, "text": "Held staff alert"}', $1, $2)`,
		h.Clock.Now().Add(12*time.Hour), h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	link := cardMoveLink(t, owner, "+79990000555")
	scan(t, anna, cashier)
	cashier.Send("1000")
	amounts := cashier.Last().ID
	cashier.Send(link)
	if got := lastTexts(cashier, 4); !strings.Contains(got, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", cashier.Transcript())
	}
	cashier.TapOld(amounts, "➕ Accrue +30")
	if strings.HasSuffix(strings.TrimSpace(cashier.Transcript()), "This button is out of date.") {
		t.Errorf("Anna's purchase, half way when the card moved, was lost:\n%s", cashier.Transcript())
	} else if cashier.Tap("✅ Confirm"); balance(t, h, 101) != 130 {
		t.Errorf("Anna's balance %d after the purchase, want 130:\n%s", balance(t, h, 101), cashier.Transcript())
	}
	h.Clock.Advance(13 * time.Hour)
	h.Settle()
	cashier.Sync()
	if !strings.Contains(texts(cashier), "Held staff alert") {
		t.Errorf("the alert waiting for his chat was deleted by the move:\n%s", cashier.Transcript())
	}
}

// TestCardMoveFromStaffAccountTakesTheRatingRequest: Boris, a cashier,
// joined from his work account; after a purchase at 21:00 its rating
// request waits for the morning (quiet hours). That evening his card
// moves to his own new account: the request goes there, where its
// stars work, not to the work chat, which is no customer any more.
func TestCardMoveFromStaffAccountTakesTheRatingRequest(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000901").Tap("Boris").Tap("No, thanks")
	if c, _ := customer(t, h, 901); !c.Member() {
		t.Fatalf("the cashier did not join:\n%s", cashier.Transcript())
	}
	h.Clock.Advance(6 * time.Hour) // 21:00 in Moscow
	buy(t, cashier, owner)
	h.Clock.Advance(2 * time.Hour) // 23:00: the request waits for 09:00
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	own := h.Chat(111, "Boris", "en")
	own.Send(cardMoveLink(t, owner, "+79990000901"))
	if c, _ := customer(t, h, 111); !c.Member() {
		t.Fatalf("the card did not move:\n%s", own.Transcript())
	}
	h.Clock.Advance(11 * time.Hour) // 10:00 the next morning
	h.Settle()
	own.Sync()
	cashier.Sync()
	if strings.Contains(lastTexts(cashier, 3), "How was your visit") {
		t.Errorf("the rating request went to the work chat the card left:\n%s", cashier.Transcript())
	}
	if !strings.Contains(lastTexts(own, 3), "How was your visit") {
		t.Fatalf("the rating request did not follow the card:\n%s", own.Transcript())
	}
	own.Tap("5⭐")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE stars = 5`); n != 1 {
		t.Errorf("the rating was not kept:\n%s", own.Transcript())
	}
}

// TestCardMoveFromStaffAccountMidRating: Boris, a cashier with his card
// in his work account, rated his visit and was typing the comment when
// his card moved to his own account. The comment he sends in the work
// chat is answered, not dropped without a word.
func TestCardMoveFromStaffAccountMidRating(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000901").Tap("Boris").Tap("No, thanks")
	buy(t, cashier, owner)
	cashier.Send("/feedback").Tap("2⭐")
	h.Chat(111, "Boris", "en").Send(cardMoveLink(t, owner, "+79990000901"))
	cashier.Sync()
	cashier.Send("The coffee was cold")
	if got := cashier.Last().Text; !strings.Contains(got, "has moved to another Telegram account") {
		t.Errorf("the comment typed in the work chat after the move was answered %q:\n%s", got, cashier.Transcript())
	}
	cashier.Send("Really cold")
	if got := cashier.Last().Text; strings.Contains(got, "went wrong") {
		t.Errorf("the work chat is stuck at the rating step:\n%s", cashier.Transcript())
	}
}

// TestCardMoveFromStaffAccountLeavesTheStaffAlert: Boris, a cashier,
// joined from his work account; an alert for his work (held for the
// morning) waits in the work chat when his card moves to his own new
// account. The card's messages follow it; the staff alert stays in the
// work chat, not in the account he keeps for himself.
func TestCardMoveFromStaffAccountLeavesTheStaffAlert(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000901").Tap("Boris").Tap("No, thanks")
	if c, _ := customer(t, h, 901); !c.Member() {
		t.Fatalf("the cashier did not join:\n%s", cashier.Transcript())
	}
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at)
		VALUES (901, '{"chat_id": 901, "text": "Held staff alert"}', $1, $2)`,
		h.Clock.Now().Add(12*time.Hour), h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	own := h.Chat(111, "Boris", "en")
	own.Send(cardMoveLink(t, owner, "+79990000901"))
	if c, _ := customer(t, h, 111); !c.Member() {
		t.Fatalf("the card did not move:\n%s", own.Transcript())
	}
	h.Clock.Advance(13 * time.Hour)
	h.Settle()
	own.Sync()
	cashier.Sync()
	if strings.Contains(texts(own), "Held staff alert") {
		t.Errorf("the staff alert went to his own account with the card:\n%s", own.Transcript())
	}
	if !strings.Contains(texts(cashier), "Held staff alert") {
		t.Errorf("the staff alert left the work chat:\n%s", cashier.Transcript())
	}
}
