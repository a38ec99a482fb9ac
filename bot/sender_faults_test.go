package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/flows"
)

// A live customer's part of the stream: join, open the card, ask for help,
// waiting for the bot's answer after each step as a person does.
var liveScript = []func(u *tgfake.User) error{
	func(u *tgfake.User) error { u.SendText("/start"); return nil },
	func(u *tgfake.User) error { _, err := u.Tap("✅ I agree"); return err },
	func(u *tgfake.User) error { u.ShareContact(fmt.Sprintf("+7999%07d", u.ID)); return nil },
	func(u *tgfake.User) error { _, err := u.Tap(u.FirstName); return err },
	func(u *tgfake.User) error { _, err := u.Tap("No, thanks"); return err },
	func(u *tgfake.User) error { u.SendText("/card"); return nil },
	func(u *tgfake.User) error { u.SendText("/help"); return nil },
}

// view is a chat as the person sees it, one line per message: text or
// caption (codes masked), a photo marker and the buttons.
func view(u *tgfake.User) []string {
	var out []string
	for _, m := range u.Messages() {
		line := bottest.Mask(m.Text + m.Caption)
		if m.Photo != nil {
			line = "[photo] " + line
		}
		if b := m.Buttons(); len(b) > 0 {
			line += " " + fmt.Sprint(b)
		}
		out = append(out, line)
	}
	return out
}

// liveFault is what one live customer's chat meets, and how its chat must
// end up compared with a chat that met nothing.
type liveFault struct {
	id     int64
	method string
	f      tgfake.Failure
	n      int
	// dup is the index of the message that arrives twice: Telegram took
	// it and the answer was lost, the one duplicate README documents.
	dup int
	// noAck: the tap's answer is lost; a callback answer is not retried.
	noAck int
}

