package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// got counts the bot's messages in c that contain text.
func got(c *bottest.Chat, text string) int {
	n := 0
	for _, m := range c.U.Messages() {
		if strings.Contains(m.Text+m.Caption, text) {
			n++
		}
	}
	return n
}

func TestBroadcastToATopicReachesExactlyItsAudience(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 311, "Anna")   // sales by default
	boris := joinConsenting(t, h, 312, "Boris") // turns sales off
	boris.Send("/topics").Tap("✅ Sales")
	carl := join(t, h, 313, "Carl") // no marketing consent
	dora := joinConsenting(t, h, 314, "Dora")
	dora.U.Block() // the broadcast's 403 marks her unreachable

	owner.Send("/broadcast").Send("Autumn sale: 20% off everything").Tap("📣 Sales")
	if !strings.Contains(owner.Last().Text, "2 customers will get it") {
		t.Fatalf("audience count: %q", owner.Last().Text)
	}
	owner.Tap("✅ Send to 2 customers")
	h.Settle()
	owner.Tap("📊 Progress")
	if want := "✅ Broadcast finished: 1 of 2 sent, 1 blocked the bot, 0 failed."; owner.Last().Text != want {
		t.Fatalf("report %q, want %q", owner.Last().Text, want)
	}
	if got(anna, "Autumn sale") != 1 || got(boris, "Autumn sale") != 0 || got(carl, "Autumn sale") != 0 {
		t.Fatalf("wrong recipients: anna %d, boris %d, carl %d",
			got(anna, "Autumn sale"), got(boris, "Autumn sale"), got(carl, "Autumn sale"))
	}
	if cust, _ := customer(t, h, 314); !cust.Unreachable {
		t.Fatal("a 403 during the broadcast did not mark the customer unreachable")
	}
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "🔕 Don't send me Sales|🛑 Stop all offers and news" {
		t.Fatalf("marketing buttons: %s", b)
	}

	anna.Tap("🔕 Don't send me Sales")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "🔔 Send me Sales again|🛑 Stop all offers and news" {
		t.Fatalf("unsubscribing not confirmed in place: %s", b)
	}
	owner.Send("/broadcast").Send("Second sale").Tap("📣 Sales")
	if !strings.Contains(owner.Last().Text, "Nobody would get it") {
		t.Fatalf("the unsubscribed and the unreachable still counted: %q", owner.Last().Text)
	}
	owner.Tap("↩️ Choose other recipients").Tap("👥 Everyone who agreed to offers")
	if !strings.Contains(owner.Last().Text, "2 customers will get it") {
		t.Fatalf("everyone who consented: %q", owner.Last().Text)
	}
	owner.Tap("✅ Send to 2 customers")
	if got(anna, "Second sale") != 1 || got(boris, "Second sale") != 1 || got(carl, "Second sale") != 0 {
		t.Fatal("a broadcast to everyone who consented missed someone or reached Carl")
	}
	if b := strings.Join(boris.Last().Buttons(), "|"); b != "🛑 Stop all offers and news" {
		t.Fatalf("a message to everyone offers only stopping all: %s", b)
	}
	boris.Tap("🛑 Stop all offers and news")
	if cust, _ := customer(t, h, 312); cust.Marketing {
		t.Fatal("stop all marketing left the consent on")
	}
	if n := countRows(t, h, `SELECT count(*) FROM consents n JOIN customers c ON c.id = n.customer_id
		WHERE c.telegram_id = 312 AND n.kind = 'marketing' AND NOT n.granted`); n != 1 {
		t.Fatalf("the withdrawal is not recorded as a consent row: %d", n)
	}
	owner.Send("/broadcast").Send("Third").Tap("👥 Everyone who agreed to offers")
	if !strings.Contains(owner.Last().Text, "1 customer will get it") {
		t.Fatalf("after stop all: %q", owner.Last().Text)
	}
	owner.Tap("✖ Cancel")
	bottest.Golden(t, "broadcast_owner", owner.Transcript())
	bottest.Golden(t, "broadcast_customer", anna.Transcript()+"\n"+boris.Transcript())
}

