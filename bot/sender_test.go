package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
)

// tooMany is Telegram's 429 for one chat, asking it to wait 30 s.
func tooMany(chat int64) tgfake.Failure {
	return tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 30", RetryAfter: 30, ChatID: chat}
}

// enqueue writes plain messages to the outbox in one transaction, as a
// purchase or a nudge would, for the background sender, and wakes it.
func enqueue(t *testing.T, h *bottest.Harness, msgs ...flows.Reply) {
	t.Helper()
	if err := enqueueErr(h, msgs...); err != nil {
		t.Fatal(err)
	}
}

// enqueueErr is enqueue for a goroutine other than the test's.
func enqueueErr(h *bottest.Harness, msgs ...flows.Reply) error {
	ctx := context.Background()
	err := h.DB.Update(ctx, func(tx domain.Tx) error {
		for _, m := range msgs {
			payload, _ := json.Marshal(m)
			if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: m.ChatID, Payload: payload}, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		h.Bot.Sender().Kick()
	}
	return err
}

// eventually waits for a state of the database that no fake event
// signals (a row put off, an update handled).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventuallyWithin(t, 20*time.Second, what, cond)
}

// eventuallyWithin is eventually with its own bound on a hang.
func eventuallyWithin(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(bound); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

// retryPasses stands in for waiting out Telegram's retry_after: the
// chat's put-off message becomes due now.
func retryPasses(t *testing.T, h *bottest.Harness, chat int64) {
	t.Helper()
	// Rows of the chat the sender is writing are waited for; a deadlock
	// with its statements (PostgreSQL aborts one of the two) is tried
	// again, as the sender's own writes are.
	for try := 0; ; try++ {
		_, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET retry_at = now()
			WHERE chat_id = $1 AND retry_at IS NOT NULL AND sent_at IS NULL`, chat)
		if err == nil {
			break
		}
		if try == 5 || !strings.Contains(err.Error(), "40P01") {
			t.Fatal(err)
		}
	}
	h.Bot.Sender().Kick()
}

func texts(ms []tgfake.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return strings.Join(out, " | ")
}

func sendCalls(h *bottest.Harness, chat int64) int {
	n := 0
	for _, c := range h.Fake.Calls("sendMessage") {
		if c.ChatID == chat {
			n++
		}
	}
	return n
}

// TestChatUnder429DoesNotDelayOthers: Telegram tells chat A to wait 30 s
// in the middle of the replies to its /start. B, whose updates go to the
// same worker, is answered while A still waits; A's next update is handled
// too, its reply queued behind the held ones; once the 30 s are over A
// gets exactly what a chat that was never limited gets, in order, once.
func TestChatUnder429DoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	// 8 workers share chats by id: 301 and 309 share one.
	a, b, ref := h.Fake.User(301, "Anna", "en"), h.Fake.User(309, "Boris", "en"), h.Fake.User(317, "Anna", "en")
	ref.SendText("/start")
	h.Settle()
	ref.SendText("/help")
	h.Settle()
	want := texts(ref.Messages())

	h.Fake.FailNext("sendMessage", 1, tooMany(301))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a.SendText("/start")
	if err := h.Fake.WaitFor(ctx, func() bool { return sendCalls(h, 301) == 1 }); err != nil {
		t.Fatal(err)
	}
	b.SendText("/start")
	if _, err := b.WaitMessages(ctx, 2); err != nil {
		t.Fatalf("B not answered while A waits out its 429: %v", err)
	}
	// A's worker records the 429 after Telegram's answer, which need not
	// come before B's replies.
	eventually(t, "A's first message put off until Telegram's retry_after", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 301 AND retry_at IS NOT NULL`) > 0
	})
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 301 AND retry_at > now() + interval '15 seconds'`); n != 1 {
		t.Fatalf("%d of A's messages put off until Telegram's retry_after, want its first", n)
	}
	a.SendText("/help")
	if err := h.Fake.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A's /help handled", func() bool {
		return count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`) == 0
	})
	if got := a.Messages(); len(got) != 0 {
		t.Fatalf("A got %q while Telegram told it to wait", texts(got))
	}

	retryPasses(t, h, 301)
	if _, err := a.WaitMessages(ctx, len(ref.Messages())); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if got := texts(a.Messages()); got != want {
		t.Errorf("after the retry A got:\n%s\nwant, as a chat never limited:\n%s", got, want)
	}
	if n := sendCalls(h, 301); n != len(ref.Messages())+1 {
		t.Errorf("%d sendMessage calls for A, want one refused and one per message", n)
	}
}

