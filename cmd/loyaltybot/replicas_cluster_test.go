package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/locales"
)

// balancer is the trivial local load balancer in front of the replicas:
// round robin over whoever has registered, counting who got what. It
// spreads Telegram's updates the worst way for a conversation: each
// chat's next update goes to the replica after the one that took the
// chat's last, so consecutive updates of a chat never meet on one replica.
type balancer struct {
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	next     int
	chats    map[int64]int    // updates per chat so far
	hits     map[string][]int // path → requests per backend
}

func (b *balancer) add(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = append(b.backends, httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr}))
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var chat int64
	if r.URL.Path == "/telegram/webhook" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		chat = updateChat(body)
	}
	b.mu.Lock()
	if len(b.backends) == 0 {
		b.mu.Unlock()
		http.Error(w, "no replica yet", http.StatusServiceUnavailable)
		return
	}
	i := b.next % len(b.backends)
	b.next++
	if chat != 0 {
		i = b.chats[chat] % len(b.backends)
		b.chats[chat]++
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/api/v1/purchases") {
		path = "/api/v1/purchases"
	}
	if b.hits[path] == nil {
		b.hits[path] = make([]int, 2)
	}
	b.hits[path][i]++
	p := b.backends[i]
	b.mu.Unlock()
	p.ServeHTTP(w, r)
}

// updateChat reads the chat of a message or a tap.
func updateChat(body []byte) int64 {
	type chat struct {
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	}
	var u struct {
		Message       *chat `json:"message"`
		CallbackQuery *struct {
			Message chat `json:"message"`
		} `json:"callback_query"`
	}
	_ = json.Unmarshal(body, &u)
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.Message.Chat.ID
	}
	return 0
}

// updates is how many updates of chat the balancer passed on.
func (b *balancer) updates(chat int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chats[chat]
}

func (b *balancer) spread(path string) []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.hits[path]...)
}

// cluster is two serve replicas on one database behind the balancer, the
// fake Telegram posting its webhooks to the balancer, one business clock.
type cluster struct {
	t        *testing.T
	ctx      context.Context
	fake     *tgfake.Server
	bal      *balancer
	lb       *httptest.Server
	replicas []*serving
	clock    *clock
	getenv   func(string) string
	logs     *syncBuffer
}

const (
	replicaToken = "42:replica"
	replicaOwner = 900
)

func startCluster(t *testing.T) *cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername("replica_bot"), tgfake.WithToken(replicaToken))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	c := &cluster{t: t, ctx: ctx, fake: fake, bal: &balancer{chats: map[int64]int{}, hits: map[string][]int{}}, logs: &syncBuffer{}}
	c.lb = httptest.NewServer(c.bal)
	t.Cleanup(c.lb.Close)
	// 23 November 2026, 12:00 in Moscow: outside the quiet hours.
	c.clock = &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	c.getenv = envFunc(map[string]string{
		"TELEGRAM_BOT_TOKEN": replicaToken,
		"TELEGRAM_API_URL":   fake.URL(),
		"DATABASE_URL":       pgtest.NewDB(t),
		"CARD_SECRET":        strings.Repeat("cd", 32),
		"HTTP_ADDR":          "127.0.0.1:0",
		"WEBHOOK_URL":        "https://bot.example.com/telegram/webhook",
		"WEBHOOK_SECRET":     strings.Repeat("s3cret-", 6),
	})
	for i := range 2 {
		c.replicas = append(c.replicas, c.startReplica(i))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica logs:\n%s", c.logs)
		}
	})
	return c
}

// startReplica runs one serve as the command does, on the shared clock,
// its webhook being the balancer (plain HTTP here: Telegram itself only
// posts to https, which loadEnv insists on).
func (c *cluster) startReplica(i int) *serving {
	t := c.t
	e, err := loadEnv(c.getenv, true)
	if err != nil {
		t.Fatal(err)
	}
	e.WebhookURL = c.lb.URL + "/telegram/webhook"
	var w io.Writer = c.logs
	if os.Getenv("TEST_LOG") != "" {
		w = os.Stderr
	}
	log := newLogger(w, e).With("replica", i)
	biz, err := readBusiness("", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	biz.Owners = []int64{replicaOwner}
	for k := range biz.Nudges.Rules {
		biz.Nudges.Rules[k].HoldOut = 0 // every due customer gets the nudge
	}
	ctx, stop := context.WithCancel(context.Background())
	s, err := startServing(ctx, e, biz, log, c.clock.Now, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		if err := s.shutdown(); err != nil {
			t.Errorf("replica %d shutdown: %v", i, err)
		}
		s.a.close()
	})
	c.bal.add(s.addr)
	return s
}

// settle waits until every update is delivered and handled on both
// replicas and the outbox has nothing due.
func (c *cluster) settle() {
	c.t.Helper()
	if err := c.fake.WaitDelivered(c.ctx); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range c.replicas {
		if err := r.a.bot.WaitIdle(c.ctx); err != nil {
			c.t.Fatal(err)
		}
	}
}

