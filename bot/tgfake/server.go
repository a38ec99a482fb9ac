// Package tgfake is an in-process fake of the Telegram Bot API that speaks
// real HTTP, so the bot under test runs its real client code (go-telegram/bot)
// end to end. Tests drive it like a person would: send text, tap a button by
// its label, share a contact, then read what the bot answered. It can also
// answer 429 and 403 on demand, and enforce Telegram's flood limits
// (WithLimits), because handling those is part of the bot's
// contract with Telegram (DESIGN §6).
package tgfake

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Option configures a Server at Start.
type Option func(*Server)

// WithBotUsername sets the username getMe answers, so deep links and
// mentions built by the bot can be checked against it.
func WithBotUsername(name string) Option { return func(s *Server) { s.botName = name } }

// WithToken makes the server refuse every other token with 401, to test that
// the bot is configured with the token it was given. Without it any token is
// accepted.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithWebUsers sets the fake users shown by WebHandler, one pane per entry
// (Role is the pane title). The default is Anna (customer), Boris (cashier)
// and Olga (owner).
func WithWebUsers(users []WebUser) Option { return func(s *Server) { s.webUsers = users } }

// WithClock dates messages by now instead of the wall clock, so a bot
// running on a business clock that can be moved (the playground's) shows
// its messages at that clock's times.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithUpdatesAfter numbers the updates from after+1, as Telegram goes on
// numbering them across a restart of the bot: a fake started again for a
// bot whose database holds the updates of an earlier run (the
// playground's) must not hand it ids it takes for those and drops.
func WithUpdatesAfter(after int64) Option { return func(s *Server) { s.nextUpdate = after } }

// Failure is an error answer injected with FailNext, shaped like Telegram's:
// Code is the HTTP status and error_code, RetryAfter becomes
// parameters.retry_after when non-zero. ChatID, when non-zero, limits the
// failure to calls for that chat (Telegram limits chats one by one); an
// answerCallbackQuery is for the chat whose tap it answers. Stall,
// when set, holds the call until the channel is closed, like a slow
// network, so a test can look at the bot mid-send; Delay holds it for a
// while, like a slow network or a busy Telegram. With Code 0 the call
// then goes through normally. Drop instead closes the connection without
// any answer, as a network outage does: before the call takes effect, or
// with AfterAccept once it has (the message is recorded, the updates are
// handed out) and only the answer is lost, which the client cannot tell
// from a call that never arrived.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int
	ChatID      int64
	Stall       <-chan struct{}
	Delay       time.Duration
	Drop        bool
	AfterAccept bool
}

// Call records one Bot API request, so tests can assert on what the bot did
// and when (for example that a retry came at least retry_after later).
type Call struct {
	Method string
	// ChatID is the call's chat_id, or for answerCallbackQuery the chat
	// whose tap it answers.
	ChatID int64
	At     time.Time
	// Params holds the request fields as sent; complex fields are their JSON
	// text and uploaded files appear as "file:<name>".
	Params map[string]string
	// Fault is the failure injected with FailNext that this call met, nil
	// when none: a test finds the call that failed and the retry after it.
	Fault *Failure
}

// Command is one entry set by setMyCommands.
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Server is the fake Bot API. All state is guarded by one mutex: the fake is
// small and correctness under concurrent handlers matters more than speed.
type Server struct {
	botName  string
	token    string
	now      func() time.Time
	webUsers []WebUser // guarded by mu once started: the page adds panes
	web      webState  // playground extras: help line, decoded QR cache

	ln   net.Listener
	http *http.Server
	url  string
	done chan struct{}
	wg   sync.WaitGroup

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change
	version    int64         // counts changes, for the web UI
	subs       map[int]chan struct{}
	nextSub    int
	users      map[int64]*User
	order      []int64 // users in creation order
	pending    []*queued
	sentLog    map[int64]logged // every update ever queued, for Resend
	nextUpdate int64
	nextQuery  int64
	queries    map[string]*queryRef
	failures   map[string][]*failSlot
	calls      []Call
	commands   map[string][]Command
	hook       webhook
	handlers   map[string]handler // the API methods, by lower-case name
	limits     *limiter           // nil: no flood limits (WithLimits)
	keep       int                // >0: bounded memory (WithBoundedMemory)
}

