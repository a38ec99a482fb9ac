package tgfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestResendAndWaitDelivered(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	id := anna.SendText("hello")
	anna.SendText("second")
	if err := x.s.WaitDelivered(x.ctx); err != nil {
		t.Fatal(err)
	}
	x.s.Resend(id)
	if err := x.s.WaitDelivered(x.ctx); err != nil {
		t.Fatal(err)
	}
	anna.SendText("third")
	if err := x.s.WaitDelivered(x.ctx); err != nil {
		t.Fatal(err)
	}
	ups := x.waitUpdates(t, 4)
	var ids []int64
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	// Handlers run concurrently, so compare as a multiset.
	count := map[int64]int{}
	for _, i := range ids {
		count[i]++
	}
	if len(ids) != 4 || count[1] != 2 || count[2] != 1 || count[3] != 1 {
		t.Fatalf("update ids seen = %v", ids)
	}
}

func TestWebhookDelivery(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var secrets []string
	fails := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if fails > 0 { // the first attempt fails: the fake must retry
			fails--
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		var u map[string]any
		_ = json.NewDecoder(r.Body).Decode(&u)
		got = append(got, u)
	}))
	defer hook.Close()

	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, _ := bot.New("1:x", bot.WithServerURL(s.URL()), bot.WithSkipGetMe())
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	anna := s.User(101, "Anna", "ru")
	anna.SendText("one")
	anna.SendText("two")
	if err := s.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || len(secrets) != 3 {
		t.Fatalf("webhook got %d updates in %d posts", len(got), len(secrets))
	}
	for _, sec := range secrets {
		if sec != "s3cret" {
			t.Fatalf("secret header = %q", sec)
		}
	}
	first := got[0]["message"].(map[string]any)
	if first["text"] != "one" || got[0]["update_id"].(float64) != 1 || first["date"].(float64) == 0 {
		t.Fatalf("first update = %v", got[0])
	}
	body := rawCall(t, s, "getUpdates", "application/json", `{"timeout":0}`)
	if !strings.Contains(body, `"error_code":409`) {
		t.Fatalf("getUpdates with webhook = %s", body)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || info.PendingUpdateCount != 0 {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
}

func rawCall(t *testing.T, s *Server, method, contentType, body string) string {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot1:x/"+method, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestRawBodies(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.User(101, "Anna", "ru")
	form := url.Values{"chat_id": {"101"}, "text": {"form"}, "reply_markup": {`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`}}
	cases := []struct{ method, ct, body, want string }{
		{"getMe", "multipart/form-data; boundary=x", "", `"username":"loyaltytest_bot"`},
		{"sendMessage", "application/x-www-form-urlencoded", form.Encode(), `"inline_keyboard":[[{"callback_data":"a","text":"A"}]]`},
		{"sendMessage", "application/json", `{"chat_id":101,"text":"json","parse_mode":"HTML"}`, `"text":"json"`},
		{"sendChatAction", "application/json", `{"chat_id":101,"action":"typing"}`, `"result":true`},
		{"getUpdates", "application/json", `{"offset":0,"timeout":0}`, `"result":[]`},
		{"fooBar", "application/json", `{}`, `{"description":"Not Found: method not found","error_code":404,"ok":false}`},
	}
	for _, c := range cases {
		if got := rawCall(t, s, c.method, c.ct, c.body); !strings.Contains(got, c.want) {
			t.Errorf("%s %s: got %s, want %s", c.method, c.ct, got, c.want)
		}
	}
	if got := s.User(101, "", "").Messages(); len(got) != 2 || got[0].Buttons()[0] != "A" || got[1].ParseMode != "HTML" {
		t.Fatalf("messages = %+v", got)
	}
}

func TestLongPollBlocksUntilUpdate(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	anna := s.User(101, "Anna", "ru")
	done := make(chan string)
	go func() { done <- rawCall(t, s, "getUpdates", "application/json", `{"timeout":5}`) }()
	// The poll is parked; the update wakes it well before its 5 s timeout.
	if err := s.WaitFor(context.Background(), func() bool { return len(s.Calls("getUpdates")) == 1 }); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	anna.SendText("wake")
	select {
	case got := <-done:
		if !strings.Contains(got, `"text":"wake"`) || time.Since(start) > 2*time.Second {
			t.Fatalf("poll answered %s after %v", got, time.Since(start))
		}
	case <-time.After(4 * time.Second):
		t.Fatal("long poll not woken by the update")
	}
}

// hookRecorder is a webhook that records what it was posted and can hold
// a delivery until it is let go.
type hookRecorder struct {
	mu       sync.Mutex
	changed  chan struct{}
	texts    []string // message texts, in the order their posts arrived
	inFlight int
	done     int                      // posts answered
	most     int                      // most posts in flight at once
	hold     func(text string) bool   // whether to hold this post
	release  map[string]chan struct{} // a held post's gate
	freed    bool                     // the test is over: hold nothing
}

func newHookRecorder(hold func(string) bool) *hookRecorder {
	return &hookRecorder{changed: make(chan struct{}), hold: hold, release: map[string]chan struct{}{}}
}

func (h *hookRecorder) bump() { close(h.changed); h.changed = make(chan struct{}) }

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var u struct {
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	_ = json.NewDecoder(r.Body).Decode(&u)
	text := u.Message.Text
	h.mu.Lock()
	h.texts = append(h.texts, text)
	h.inFlight++
	h.most = max(h.most, h.inFlight)
	var gate chan struct{}
	if !h.freed && h.hold(text) {
		gate = make(chan struct{})
		h.release[text] = gate
	}
	h.bump()
	h.mu.Unlock()
	if gate != nil {
		<-gate
	}
	h.mu.Lock()
	h.inFlight--
	h.done++
	h.bump()
	h.mu.Unlock()
}

// waitFor blocks until cond (checked under mu) holds.
func (h *hookRecorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		ok, ch := cond(), h.changed
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			h.mu.Lock()
			defer h.mu.Unlock()
			t.Fatalf("waiting for %s: posts %q, %d in flight", what, h.texts, h.inFlight)
		}
	}
}