// do performs one action of a person and waits until the bot has handled
// it and sent what the chat has due. It may run on any goroutine: a
// failure ends only the calling one.
func (c *cluster) do(u *tgfake.User, action string, args ...string) {
	var id int64
	var err error
	switch action {
	case "send":
		id = u.SendText(args[0])
	case "tap":
		id, err = u.Tap(args[0])
	case "contact":
		id = u.ShareContact(args[0])
	}
	if err != nil {
		c.fatalf("%s %v: %v\nchat %d shows:\n%s", action, args, err, u.ID, chatView(u))
	}
	c.waitHandled(u.ID, id)
}

// waitHandled waits until the updates are handled, on whichever replica,
// and the chat has no message due and unsent.
func (c *cluster) waitHandled(chat int64, ids ...int64) {
	for {
		var left int
		err := c.replicas[0].a.db.Pool().QueryRow(c.ctx, `SELECT
			(SELECT count(*) FROM unnest($1::bigint[]) AS i(id) WHERE NOT EXISTS
				(SELECT 1 FROM updates u WHERE u.update_id = i.id AND u.processed_at IS NOT NULL))
			+ (SELECT count(*) FROM outbox WHERE chat_id = $2 AND sent_at IS NULL AND dropped_at IS NULL
				AND not_before <= $3)`, ids, chat, c.clock.Now()).Scan(&left)
		if err != nil {
			c.fatalf("chat %d, updates %v: %v", chat, ids, err)
		}
		if left == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fatalf fails the test and ends the calling goroutine (t.Fatalf may only
// end the test's own).
func (c *cluster) fatalf(format string, args ...any) {
	c.t.Errorf(format, args...)
	runtime.Goexit()
}

// tapPrefix taps the newest button whose label starts with prefix.
func (c *cluster) tapPrefix(u *tgfake.User, prefix string) {
	c.t.Helper()
	ms := u.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		for _, b := range ms[i].Buttons() {
			if strings.HasPrefix(b, prefix) {
				c.do(u, "tap", b)
				return
			}
		}
	}
	c.fatalf("no button %q… in chat %d:\n%s", prefix, u.ID, chatView(u))
}

// chatView lists a chat's messages with their buttons, for checks and
// failure messages.
func chatView(u *tgfake.User) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		fmt.Fprintf(&b, "%s%s %v\n", m.Text, m.Caption, m.Buttons())
	}
	return b.String()
}

var inviteRe = regexp.MustCompile(`start=(i_[A-Za-z0-9_-]+)`)

// hire has the owner invite a cashier of Central through /staff.
func (c *cluster) hire(owner *tgfake.User, id int64, name string) *tgfake.User {
	c.t.Helper()
	c.do(owner, "send", "/staff")
	c.tapPrefix(owner, "➕ Invite a cashier")
	c.tapPrefix(owner, "Coffee & Co, Central")
	m := inviteRe.FindStringSubmatch(owner.Last().Caption + owner.Last().Text)
	if m == nil {
		c.fatalf("no invite link:\n%s", chatView(owner))
	}
	u := c.fake.User(id, name, "en")
	c.do(u, "send", "/start "+m[1])
	if !strings.Contains(chatView(u), "Welcome to the team") {
		c.fatalf("invite not accepted:\n%s", chatView(u))
	}
	return u
}

// join takes a customer through the onboarding.
func (c *cluster) join(u *tgfake.User) {
	c.t.Helper()
	c.do(u, "send", "/start s_central")
	c.do(u, "tap", "✅ I agree")
	c.do(u, "contact", fmt.Sprintf("+7999%07d", u.ID))
	c.do(u, "tap", u.FirstName)
	c.tapPrefix(u, "No, thanks")
}

// card has the customer open /card and returns the QR's payload and the
// typed code.
func (c *cluster) card(u *tgfake.User) (payload, code string) {
	c.t.Helper()
	c.do(u, "send", "/card")
	m := u.Last()
	if m.Photo == nil {
		c.fatalf("no card:\n%s", chatView(u))
	}
	link, err := bottest.DecodeQR(m.Photo)
	if err != nil {
		c.fatalf("chat %d: %v", u.ID, err)
	}
	_, payload, _ = strings.Cut(link, "?start=")
	typed := regexp.MustCompile(`(\d{4} \d{4} \d{3} \d{3})`).FindString(m.Caption)
	if typed == "" {
		c.fatalf("no typed code in %q", m.Caption)
	}
	return payload, strings.ReplaceAll(typed, " ", "")
}

// pos posts a purchase to the POS API through the balancer; it may run
// on any goroutine.
func (c *cluster) pos(key, code string, amount int64, receipt string) (int, map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"card": code, "amount": amount, "currency": "RUB", "receipt_id": receipt})
	req, _ := http.NewRequestWithContext(c.ctx, http.MethodPost, c.lb.URL+"/api/v1/purchases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

// count runs a counting query on the shared database.
func (c *cluster) count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.replicas[0].a.db.Pool().QueryRow(c.ctx, sql, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// apiKey makes a POS key for Central with the CLI.
func (c *cluster) apiKey() string {
	c.t.Helper()
	var out bytes.Buffer
	if err := run(c.ctx, []string{"apikey", "create", "--store", "central"}, c.getenv, &out, io.Discard); err != nil {
		c.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// clock is the replicas' one business clock, moved by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
