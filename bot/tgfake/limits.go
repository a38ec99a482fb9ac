package tgfake

import (
	"fmt"
	"math"
	"time"
)

// Limits are Telegram's flood limits as the fake enforces them, each a
// token bucket: PerSecond messages a second across all chats with Burst
// at once, and PerChat a second in one chat with ChatBurst at once. A
// message over either is refused with 429 and parameters.retry_after
// (whole seconds until it would pass), as Telegram does; a refused message
// spends nothing. Only new messages count (sendMessage, sendPhoto,
// sendDocument): edits, callback answers and polling do not.
type Limits struct {
	PerSecond float64
	Burst     int
	PerChat   float64
	ChatBurst int
}

// TelegramLimits are the limits Telegram documents for a bot: about 30
// messages a second in total, about one a second per chat, short bursts
// tolerated (DESIGN §6).
var TelegramLimits = Limits{PerSecond: 30, Burst: 30, PerChat: 1, ChatBurst: 3}

// WithLimits makes the fake enforce l. Off by default, so tests that send
// fast to one chat are unaffected; a test of the sender's pacing turns it
// on and counts the refusals (TooManyRequests).
func WithLimits(l Limits) Option {
	return func(s *Server) { s.limits = &limiter{l: l, chats: map[int64]*bucket{}} }
}

// TooManyRequests is how many messages the limits refused with 429.
func (s *Server) TooManyRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		return 0
	}
	return s.limits.refused
}

// limiter holds the buckets; guarded by Server.mu.
type limiter struct {
	l       Limits
	global  bucket
	chats   map[int64]*bucket
	refused int
}

// bucket is a token bucket that starts full.
type bucket struct {
	tokens  float64
	last    time.Time
	started bool
}

// fill brings b to now and returns the tokens it holds.
func (b *bucket) fill(now time.Time, rate float64, burst int) float64 {
	if !b.started {
		b.tokens, b.last, b.started = float64(burst), now, true
	}
	b.tokens = math.Min(float64(burst), b.tokens+rate*now.Sub(b.last).Seconds())
	b.last = now
	return b.tokens
}

// wait is how long until b has a whole token.
func wait(tokens, rate float64) time.Duration {
	if tokens >= 1 || rate <= 0 {
		return 0
	}
	return time.Duration((1 - tokens) / rate * float64(time.Second))
}

// limited methods are the ones that post a new message.
var limited = map[string]bool{"sendmessage": true, "sendphoto": true, "senddocument": true}

// admit spends a token of both buckets for a message to chat, or returns
// the 429 to answer. Caller holds mu.
func (s *Server) admit(method string, chat int64, now time.Time) *apiError {
	lim := s.limits
	if lim == nil || !limited[method] {
		return nil
	}
	c := lim.chats[chat]
	if c == nil {
		c = &bucket{}
		lim.chats[chat] = c
	}
	g := lim.global.fill(now, lim.l.PerSecond, lim.l.Burst)
	t := c.fill(now, lim.l.PerChat, lim.l.ChatBurst)
	d := max(wait(g, lim.l.PerSecond), wait(t, lim.l.PerChat))
	if d > 0 {
		lim.refused++
		secs := int(math.Ceil(d.Seconds()))
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	lim.global.tokens--
	c.tokens--
	return nil
}
