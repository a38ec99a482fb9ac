package flows_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/flows"
)

var moveLink = regexp.MustCompile(`start=(m_[A-Za-z0-9_-]+)`)

// cardMoveLink taps "📲 New Telegram account" on the customer card found
// by query and returns the /start command of the link it gives.
func cardMoveLink(t *testing.T, staff *bottest.Chat, query string) string {
	t.Helper()
	staff.Send("/customer " + query).Tap("📲 New Telegram account")
	photo, ok := staff.LastPhoto()
	m := moveLink.FindStringSubmatch(photo.Caption)
	if !ok || photo.ID != staff.Last().ID || m == nil {
		t.Fatalf("no move link with its QR:\n%s", staff.Transcript())
	}
	return "/start " + m[1]
}

// TestCardMovesToNewAccount: Anna's new Telegram account cannot join
// with her number; a manager's link from her customer card moves her
// card there (points and history), once. Her old account, the link's
// maker and another member opening it change nothing; the old account
// is told, then joins again as a newcomer without a second welcome
// bonus; what the new account had begun is erased; /audit lists the
// move.
func TestCardMovesToNewAccount(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	before, card := customer(t, h, 101)
	petr := join(t, h, 102, "Petr")

	// Her new account starts joining and is stopped at her own number.
	fresh := h.Chat(111, "Anna", "en")
	fresh.Send("/start").Tap("✅ I agree").ShareContact("+79990000101")
	if got := lastTexts(fresh, 2); !strings.Contains(got, "We could not use this number") {
		t.Fatalf("the new account joined with a member's number:\n%s", fresh.Transcript())
	}

	link := cardMoveLink(t, manager, "+79990000101")
	if got := manager.Last().Caption; !strings.Contains(got, "moves Anna's card to another Telegram account") || !strings.Contains(got, "24 hours") {
		t.Errorf("the link's explanation: %q", got)
	}
	anna.Send(link)
	if got := anna.Last().Text; got != "This card is in this Telegram account already." {
		t.Errorf("the old account opening it: %q", got)
	}
	manager.Send(link)
	if got := manager.Last().Text; got != "This link is for the customer: they open it in their own new Telegram account." {
		t.Errorf("the maker opening it: %q", got)
	}
	petr.Send(link)
	if got := petr.Last().Text; !strings.HasPrefix(got, "This Telegram account has a card of its own") {
		t.Errorf("another member opening it: %q", got)
	}
	if c, _ := customer(t, h, 101); c.ID != before.ID {
		t.Fatalf("the card moved before its customer opened the link")
	}

	// A message held for her old chat by the quiet hours.
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at)
		VALUES (101, '{"chat_id": 101, "text": "Held till the morning"}', $1, $2)`,
		h.Clock.Now().Add(12*time.Hour), h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	fresh.Send(link)
	moved, got := customer(t, h, 111)
	if moved.ID != before.ID || got.ID != card.ID || got.Balance != card.Balance {
		t.Fatalf("the new account has customer %d card %d (%d points), want %d, %d (%d):\n%s",
			moved.ID, got.ID, got.Balance, before.ID, card.ID, card.Balance, fresh.Transcript())
	}
	if txt := lastTexts(fresh, 2); !strings.Contains(txt, "✅ Your Test Coffee card is in this Telegram account now") {
		t.Errorf("the new account was not told:\n%s", fresh.Transcript())
	}
	if photo, ok := fresh.LastPhoto(); !ok || !strings.Contains(photo.Caption, "Anna") {
		t.Errorf("the new account was not shown the card:\n%s", fresh.Transcript())
	}
	fresh.Send("/balance")
	if txt := fresh.Last().Text; !strings.Contains(txt, "points for a purchase") {
		t.Errorf("the history did not come along: %q", txt)
	}
	anna.Sync()
	if txt := anna.Last().Text; !strings.HasPrefix(txt, "Your Test Coffee loyalty card has moved to another Telegram account") {
		t.Errorf("the old account was not told:\n%s", anna.Transcript())
	}
	manager.Sync()
	if txt := manager.Last().Text; !strings.Contains(txt, "Anna (customer #") || !strings.Contains(txt, "opened the link") {
		t.Errorf("the maker was not told: %q", txt)
	}
	// What the new account began is gone; the card is one account's.
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE telegram_id IN (101, 111)`); n != 1 {
		t.Errorf("%d customer rows on the two accounts, want 1", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE erased_at IS NOT NULL AND id <> $1`, before.ID); n != 1 {
		t.Errorf("the new account's unfinished joining was not erased (%d erased rows)", n)
	}

	// The held message goes to the new account, when its time comes.
	h.Clock.Advance(13 * time.Hour)
	h.Settle()
	fresh.Sync()
	if !strings.Contains(lastTexts(fresh, 3), "Held till the morning") || strings.Contains(lastTexts(anna, 3), "Held till the morning") {
		t.Errorf("the held message did not follow the card:\n%s", fresh.Transcript())
	}

	// Once only.
	fresh.Send(link)
	if txt := fresh.Last().Text; txt != "This card is in this Telegram account already." {
		t.Errorf("the new account opening it again: %q", txt)
	}
	h.Chat(112, "Eve", "en").Send(link)
	if txt := h.Chat(112, "Eve", "en").Last().Text; txt != "This link has been used already. Ask in the shop for a new one." {
		t.Errorf("someone else opening a used link: %q", txt)
	}

	// The old account is a newcomer now, whose welcome bonus was given.
	anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000199").Tap("Anna").Tap("No, thanks")
	again, again2 := customer(t, h, 101)
	if !again.Member() || again.ID == before.ID || again2.Balance != 0 {
		t.Errorf("the old account joined again as %d with %d points, want a new member with none:\n%s",
			again.ID, again2.Balance, anna.Transcript())
	}

	owner.Send("/audit")
	if txt := owner.Last().Text; !strings.Contains(txt, "Mila (manager) moved the card of customer") {
		t.Errorf("/audit lacks the move:\n%s", txt)
	}
}

// TestCardMoveLinkLapses: a link works for a day; a newer link for the
// same customer voids the older one; a link whose maker lost access
// stops working, and stays dead when they are hired again; a cashier has no such button and a forged one does
// nothing.
func TestCardMoveLinkLapses(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	join(t, h, 101, "Anna")
	first := cardMoveLink(t, owner, "+79990000101")
	second := cardMoveLink(t, owner, "+79990000101")
	other := h.Chat(111, "Anna", "en")
	other.Send(first)
	if txt := other.Last().Text; txt != "This link is not valid. Ask in the shop for a new one." {
		t.Errorf("a link made before the newest: %q", txt)
	}
	h.Clock.Advance(24*time.Hour + time.Minute)
	other.Send(second)
	if txt := other.Last().Text; txt != "This link has expired. Ask in the shop for a new one." {
		t.Errorf("a day-old link: %q", txt)
	}
	third := cardMoveLink(t, manager, "+79990000101")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila").Tap("Yes, revoke")
	other.Send(third)
	if txt := other.Last().Text; txt != "This link is not valid. Ask in the shop for a new one." {
		t.Errorf("the link of a revoked manager: %q\n%s", txt, owner.Transcript())
	}
	hire(t, h, owner, "manager", 902, "Mila")
	other.Send(third)
	if txt := other.Last().Text; txt != "This link is not valid. Ask in the shop for a new one." {
		t.Errorf("the link of a revoked manager, rehired since: %q", txt)
	}
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 101`); n != 1 {
		t.Fatalf("the card left its account")
	}
	// A cashier's card screen has no such button; one signed for their
	// chat all the same makes no link.
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna, _ := customer(t, h, 101)
	links := countRows(t, h, `SELECT count(*) FROM card_moves`)
	forged := h.Engine.SignButtons(flows.Reply{ChatID: 901, Inline: [][]flows.Button{{{Data: "x:cardmove:c" + strconv.FormatInt(anna.ID, 10)}}}})
	cashier.Callback(cashier.Last().ID, forged.Inline[0][0].Data, "a forged “New Telegram account”")
	if n := countRows(t, h, `SELECT count(*) FROM card_moves`); n != links || moveLink.MatchString(lastTexts(cashier, 2)) {
		t.Fatalf("a cashier made a move link:\n%s", cashier.Transcript())
	}
}

// TestCardMovedBackKeepsProfilePay: Anna's card goes to her new account
// and, when she gets the old one back, home again. She never answered
// her profile, so its points are still hers to earn: the account the
// card left for a while is no account that erased its data.
func TestCardMovedBackKeepsProfilePay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, allTypes)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	before, _ := customer(t, h, 101)
	h.Clock.Advance(24 * time.Hour) // she loses her phone the next day
	h.Chat(111, "Anna", "en").Send(cardMoveLink(t, owner, "+79990000101"))
	h.Clock.Advance(24 * time.Hour) // and finds it again
	anna.Send(cardMoveLink(t, owner, "+79990000101"))
	if back, _ := customer(t, h, 101); back.ID != before.ID {
		t.Fatalf("the card did not come back:\n%s", anna.Transcript())
	}
	anna.Send("/profile").Tap("📝 Everything (up to +32 points)").
		Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").Send("12").Send("01.01.2015").
		Tap("Tea").Tap("✓ Done").Send("Tver")
	if got := points(t, h, "bonus"); got != 32 {
		t.Fatalf("profile points %d, want 32:\n%s", got, anna.Transcript())
	}
}
