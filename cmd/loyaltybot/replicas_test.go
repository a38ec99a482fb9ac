package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// TestTwoReplicasBehindABalancer runs two `serve` replicas, wired as the
// command wires them, on one database in webhook mode behind a round-robin
// balancer, the fake Telegram posting its updates to the balancer, which
// sends each chat's consecutive updates to alternate replicas. The owner hires
// two cashiers; eight customers join at once, each waiting for the bot's
// answer before the next step as a person does; six buy: three at the
// register, where the cashier taps Confirm twice and the taps go to
// different replicas, and three through the POS API, each receipt posted
// twice at once. Then the welcome nudge falls due and both replicas run
// the nudge engine three times at once while both senders work. Every
// purchase is recorded once, every conversation ends where it should, each
// buyer is told of the purchase once and welcomed once, two messages sent
// at once are answered in order, every update is handled once, and every
// outbox row went to Telegram exactly once.
func TestTwoReplicasBehindABalancer(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	owner := c.fake.User(replicaOwner, "Olga", "en")
	cashiers := []*tgfake.User{c.hire(owner, 901, "Boris"), c.hire(owner, 902, "Vera")}
	key := c.apiKey()

	const n, buyers = 8, 6
	customers := make([]*tgfake.User, n)
	payloads, codes := make([]string, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range customers {
		customers[i] = c.fake.User(int64(1001+i), "Anna", "en")
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.join(customers[i])
			if !strings.Contains(chatView(customers[i]), "You're in, Anna!") {
				c.fatalf("customer %d did not finish joining:\n%s", i, chatView(customers[i]))
			}
			payloads[i], codes[i] = c.card(customers[i])
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Each cashier serves every other register customer.
	for k, cashier := range cashiers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 2 * k; i < buyers; i += 4 {
				c.do(cashier, "send", "/start "+payloads[i])
				c.do(cashier, "send", "500")
				c.tapPrefix(cashier, "➕ Accrue")
				var taps []int64
				for range 2 {
					id, err := cashier.Tap("✅ Confirm")
					if err != nil {
						c.fatalf("%v\n%s", err, chatView(cashier))
					}
					taps = append(taps, id)
				}
				c.waitHandled(cashier.ID, taps...)
				if !strings.Contains(cashier.Last().Text, "✅ Done") {
					c.fatalf("checkout %d not done:\n%s", i, chatView(cashier))
				}
			}
		}()
	}
	type receipt struct{ code, id string }
	var posted []receipt
	for i := 1; i < buyers; i += 2 {
		posted = append(posted, receipt{codes[i], fmt.Sprintf("R-%d", i)})
	}
	// Meanwhile the POS sends every receipt twice at once, as after a
	// timeout.
	errs := make(chan string, 2*len(posted))
	for _, r := range posted {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body, err := c.pos(key, r.code, 50000, r.id)
				if err != nil || (code != 200 && code != 201) {
					errs <- fmt.Sprintf("receipt %s: HTTP %d %v %v", r.id, code, body, err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	c.settle()
	if got := c.count(`SELECT count(*) FROM purchases`); got != buyers {
		t.Errorf("%d purchases recorded, want %d", got, buyers)
	}
	if got := c.count(`SELECT count(DISTINCT customer_id) FROM purchases`); got != buyers {
		t.Errorf("purchases of %d customers, want %d, one each", got, buyers)
	}
	if got := c.count(`SELECT count(*) FROM cards c
		WHERE balance <> (SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.card_id = c.id)`); got != 0 {
		t.Errorf("%d cards whose balance is not their ledger's sum", got)
	}
	for i, u := range customers {
		want := 0
		if i < buyers {
			want = 1
		}
		if got := strings.Count(chatView(u), "Thank you for your purchase"); got != want {
			t.Errorf("customer %d told of %d purchases, want %d:\n%s", i, got, want, chatView(u))
		}
	}

	// An hour later the welcome nudge is due: both replicas run the
	// engine three times at once.
	c.clock.advance(61 * time.Minute)
	before := make([]int, n)
	for i, u := range customers {
		before[i] = len(u.Messages())
	}
	errs = make(chan string, 6)
	for range 3 {
		for i, r := range c.replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.a.engine.RunNudges(c.ctx); err != nil {
					errs <- fmt.Sprintf("replica %d nudges: %v", i, err)
				}
				r.a.bot.Sender().Kick()
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	c.settle()
	if got := c.count(`SELECT count(*) FROM nudges WHERE rule = 'welcome' AND outcome = 'sent'`); got != buyers {
		t.Errorf("%d welcome nudges recorded, want %d", got, buyers)
	}
	for i, u := range customers {
		want := 0
		if i < buyers {
			want = 1
		}
		got := len(u.Messages()) - before[i]
		if got != want || strings.Count(chatView(u), "Thank you for your first purchase") != want {
			t.Errorf("customer %d got %d messages after the nudges ran, want %d (the welcome):\n%s", i, got, want, chatView(u))
		}
	}

	// A person sends two messages at once: they reach different replicas,
	// and the answers still come in the order sent.
	u := customers[n-1]
	for range 3 {
		before := len(u.Messages())
		help, balance := u.SendText("/help"), u.SendText("/balance")
		c.waitHandled(u.ID, help, balance)
		if ms := u.Messages()[before:]; len(ms) != 2 || !strings.HasPrefix(ms[0].Text, "Here is what I can do") ||
			!strings.HasPrefix(ms[1].Text, "Your balance") {
			t.Errorf("/help and /balance sent at once were answered:\n%s", chatView(u))
			break
		}
	}

	for _, u := range append(customers, cashiers...) {
		if k := c.bal.updates(u.ID); k < 5 {
			t.Errorf("chat %d: %d updates, want at least 5, alternating between the replicas", u.ID, k)
		}
	}
	if got := c.bal.spread("/telegram/webhook"); len(got) != 2 || got[0] == 0 || got[1] == 0 {
		t.Errorf("webhooks per replica %v: both must take updates", got)
	}
	if got := c.bal.spread("/api/v1/purchases"); len(got) != 2 || got[0] == 0 || got[1] == 0 {
		t.Errorf("POS purchases per replica %v: both must take some", got)
	}
	if got := c.count(`SELECT count(*) FROM updates WHERE processed_at IS NULL`); got != 0 {
		t.Errorf("%d updates not handled", got)
	}
	if got := c.count(`SELECT count(*) FROM dead_updates`); got != 0 {
		t.Errorf("%d updates set aside", got)
	}
	c.checkSentOnce()
}

// checkSentOnce: every outbox row is sent, and each chat saw exactly as
// many Bot API calls carrying a message (or an edit, or its command
// menu) as it has sent rows: nothing went out twice, nothing was lost.
func (c *cluster) checkSentOnce() {
	c.t.Helper()
	if got := c.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`); got != 0 {
		c.t.Errorf("%d outbox rows not sent", got)
	}
	calls := map[int64]int{}
	for _, call := range c.fake.Calls("") {
		switch call.Method {
		case "sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption", "editMessageReplyMarkup":
			calls[call.ChatID]++
		case "setMyCommands":
			var scope struct {
				Type   string `json:"type"`
				ChatID int64  `json:"chat_id"`
			}
			if json.Unmarshal([]byte(call.Params["scope"]), &scope) == nil && scope.Type == "chat" {
				calls[scope.ChatID]++
			}
		}
	}
	rows, err := c.replicas[0].a.db.Pool().Query(c.ctx, `SELECT chat_id, count(*) FROM outbox GROUP BY chat_id`)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	sent := map[int64]int{}
	for rows.Next() {
		var chat int64
		var k int
		if err := rows.Scan(&chat, &k); err != nil {
			c.t.Fatal(err)
		}
		sent[chat] = k
	}
	if len(sent) == 0 {
		c.t.Fatal("no outbox rows")
	}
	for chat, k := range sent {
		if calls[chat] != k {
			c.t.Errorf("chat %d: %d outbox rows, %d Bot API calls", chat, k, calls[chat])
		}
	}
	for chat, k := range calls {
		if _, ok := sent[chat]; !ok {
			c.t.Errorf("chat %d: %d Bot API calls without an outbox row", chat, k)
		}
	}
}
