package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// childVar, set in a test binary's environment, makes TestMain run the
// real serve command instead of the tests: the kill -9 test starts the bot
// as a child process it can SIGKILL, from the binary it already has.
const childVar = "LOYALTYBOT_FAULT_CHILD"

// runChildIfAsked runs serve and exits when this binary is such a child.
func runChildIfAsked() {
	if os.Getenv(childVar) != "serve" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, []string{"serve"}, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loyaltybot:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// holdProxy stands between the bot and the fake Bot API. A call it is
// told to hold goes through (Telegram takes the message) but its answer
// is kept from the bot until release: the moment a crash turns into a
// duplicate, since the bot cannot mark sent what it never heard was sent.
type holdProxy struct {
	target string
	srv    *httptest.Server

	mu      sync.Mutex
	holds   map[string]int64 // method → chat whose next call to hold
	held    int              // calls taken and held now
	release chan struct{}
}

func newHoldProxy(t *testing.T, target string) *holdProxy {
	p := &holdProxy{target: target, holds: map[string]int64{}, release: make(chan struct{})}
	p.srv = httptest.NewServer(p)
	t.Cleanup(func() {
		p.Release()
		p.srv.CloseClientConnections()
		p.srv.Close()
	})
	return p
}

// URL is the Bot API URL to give the bot.
func (p *holdProxy) URL() string { return p.srv.URL }

// Hold holds the answer of the next call of method for chat.
func (p *holdProxy) Hold(method string, chat int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holds[method] = chat
}

// Held counts the calls taken whose answers are held.
func (p *holdProxy) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// Release lets every held answer go (to a bot that is usually gone).
func (p *holdProxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.release:
	default:
		close(p.release)
	}
}

func (p *holdProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	method := path.Base(r.URL.Path)
	chat := chatOfCall(r.Header.Get("Content-Type"), body)
	p.mu.Lock()
	want, hold := p.holds[method]
	hold = hold && want == chat
	if hold {
		delete(p.holds, method)
	}
	p.mu.Unlock()

	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.Path, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if hold {
		p.mu.Lock()
		p.held++
		p.mu.Unlock()
		select {
		case <-p.release:
		case <-r.Context().Done():
			return // the bot is gone: the answer never reaches it
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}

// chatOfCall reads chat_id from a Bot API request body (go-telegram sends
// multipart forms; JSON is read too); 0 when there is none.
func chatOfCall(contentType string, body []byte) int64 {
	mt, params, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return 0
			}
			if part.FormName() == "chat_id" {
				v, _ := io.ReadAll(part)
				n, _ := strconv.ParseInt(string(v), 10, 64)
				return n
			}
		}
	case "application/json":
		var m struct {
			ChatID int64 `json:"chat_id"`
		}
		json.Unmarshal(body, &m)
		return m.ChatID
	}
	return 0
}
