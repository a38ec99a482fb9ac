package tgfake

import (
	"context"
	"encoding/json"
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