// TestNoticesAndRepliesKeepEachChatsOrder: in twenty chats at once,
// notices (a purchase's, a nudge's) are queued for the background sender
// while the person writes, so workers take the notices pending before
// their replies along while the background sender claims the same
// chats' first messages; the first sends meet 429s. Every chat gets its
// notices once and in the order they were queued, and every reply once.
func TestNoticesAndRepliesKeepEachChatsOrder(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	ref := h.Fake.User(899, "Anna", "en")
	ref.SendText("/help")
	h.Settle()
	perHelp := len(ref.Messages())

	// 429s in many chats at once are the bot's limit: every chat waits
	// (TestBotWide429HoldsEveryChat), a second here rather than 30 s.
	brief := func(chat int64) tgfake.Failure {
		f := tooMany(chat)
		f.RetryAfter, f.Description = 1, "Too Many Requests: retry after 1"
		return f
	}
	h.Fake.FailNext("sendMessage", 12, brief(0))
	for i := range 12 {
		h.Fake.FailNext("sendMessage", 1, brief(int64(900+i)))
	}
	const chats = 20
	steps := []string{"n", "n", "/help", "n", "n", "n", "/help", "n", "/help", "n"}
	var wg sync.WaitGroup
	for c := range int64(chats) {
		u := h.Fake.User(900+c, "Anna", "en")
		wg.Go(func() {
			k := 0
			for _, step := range steps {
				if step == "/help" {
					u.SendText(step)
				} else {
					if err := enqueueErr(h, flows.Reply{ChatID: u.ID, Text: fmt.Sprintf("n%d", k)}); err != nil {
						t.Error(err)
						return
					}
					k++
				}
				time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
			}
		})
	}
	wg.Wait()
	notices, helps := 0, 0
	for _, step := range steps {
		if step == "/help" {
			helps++
		} else {
			notices++
		}
	}
	// The 429s put chats off: let them pass, as often as it takes. The
	// bot-wide waits (a second each, every chat held) come one after
	// another as the 24 refusals are met: about 12 s in all, longer
	// under the race detector (a bound on a hang, not a speed target).
	for c := range int64(chats) {
		u := h.Fake.User(900+c, "Anna", "en")
		eventuallyWithin(t, 2*time.Minute, fmt.Sprintf("chat %d served", u.ID), func() bool {
			if len(u.Messages()) < notices+helps*perHelp {
				retryPasses(t, h, u.ID)
				return false
			}
			return true
		})
	}
	h.Settle()
	faults := 0
	for _, c := range h.Fake.Calls("sendMessage") {
		if c.Fault != nil {
			faults++
		}
	}
	if faults != 24 {
		t.Errorf("%d sends refused, want the 24 429s", faults)
	}
	for c := range int64(chats) {
		u := h.Fake.User(900+c, "Anna", "en")
		var got []string
		replies := 0
		for _, m := range u.Messages() {
			if len(m.Text) <= 3 && strings.HasPrefix(m.Text, "n") {
				got = append(got, m.Text)
			} else {
				replies++
			}
		}
		var want []string
		for k := range notices {
			want = append(want, fmt.Sprintf("n%d", k))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") || replies != helps*perHelp {
			t.Errorf("chat %d got notices %v and %d replies, want %v and %d", u.ID, got, replies, want, helps*perHelp)
		}
	}
}

