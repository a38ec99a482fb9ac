package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// realToken looks like a BotFather token; its secret half is long enough
// to be redacted on its own too.
const realToken = "7012345678:AAHk3v-Secret_Part_Of-The-Token42"

// syncBuffer is a log destination safe for the poller's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTokenNotLoggedOnNetworkErrors: the token is part of every Bot API
// URL, and a network error quotes the URL. A dropped getUpdates and a
// dropped setWebhook must leave no token in the log or in the error.
func TestTokenNotLoggedOnNetworkErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, fake := openDBAndFake(ctx, t, 2)
	var out syncBuffer
	b, err := bot.New(bot.Config{
		Token: realToken, APIURL: fake.URL(), Store: db, PollTimeout: time.Second,
		Logger: slog.New(slog.NewTextHandler(&out, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	fake.FailNext("getUpdates", 1, tgfake.Failure{Drop: true})
	polled := make(chan struct{})
	go func() { b.Poll(ctx); close(polled) }()
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	// The dropped call, then the retry after the poller's backoff.
	if err := fake.WaitFor(wait, func() bool { return len(fake.Calls("getUpdates")) >= 2 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-polled

	fake.FailNext("setWebhook", 1, tgfake.Failure{Drop: true})
	hookErr := b.SetWebhook(context.Background(), "https://example.com/hook", "s3cret_token")
	if hookErr == nil || strings.Contains(hookErr.Error(), realToken) {
		t.Errorf("setWebhook over a dropped connection: %v", hookErr)
	}
	log := out.String()
	if !strings.Contains(log, "getUpdates") {
		t.Fatalf("the dropped getUpdates was not logged:\n%s", log)
	}
	if strings.Contains(log, realToken) || strings.Contains(log, "Secret_Part_Of-The-Token42") {
		t.Errorf("the token is in the log:\n%s", log)
	}
	if !strings.Contains(log, "bot<redacted>/getUpdates") {
		t.Errorf("want the URL with the token redacted (bot<redacted>/getUpdates) in:\n%s", log)
	}
}

// TestRedactTokenHandler: whatever carries the token, the message, a
// string, an error, a group or attributes bound earlier with With, the
// written line does not.
func TestRedactTokenHandler(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	log := slog.New(bot.RedactToken(slog.NewTextHandler(&out, nil), realToken)).With("bound", "url /bot"+realToken+"/getMe")
	log.WithGroup("g").Error("calling /bot"+realToken+"/getUpdates",
		"err", errors.New(`Post "https://api.telegram.org/bot`+realToken+`/getUpdates": EOF`),
		"s", realToken, slog.Group("inner", "k", "x"+realToken), "secret_alone", "AAHk3v-Secret_Part_Of-The-Token42",
		"n", 42)
	got := out.String()
	if strings.Contains(got, "Secret_Part") {
		t.Fatalf("token in the log line:\n%s", got)
	}
	for _, want := range []string{"calling /bot<redacted>/getUpdates", "bound=\"url /bot<redacted>/getMe\"",
		"bot<redacted>/getUpdates\\\": EOF", "g.inner.k=x<redacted>", "g.n=42"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %s in:\n%s", want, got)
		}
	}
	if h := bot.RedactToken(slog.NewTextHandler(&out, nil), ""); h == nil {
		t.Fatal("no handler for an empty token")
	}
}
