package bot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
)

// TestAPIClientSendsBodiesWhole: a body of unknown length (go-telegram/bot
// writes its forms into a pipe) goes out with its length, not chunked and
// flushed chunk by chunk; one longer than bufferedBodyMax is streamed as
// before; either arrives intact.
func TestAPIClientSendsBodiesWhole(t *testing.T) {
	type seen struct {
		length   int64
		encoding []string
		body     []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		got <- seen{r.ContentLength, r.TransferEncoding, body}
	}))
	defer srv.Close()
	c := apiClient(4)
	for _, n := range []int{0, 10, 5000, bufferedBodyMax, bufferedBodyMax + 1, 3 * bufferedBodyMax} {
		want := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
		pr, pw := io.Pipe()
		go func() {
			for rest := want; len(rest) > 0; rest = rest[min(len(rest), 100):] {
				pw.Write(rest[:min(len(rest), 100)]) //nolint:errcheck // the reader reads all
			}
			pw.Close()
		}()
		req, err := http.NewRequest("POST", srv.URL, pr)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		resp.Body.Close()
		s := <-got
		if !bytes.Equal(s.body, want) {
			t.Errorf("%d bytes: the body arrived as %d other bytes", n, len(s.body))
		}
		chunked := strings.Join(s.encoding, ",") == "chunked"
		if whole := n <= bufferedBodyMax; whole && (chunked || s.length != int64(n)) {
			t.Errorf("%d bytes: sent with length %d, encoding %q; want whole, with its length", n, s.length, s.encoding)
		} else if !whole && !chunked {
			t.Errorf("%d bytes: encoding %q; want a longer body streamed (chunked)", n, s.encoding)
		}
	}
}

// TestAPIClientSkipsUnreadResults: a call marked resultUnread that
// succeeds gets an empty message, the connection kept; errors, unmarked
// calls, answers in another shape and bodies that break off reach
// go-telegram/bot as they came.
func TestAPIClientSkipsUnreadResults(t *testing.T) {
	type shown struct {
		id   int
		text string
	}
	const full = `{"ok":true,"result":{"message_id":42,"date":1,"chat":{"id":5,"type":"private"},"text":"hi"}}`
	answers := map[string]struct {
		status int
		body   string
	}{
		"full":     {200, full},
		"spaced":   {200, `{ "ok": true, "result": {"message_id": 7, "date": 1, "chat": {"id": 5, "type": "private"}}}`},
		"gone":     {400, `{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}`},
		"slowdown": {429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`},
	}
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
		}
		which := r.FormValue("text")
		if which == "broken" {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			io.WriteString(w, `{"ok":true,"result":{"message_id":`) //nolint:errcheck // the connection is cut next
			w.(http.Flusher).Flush()
			c, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
			return
		}
		a := answers[which]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body) //nolint:errcheck // a test server
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	api, err := tg.New("TOKEN", tg.WithServerURL(srv.URL), tg.WithSkipGetMe(), tg.WithHTTPClient(time.Minute, apiClient(4)))
	if err != nil {
		t.Fatal(err)
	}
	send := func(ctx context.Context, text string) (shown, error) {
		m, err := api.SendMessage(ctx, &tg.SendMessageParams{ChatID: 5, Text: text})
		if m == nil {
			return shown{id: -1}, err
		}
		return shown{m.ID, m.Text}, err
	}
	unread := resultUnread(context.Background())

	if m, err := send(unread, "full"); err != nil || m.id != 0 || m.text != "" {
		t.Errorf("marked, a success: %+v, %v; want an empty message", m, err)
	}
	if m, err := send(context.Background(), "full"); err != nil || m.id != 42 || m.text != "hi" {
		t.Errorf("unmarked: %+v, %v; want Telegram's message", m, err)
	}
	if m, err := send(unread, "spaced"); err != nil || m.id != 7 {
		t.Errorf("marked, another shape: %+v, %v; want the message as sent", m, err)
	}
	if _, err := send(unread, "gone"); !errors.Is(err, tg.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("marked, an error: %v; want the library's bad request with Telegram's words", err)
	}
	var slow *tg.TooManyRequestsError
	if _, err := send(unread, "slowdown"); !errors.As(err, &slow) || slow.RetryAfter != 3 {
		t.Errorf("marked, 429: %v; want retry after 3", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for five calls; want one, kept", n)
	}
	if m, err := send(unread, "broken"); err == nil {
		t.Errorf("marked, a body cut short: %+v; want the call failed", m)
	}
}