func retryIn(s int) tgfake.Failure {
	return tgfake.Failure{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", s), RetryAfter: s}
}

var (
	badGateway = tgfake.Failure{Code: 502, Description: "Bad Gateway"}
	internal   = tgfake.Failure{Code: 500, Description: "Internal Server Error"}
	dropped    = tgfake.Failure{Drop: true}
	lost       = tgfake.Failure{Drop: true, AfterAccept: true}
	slow       = tgfake.Failure{Delay: 300 * time.Millisecond}
)

// TestStreamThroughTelegramFaults: a broadcast of two messages to each of
// 300 customers and eight customers joining live go out while Telegram
// answers 429 with retry_after, 502 and 500, answers slowly, drops the
// connection before taking a call and after taking it, on every method the
// bot uses (sendMessage, sendPhoto, editMessageText, answerCallbackQuery)
// and on the long poll. The bot waits out every retry_after and backs off
// after every other failure (lower bounds only, on the fake's clock), and
// in the end every message is delivered, in its chat's order, exactly
// once, and every update handled once, but for the documented case: a
// message Telegram took whose answer was lost is sent again. An edit whose
// answer was lost is not: its second try changes nothing. A lost callback
// answer is not retried (it only stops the button's spinner) and the
// conversation goes on. A poll whose answer was lost loses no update.
func TestStreamThroughTelegramFaults(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A chat that meets nothing, for what every live chat must look like.
	ref := h.Fake.User(600, "Anna", "en")
	var want [][]string // the reference view after each step
	for _, step := range liveScript {
		if err := step(ref); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		want = append(want, view(ref))
	}
	refAcks := len(ref.CallbackAnswers())

	lives := []liveFault{
		{id: 611, method: "sendMessage", f: retryIn(1), n: 1, dup: -1},
		{id: 612, method: "sendPhoto", f: badGateway, n: 1, dup: -1},
		{id: 613, method: "sendPhoto", f: dropped, n: 1, dup: -1},
		{id: 614, method: "editMessageText", f: lost, n: 1, dup: -1},
		{id: 615, method: "answerCallbackQuery", f: internal, n: 1, dup: -1, noAck: 1},
		{id: 616, method: "sendMessage", f: lost, n: 1, dup: 0},
		{id: 617, method: "sendMessage", f: slow, n: 3, dup: -1},
		{id: 618, method: "editMessageText", f: retryIn(1), n: 1, dup: -1},
	}
	users := map[int64]*tgfake.User{}
	for _, l := range lives {
		users[l.id] = h.Fake.User(l.id, "Anna", "en")
		f := l.f
		f.ChatID = l.id
		h.Fake.FailNext(l.method, l.n, f)
	}
	// Faults for whatever call comes next, queued after the aimed ones.
	for _, g := range []tgfake.Failure{retryIn(1), badGateway, internal, dropped, slow} {
		h.Fake.FailNext("sendMessage", 3, g)
	}
	// The long poll meets one fault at a time, each after a poll that
	// went through: failures in a row back off longer and longer (up to
	// 5 s), which is right but slow to watch.
	intake := make(chan error, 1)
	go func() {
		for k, g := range []tgfake.Failure{retryIn(1), badGateway, dropped, slow} {
			h.Fake.FailNext("getUpdates", 1, g)
			err := h.Fake.WaitFor(ctx, func() bool {
				faults := 0
				for _, c := range h.Fake.Calls("getUpdates") {
					if faults == k+1 {
						return true // a poll after this fault began
					}
					if c.Fault != nil {
						faults++
					}
				}
				return false
			})
			if err != nil {
				intake <- fmt.Errorf("the long poll after %+v: %w", g, err)
				return
			}
		}
		intake <- nil
	}()

	const customers = 300
	news := make([]*tgfake.User, customers)
	var msgs []flows.Reply
	for i := range news {
		id := int64(700_000 + i)
		news[i] = h.Fake.User(id, "R", "en")
		for k := 1; k <= 2; k++ {
			msgs = append(msgs, flows.Reply{ChatID: id, Text: fmt.Sprintf("news %d/%d", i, k)})
		}
	}
	enqueue(t, h, msgs...)

	var wg sync.WaitGroup
	errs := make(chan error, len(lives))
	for _, l := range lives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := users[l.id]
			for i, step := range liveScript {
				if err := step(u); err != nil {
					errs <- fmt.Errorf("chat %d step %d: %w", l.id, i, err)
					return
				}
				last := want[i][len(want[i])-1]
				err := h.Fake.WaitFor(ctx, func() bool {
					v := view(u)
					return len(v) >= len(want[i]) && v[len(v)-1] == last
				})
				if err != nil {
					errs <- fmt.Errorf("chat %d step %d: %w; it shows\n%s", l.id, i, err, strings.Join(view(u), "\n"))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-intake; err != nil {
		t.Fatal(err)
	}
	h.Settle()

	for _, l := range lives {
		u := users[l.id]
		exp := append([]string(nil), want[len(want)-1]...)
		if l.dup >= 0 {
			exp = append(exp[:l.dup+1], exp[l.dup:]...)
		}
		if got := view(u); strings.Join(got, "\n") != strings.Join(exp, "\n") {
			t.Errorf("chat %d (%s %+v) shows:\n%s\nwant:\n%s", l.id, l.method, l.f, strings.Join(got, "\n"), strings.Join(exp, "\n"))
		}
		if n := len(u.CallbackAnswers()); n != refAcks-l.noAck {
			t.Errorf("chat %d: %d taps answered, want %d", l.id, n, refAcks-l.noAck)
		}
	}
	for i, u := range news {
		if got, exp := strings.Join(view(u), " | "), fmt.Sprintf("news %d/1 | news %d/2", i, i); got != exp {
			t.Errorf("customer %d got %q, want %q", i, got, exp)
		}
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`); n != 0 {
		t.Errorf("%d outbox rows not sent (dropped or pending)", n)
	}
	checkBackoff(t, h.Fake.Calls(""))
	lostPoll(t, h, ref)
	checkIntake(t, h, len(lives))
}

// lostPoll: a long poll hands out an update and its answer is lost. The
// bot polls again from the same offset, gets it again and handles it once.
func lostPoll(t *testing.T, h *bottest.Harness, u *tgfake.User) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before := len(u.Messages())
	h.Fake.FailNext("getUpdates", 1, lost)
	u.SendText("/help") // answers the poll under way; the next one meets the fault
	err := h.Fake.WaitFor(ctx, func() bool {
		polls := h.Fake.Calls("getUpdates")
		return polls[len(polls)-1].Fault != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	u.SendText("/help") // handed out by the poll whose answer is lost
	h.Settle()
	if got := len(u.Messages()) - before; got != 2 {
		t.Errorf("%d answers to two /help, one handed out by a poll whose answer was lost; want 2", got)
	}
}

// checkBackoff: after an injected failure, the chat's next send or edit
// (its retry: the chat's later messages wait behind it) came no sooner than the
// retry_after Telegram asked for, or than the shortest backoff (1 s).
func checkBackoff(t *testing.T, calls []tgfake.Call) {
	t.Helper()
	seen := 0
	for i, c := range calls {
		if c.Fault == nil || c.ChatID == 0 || (c.Fault.Code == 0 && !c.Fault.Drop) || c.Method == "answerCallbackQuery" {
			continue // a callback answer is not retried
		}
		wait := time.Second
		if c.Fault.RetryAfter > 0 {
			wait = time.Duration(c.Fault.RetryAfter) * time.Second
		}
		for _, next := range calls[i+1:] {
			if next.ChatID != c.ChatID || next.Method == "answerCallbackQuery" {
				continue
			}
			seen++
			if gap := next.At.Sub(c.At); gap < wait {
				t.Errorf("chat %d: %s failed (%+v) and was tried again %v later, want at least %v",
					c.ChatID, c.Method, *c.Fault, gap, wait)
			}
			break
		}
	}
	if seen < 10 {
		t.Errorf("only %d retries after failures seen", seen)
	}
}

// checkIntake: every update the fake queued is stored once and handled,
// none set aside, and the poll after the 429 waited out its retry_after;
// the one after any other failure backed off.
func checkIntake(t *testing.T, h *bottest.Harness, lives int) {
	t.Helper()
	polls := h.Fake.Calls("getUpdates")
	faults := 0
	for i, c := range polls {
		if c.Fault == nil || i+1 == len(polls) {
			continue
		}
		faults++
		wait := time.Duration(0)
		switch {
		case c.Fault.RetryAfter > 0:
			wait = time.Duration(c.Fault.RetryAfter) * time.Second
		case c.Fault.Code != 0 || c.Fault.Drop:
			wait = 100 * time.Millisecond
		}
		if gap := polls[i+1].At.Sub(c.At); gap < wait {
			t.Errorf("getUpdates failed (%+v) and was called again %v later, want at least %v", *c.Fault, gap, wait)
		}
	}
	if faults != 5 {
		t.Errorf("%d polls met a fault, want all 5", faults)
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates stored but not handled", n)
	}
	if n := count(t, h, `SELECT count(*) FROM dead_updates`); n != 0 {
		t.Errorf("%d updates set aside", n)
	}
	// Every update the people sent is stored (the ids are contiguous).
	var n, maxID int
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT count(*), coalesce(max(update_id), 0) FROM updates`).Scan(&n, &maxID); err != nil {
		t.Fatal(err)
	}
	if n != maxID || n != (1+lives)*len(liveScript)+2 {
		t.Errorf("%d updates stored, highest id %d; want all %d the people sent", n, maxID, (1+lives)*len(liveScript)+2)
	}
}