type failSlot struct {
	f    Failure
	left int
}

type queryRef struct {
	chatID   int64
	answered bool
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves the fake
// API until Close.
func Start(addr string, opts ...Option) (*Server, error) {
	s := &Server{
		botName:  "loyaltytest_bot",
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		subs:     map[int]chan struct{}{},
		users:    map[int64]*User{},
		sentLog:  map[int64]logged{},
		queries:  map[string]*queryRef{},
		failures: map[string][]*failSlot{},
		commands: map[string][]Command{},
		webUsers: defaultWebUsers(),
		now:      time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	s.handlers = s.methods()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveAPI), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(ln)
	}()
	go func() {
		defer s.wg.Done()
		s.deliverLoop()
	}()
	return s, nil
}

// URL is the base address to hand to bot.WithServerURL.
func (s *Server) URL() string { return s.url }

// Close stops the server, ending pending long polls and webhook deliveries.
func (s *Server) Close() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	close(s.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.http.Close()
	}
	s.wg.Wait()
	return err
}

// FailNext makes the next n calls of method (case-insensitive, as Telegram),
// or of method for f.ChatID, answer f instead of doing anything, to test
// rate limiting and outages. Failures queued for a method apply in order.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := strings.ToLower(method)
	s.failures[m] = append(s.failures[m], &failSlot{f: f, left: n})
}

// takeFailure pops the first injected failure for method that applies to
// chatID, if any. Caller holds mu.
func (s *Server) takeFailure(method string, chatID int64) (Failure, bool) {
	q := s.failures[method]
	for len(q) > 0 && q[0].left <= 0 {
		q = q[1:]
	}
	s.failures[method] = q
	for _, slot := range q {
		if slot.left > 0 && (slot.f.ChatID == 0 || slot.f.ChatID == chatID) {
			slot.left--
			return slot.f, true
		}
	}
	return Failure{}, false
}

// Calls lists the recorded calls of method (case-insensitive), oldest first;
// an empty method lists every call.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// Subscribe returns a channel signalled (coalesced, never blocking the
// server) on every change: a new update, bot message, edit, delete or
// callback answer. Call the returned func to stop.
func (s *Server) Subscribe() (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{}, 1)
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

// bump wakes every waiter after a change. Caller holds mu.
func (s *Server) bump() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// waitChange blocks until cond (checked under mu) holds, ctx ends or the
// server closes. It returns whether cond held.
func (s *Server) waitChange(ctx context.Context, cond func() bool) bool {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		case <-s.done:
			return false
		}
	}
}

// WaitDelivered returns once every queued update has been delivered: handed
// out by getUpdates and confirmed by a later offset, or accepted (2xx) by the
// webhook. Delivered is not handled: wait for the bot's answer with
// User.WaitMessages.
func (s *Server) WaitDelivered(ctx context.Context) error {
	if s.waitChange(ctx, func() bool { return len(s.pending) == 0 }) {
		return nil
	}
	s.mu.Lock()
	n := len(s.pending)
	s.mu.Unlock()
	if ctx.Err() != nil {
		return &waitError{what: "updates delivered", detail: itoa(int64(n)) + " still pending", err: ctx.Err()}
	}
	return errors.New("tgfake: server closed")
}

type waitError struct {
	what, detail string
	err          error
}

func (e *waitError) Error() string {
	return "tgfake: waiting for " + e.what + ": " + e.err.Error() + "; " + e.detail
}
func (e *waitError) Unwrap() error { return e.err }

// Commands returns the commands set for scope (the scope's JSON as sent, or
// "default") and language ("" for all languages).
func (s *Server) Commands(scope, lang string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands[commandKey(scope, lang)]...)
}

// WaitFor waits until cond holds, re-checking after every change of the fake
// (cond runs without the server lock, so it may call any User or Server
// method). Use it for states WaitMessages cannot express, such as an edit.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return &waitError{what: "condition", detail: "it never held", err: ctx.Err()}
		case <-s.done:
			return errors.New("tgfake: server closed")
		}
	}
}