// seedMembers adds n members with the marketing consent straight into the
// database (telegram ids from first), each with a chat in the fake
// Telegram when chats is set: a broadcast's audience at a size joining by
// chat would make slow.
func seedMembers(t testing.TB, h *bottest.Harness, first int64, n int, chats bool) {
	t.Helper()
	for i := range int64(n) {
		if chats {
			h.User(first+i, "Member", "en")
		}
	}
	_, err := h.DB.Pool().Exec(context.Background(), `INSERT INTO customers
		(telegram_id, chat_id, first_name, language, joined_at, marketing, created_at)
		SELECT g, g, 'Member', 'en', $3, true, $3 FROM generate_series($1::bigint, $1 + $2 - 1) g`,
		first, n, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func TestBroadcastStoppedHalfWayResumesWithNoDuplicates(t *testing.T) {
	t.Parallel()
	// 10 messages a second: the broadcast is still going when the
	// process stops.
	h := bottest.NewWithBot(t, func(c *bot.Config) { c.SendRate = 10 }, withOwner)
	const n = 30
	seedMembers(t, h, 5000, n, true)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/broadcast").Send("Half way news").Tap("👥 Everyone who agreed to offers")
	if _, err := owner.U.Tap("✅ Send to 30 customers"); err != nil {
		t.Fatal(err)
	}
	sent := func() int {
		return countRows(t, h, `SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL AND sent_at IS NOT NULL`)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for sent() < 12 {
		if ctx.Err() != nil {
			t.Fatal("the broadcast did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.Bot.Stop(5 * time.Second)
	before := sent()
	if before >= n {
		t.Fatalf("all %d sent before the stop: the test stopped nothing half way", before)
	}
	h2 := bottest.Restart(t, h)
	if err := h2.Bot.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range int64(n) {
		if k := got(h.Chat(5000+i, "Member", "en"), "Half way news"); k != 1 {
			t.Fatalf("member %d got the broadcast %d times (stopped after %d of %d)", i, k, before, n)
		}
	}
	if s := sent(); s != n {
		t.Fatalf("%d of %d marked sent", s, n)
	}
}

// TestBroadcastRidesOutA429: Telegram says "retry after" for one
// recipient in the middle of a broadcast; that chat waits exactly that
// long, the others are not held up, and everyone gets the news once.
func TestBroadcastRidesOutA429(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	const n = 10
	seedMembers(t, h, 6000, n, true)
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 1",
		RetryAfter: 1, ChatID: 6003})
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/broadcast").Send("Rate limited news").Tap("👥 Everyone who agreed to offers").
		Tap("✅ Send to 10 customers")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Bot.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range int64(n) {
		if k := got(h.Chat(6000+i, "Member", "en"), "Rate limited news"); k != 1 {
			t.Fatalf("member %d got the broadcast %d times", i, k)
		}
	}
	if s := countRows(t, h, `SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL AND sent_at IS NOT NULL`); s != n {
		t.Fatalf("%d of %d marked sent", s, n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 6003 AND last_error <> ''`); n != 1 {
		t.Fatalf("the 429 did not reach the limited chat's row (%d rows with an error)", n)
	}
}

// TestBroadcastCaptionCountsAsTelegramDoes: Telegram counts a caption in
// UTF-16 units, an emoji as two: 960 letters and 40 emoji are 1,040, over
// the 1,000 a caption may have, and are refused, not cut short unseen.
func TestBroadcastCaptionCountsAsTelegramDoes(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/broadcast").PhotoCaption(strings.Repeat("a", 960) + strings.Repeat("🎉", 40))
	if got := owner.Last().Text; !strings.HasPrefix(got, "The text must be 1 to 1,000 characters long") {
		t.Fatalf("an over-long caption with emoji: %q", got)
	}
	owner.Send(strings.Repeat("a", 960) + strings.Repeat("🎉", 20))
	if strings.HasPrefix(owner.Last().Text, "The text must be") {
		t.Fatalf("a caption of 1,000 units refused:\n%s", owner.Transcript())
	}
}