func (h *hookRecorder) let(text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.release[text])
	delete(h.release, text)
}

// free lets every held post go, so that a failed test's webhook can close.
func (h *hookRecorder) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.freed = true
	for text, gate := range h.release {
		close(gate)
		delete(h.release, text)
	}
}

// hooked starts a fake and a webhook h; setHook points the fake at it.
func hooked(t *testing.T, h *hookRecorder) (s *Server, ctx context.Context, setHook func(maxConns int)) {
	t.Helper()
	hook := httptest.NewServer(h)
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); hook.Close() })
	t.Cleanup(h.free) // first
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	b, _ := bot.New("1:x", bot.WithServerURL(s.URL()), bot.WithSkipGetMe())
	return s, ctx, func(maxConns int) {
		if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, MaxConnections: maxConns}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWebhookChatsInParallel: as Telegram's Bot API server, the fake posts
// different chats' updates at once and a chat's updates one at a time: a
// webhook slow on one update holds back that chat only.
func TestWebhookChatsInParallel(t *testing.T) {
	h := newHookRecorder(func(text string) bool { return text == "a1" })
	s, ctx, setHook := hooked(t, h)
	setHook(0)
	anna, boris, vera := s.User(101, "Anna", "ru"), s.User(102, "Boris", "ru"), s.User(103, "Vera", "ru")
	anna.SendText("a1")
	h.waitFor(t, "a1 posted", func() bool { return h.inFlight == 1 })
	anna.SendText("a2")
	boris.SendText("b1")
	boris.SendText("b2")
	vera.SendText("v1")
	h.waitFor(t, "the other chats posted", func() bool { return h.done == 3 })
	h.mu.Lock()
	got := strings.Join(h.texts, " ")
	h.mu.Unlock()
	if !strings.HasPrefix(got, "a1 ") || strings.Contains(got, "a2") || strings.Index(got, "b1") > strings.Index(got, "b2") {
		t.Fatalf("with a1 held: posts %s; want a1, then b1 before b2, v1, and no a2", got)
	}
	// b1, queued after a2, was posted: the fake has looked at a2 since,
	// and left it waiting (not merely not arrived yet).
	if !s.waitChange(ctx, func() bool { return len(s.pending) == 2 }) {
		t.Fatal("the other chats' posts not done")
	}
	s.mu.Lock()
	waiting := !s.pending[1].posting && s.pending[1].chat == anna.ID
	s.mu.Unlock()
	if !waiting {
		t.Fatal("a2 is being posted while a1 is not answered")
	}
	h.let("a1")
	if err := s.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.texts) != 5 || h.texts[4] != "a2" {
		t.Fatalf("posts %q: want a2 last, once a1 was answered", h.texts)
	}
}

// TestWebhookMaxConnections: no more posts at once than setWebhook's
// max_connections, and as many as it allows while updates wait.
func TestWebhookMaxConnections(t *testing.T) {
	h := newHookRecorder(func(string) bool { return true })
	s, ctx, setHook := hooked(t, h)
	const n = 6
	for i := range n { // queued before the webhook is set: all ready at once
		s.User(int64(201+i), "U", "ru").SendText(fmt.Sprintf("u%d", i+1))
	}
	setHook(2)
	for released := 0; released < n; released++ {
		want := min(2, n-released)
		h.waitFor(t, fmt.Sprintf("%d posts in flight", want), func() bool {
			return h.inFlight == want && len(h.texts) == released+want
		})
		h.mu.Lock()
		next := h.texts[released] // the oldest post still held
		h.mu.Unlock()
		h.let(next)
		h.waitFor(t, next+" answered", func() bool { return h.done == released+1 })
	}
	if err := s.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	if h.most != 2 {
		t.Fatalf("at most %d posts in flight, want 2 (max_connections)", h.most)
	}
	if body := rawCall(t, s, "getWebhookInfo", "application/json", `{}`); !strings.Contains(body, `"max_connections":2`) {
		t.Fatalf("getWebhookInfo = %s", body)
	}
}