// TestPutOffChatKeepsItsOrder: the background sender meets a 429 for chat
// A, goes on with B, and a message queued for A meanwhile waits behind the
// held ones instead of overtaking them.
func TestPutOffChatKeepsItsOrder(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	a, b := h.Fake.User(301, "Anna", "en"), h.Fake.User(302, "Boris", "en")
	h.Fake.FailNext("sendMessage", 1, tooMany(301))
	enqueue(t, h, flows.Reply{ChatID: 301, Text: "A1"}, flows.Reply{ChatID: 301, Text: "A2"})
	eventually(t, "A1 put off", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 301 AND retry_at IS NOT NULL`) > 0
	})
	enqueue(t, h, flows.Reply{ChatID: 301, Text: "A3"}, flows.Reply{ChatID: 302, Text: "B1"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := b.WaitMessages(ctx, 1); err != nil {
		t.Fatalf("B not served while A is held: %v", err)
	}
	if got := a.Messages(); len(got) != 0 {
		t.Fatalf("A got %q while its first message waits out a 429", texts(got))
	}
	retryPasses(t, h, 301)
	if _, err := a.WaitMessages(ctx, 3); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if got := texts(a.Messages()); got != "A1 | A2 | A3" {
		t.Errorf("A got %s, want A1 | A2 | A3", got)
	}
}

// TestReplyWaitsBehindTheChatsEarlierNotice: a worker sends the replies it
// wrote at once, without reading them back, only when nothing of the chat
// was pending before them. Here a notice to the chat (a purchase's, say)
// was put off by a 429 when the person writes: the reply must not overtake
// it, and both come once, in order, when the wait is over.
func TestReplyWaitsBehindTheChatsEarlierNotice(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(341, "Anna", "en")
	h.Fake.FailNext("sendMessage", 1, tooMany(341))
	enqueue(t, h, flows.Reply{ChatID: 341, Text: "N1"})
	eventually(t, "N1 put off", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 341 AND retry_at IS NOT NULL`) > 0
	})
	u.SendText("/start")
	// Handled, and its replies given back (or, wrongly, sent).
	eventually(t, "the /start handled", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 341`) > 1 &&
			count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`) == 0 &&
			count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 341 AND claimed_until IS NOT NULL`) == 0
	})
	if got := u.Messages(); len(got) != 0 {
		t.Fatalf("the reply overtook the notice that waits out a 429: %s", texts(got))
	}
	replies := count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 341`) - 1
	retryPasses(t, h, 341)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := u.WaitMessages(ctx, 1+replies); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	got := u.Messages()
	if len(got) != 1+replies || got[0].Text != "N1" {
		t.Errorf("Anna got %s; want N1, then the %d replies to /start, once each", texts(got), replies)
	}
}

// TestSentMessageIsMarkedAtOnce: a message is recorded as sent before the
// next one goes, so a crash in the middle of a batch resends nothing that
// was delivered; and the delivered row no longer holds its text.
func TestSentMessageIsMarkedAtOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(321, "Anna", "en")
	stall := make(chan struct{})
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{}) // the greeting goes through
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Stall: stall})
	u.SendText("/start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Fake.WaitFor(ctx, func() bool { return sendCalls(h, 321) == 2 }); err != nil {
		t.Fatal(err)
	}
	// The second send is under way: the first must already be recorded.
	rows, err := h.DB.Pool().Query(ctx, `SELECT sent_at IS NOT NULL, payload = '{}' FROM outbox
		WHERE chat_id = 321 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var state []string
	for rows.Next() {
		var sent, scrubbed bool
		if err := rows.Scan(&sent, &scrubbed); err != nil {
			t.Fatal(err)
		}
		state = append(state, map[bool]string{true: "sent", false: "pending"}[sent]+map[bool]string{true: "+scrubbed", false: ""}[scrubbed])
	}
	close(stall)
	if got := strings.Join(state, " "); got != "sent+scrubbed pending" {
		t.Errorf("while the second message is being sent the rows are %q, want \"sent+scrubbed pending\"", got)
	}
	h.Settle()
	if n := len(u.Messages()); n != 2 {
		t.Errorf("%d messages delivered, want 2", n)
	}
}

// TestHeldRepliesAreNotSentTwice: a handler's replies meet a 429 and the
// handler's lease on them lapses before Telegram's wait is over (it used
// to wait in place for up to 150 s against a 60 s lease), so the
// background sender delivers them when the wait ends: the handler must
// not deliver them as well.
func TestHeldRepliesAreNotSentTwice(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(331, "Anna", "en")
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2, ChatID: 331})
	u.SendText("/start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Fake.WaitFor(ctx, func() bool { return sendCalls(h, 331) == 1 }); err != nil {
		t.Fatal(err)
	}
	// The lease lapses and Telegram's wait ends (moved in the database).
	if _, err := h.DB.Pool().Exec(ctx, `UPDATE outbox SET claimed_until = now() - interval '1 second', retry_at = now()
		WHERE chat_id = 331 AND sent_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	if _, err := u.WaitMessages(ctx, 2); err != nil {
		t.Fatalf("the background sender did not deliver the held replies: %v", err)
	}
	h.Settle()
	if got := u.Messages(); len(got) != 2 {
		t.Errorf("Anna got %d messages, want the greeting and the consent question once each: %s", len(got), texts(got))
	}
}

// TestDeliveredAndDroppedMessagesAreScrubbed: sent, refused (400) and
// blocked (403) messages keep their row but not their text.
func TestDeliveredAndDroppedMessagesAreScrubbed(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	h.Fake.User(341, "Anna", "en")
	h.Fake.User(342, "Boris", "en")
	h.Fake.User(343, "Vera", "en").Block()
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 400, Description: "Bad Request: can't parse entities", ChatID: 342})
	enqueue(t, h, flows.Reply{ChatID: 341, Text: "secret-1"}, flows.Reply{ChatID: 342, Text: "secret-2"},
		flows.Reply{ChatID: 343, Text: "secret-3"}, flows.Reply{ChatID: 343, Text: "secret-4"})
	h.Settle()
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`); n != 1 {
		t.Errorf("%d rows sent, want 1", n)
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE dropped_at IS NOT NULL`); n != 3 {
		t.Errorf("%d rows dropped, want 3", n)
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE payload::text LIKE '%secret%'`); n != 0 {
		t.Errorf("%d sent or dropped rows still hold their text", n)
	}
}

// TestReplyFollowsTheNoticeItWaitedFor: the background sender is in the
// middle of sending a notice to Anna when she writes; her reply cannot
// overtake it and is given back. Other chats' messages queue up
// meanwhile, older than the reply. The moment the notice is out, the
// sender serves Anna's chat on: her reply goes next, not after the
// queue (under load that queue ran 15–20 s behind, and so did replies).
func TestReplyFollowsTheNoticeItWaitedFor(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(351, "Anna", "en")
	stall := make(chan struct{})
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Stall: stall, ChatID: 351})
	enqueue(t, h, flows.Reply{ChatID: 351, Text: "N1"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Fake.WaitFor(ctx, func() bool { return sendCalls(h, 351) == 1 }); err != nil {
		t.Fatal(err)
	}
	var others []flows.Reply
	for i := range 20 {
		chat := int64(360 + i)
		h.Fake.User(chat, "Other", "en")
		others = append(others, flows.Reply{ChatID: chat, Text: "B"})
	}
	enqueue(t, h, others...)
	u.SendText("/help")
	eventually(t, "the /help handled and its reply given back", func() bool {
		return count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`) == 0 &&
			count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 351 AND id > (SELECT min(id) FROM outbox WHERE chat_id = 351)
				AND claimed_until IS NULL AND sent_at IS NULL`) > 0
	})
	if got := u.Messages(); len(got) != 0 {
		t.Fatalf("the reply overtook the notice being sent: %s", texts(got))
	}
	close(stall)
	if err := h.Fake.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	var order []string
	for _, c := range h.Fake.Calls("sendMessage") {
		order = append(order, map[bool]string{true: "Anna", false: "other"}[c.ChatID == 351])
	}
	if len(order) < 3 || order[0] != "Anna" || order[1] != "Anna" {
		t.Errorf("sendMessage calls in order: %v; want the notice, then the reply to Anna, then the others", order)
	}
	if got := u.Messages(); len(got) != 2 || got[0].Text != "N1" {
		t.Errorf("Anna got %s; want N1, then the reply to /help, once each", texts(got))
	}
}

// TestHeldReplyIsSentAsItsWorkerWroteIt: a reply the worker holds is sent
// from the value it wrote (domain.OutMessage.Decoded), not decoded again
// from its row; a row without one is decoded. The test gives the two
// different texts to tell which was sent; the engine sets Decoded only
// when they are the same (FuzzReplyDecodesAsItself).
func TestHeldReplyIsSentAsItsWorkerWroteIt(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(341, "Anna", "en")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rows := []*domain.OutMessage{
		{ChatID: 341, Payload: json.RawMessage(`{"chat_id":341,"text":"from the row"}`), Decoded: flows.Reply{ChatID: 341, Text: "as written"}},
		{ChatID: 341, Payload: json.RawMessage(`{"chat_id":341,"text":"from the second row"}`)},
	}
	err := h.DB.Update(ctx, func(tx domain.Tx) error {
		for _, m := range rows {
			if err := tx.Hold(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().SendHeld(ctx, []domain.OutMessage{*rows[0], *rows[1]}, time.Now()) // ids came with COMMIT
	got, err := u.WaitMessages(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if texts(got) != "as written | from the second row" {
		t.Errorf("sent %q", texts(got))
	}
}
