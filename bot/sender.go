package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"golang.org/x/time/rate"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
)

// Telegram allows about 30 messages a second per bot (DESIGN.md §6).
const (
	globalRate  = 30
	globalBurst = 30
	// maxInlineWait caps how long a send waits in place on a 429; a longer
	// retry_after puts the message back in the outbox for later.
	maxInlineWait = 30 * time.Second
	maxAttempts   = 10
	claimHold     = time.Minute
)

// Sender delivers outbox messages. The process that wrote a message sends
// it at once (SendNow); the background loop (Run) takes anything left
// behind by a crash, a 429 or a scheduled nudge, on any replica.
type Sender struct {
	api     *tg.Bot
	outbox  domain.Outbox
	log     *slog.Logger
	metrics *Metrics
	limit   *rate.Limiter
	sleep   func(ctx context.Context, d time.Duration) error
	kick    chan struct{}
}

// Kick wakes the background sender now: a message was queued outside an
// update (the POS API), and the customer should not wait for the next tick.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// NewSender builds a sender.
func NewSender(api *tg.Bot, outbox domain.Outbox, log *slog.Logger, m *Metrics) *Sender {
	return &Sender{
		api: api, outbox: outbox, log: log, metrics: m,
		limit: rate.NewLimiter(globalRate, globalBurst),
		sleep: sleepCtx,
		kick:  make(chan struct{}, 1),
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SendNow delivers rows this process claimed when it wrote them, in order.
// It runs in the chat's own worker, so a 429 is waited out in place.
func (s *Sender) SendNow(ctx context.Context, ids []int64) {
	if len(ids) == 0 {
		return
	}
	ms, err := s.outbox.Get(ctx, ids)
	if err != nil {
		s.log.Error("load outbox", "err", err)
		return
	}
	s.deliverAll(ctx, ms, true)
}

// deliverAll sends messages in order and records the delivered ones in
// one statement. A message put off for later (a 429, an outage) holds the
// rest of its chat's messages back until the same time, so no chat sees
// them out of order; other chats go on. With waitInPlace a short 429 is
// waited out here; without it (the background sender, which serves every
// chat) the message is put off instead, so that one limited chat never
// stalls the others.
func (s *Sender) deliverAll(ctx context.Context, ms []domain.OutMessage, waitInPlace bool) {
	var sent []int64
	held := map[int64]time.Time{}
	for _, m := range ms {
		if at, ok := held[m.ChatID]; ok {
			s.finish(ctx, s.outbox.Retry(ctx, m.ID, at, "after an earlier message to this chat"))
			continue
		}
		ok, later := s.deliver(ctx, m, waitInPlace)
		switch {
		case ok:
			sent = append(sent, m.ID)
		case !later.IsZero():
			held[m.ChatID] = later
		}
	}
	s.finish(ctx, s.outbox.MarkSentMany(context.WithoutCancel(ctx), sent))
}

// Run claims due rows until ctx ends.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			ms, err := s.outbox.Claim(ctx, 50, claimHold)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("claim outbox", "err", err)
				}
				break
			}
			s.deliverAll(ctx, ms, false)
			if len(ms) < 50 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// deliver sends one message. It reports true when the message went out
// (the caller marks it sent); every failure ends retried later, and then
// later says when, or dropped.
func (s *Sender) deliver(ctx context.Context, m domain.OutMessage, waitInPlace bool) (ok bool, later time.Time) {
	var r flows.Reply
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		s.log.Error("decode outbox row", "id", m.ID, "err", err)
		s.finish(ctx, s.outbox.Drop(ctx, m.ID, "undecodable"))
		return false, time.Time{}
	}
	for attempt := 0; ; attempt++ {
		if err := s.limit.Wait(ctx); err != nil {
			return false, time.Time{} // shutting down; the row is picked up again later
		}
		err := render(ctx, s.api, r)
		if err == nil {
			s.metrics.sent.Inc()
			return true, time.Time{}
		}
		code := errorCode(err)
		s.metrics.sendErrors.Inc(code)
		var tooMany *tg.TooManyRequestsError
		switch {
		case errors.As(err, &tooMany):
			// Wait exactly as long as Telegram asks: here, or by putting
			// the message off that long.
			wait := time.Duration(tooMany.RetryAfter) * time.Second
			if waitInPlace && wait <= maxInlineWait && attempt < 5 {
				if s.sleep(ctx, wait) != nil {
					return false, time.Time{}
				}
				continue
			}
			later = time.Now().Add(wait)
			s.finish(ctx, s.outbox.Retry(ctx, m.ID, later, err.Error()))
		case errors.Is(err, tg.ErrorForbidden):
			// Blocked by the user: keep the data, stop sending.
			s.log.Info("chat unreachable", "chat", m.ChatID)
			s.finish(ctx, s.outbox.MarkUnreachable(ctx, m.ChatID))
			s.finish(ctx, s.outbox.Drop(ctx, m.ID, err.Error()))
		case errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified"):
			return true, time.Time{}
		case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorUnauthorized):
			s.log.Error("telegram refused message", "chat", m.ChatID, "id", m.ID, "err", err)
			s.finish(ctx, s.outbox.Drop(ctx, m.ID, err.Error()))
		default:
			if ctx.Err() != nil {
				return false, time.Time{}
			}
			if m.Attempts >= maxAttempts {
				s.log.Error("giving up on message", "chat", m.ChatID, "id", m.ID, "err", err)
				s.finish(ctx, s.outbox.Drop(ctx, m.ID, err.Error()))
				return false, time.Time{}
			}
			later = time.Now().Add(time.Duration(1<<min(m.Attempts, 8)) * time.Second)
			s.finish(ctx, s.outbox.Retry(ctx, m.ID, later, err.Error()))
		}
		return false, later
	}
}

func (s *Sender) finish(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		s.log.Error("update outbox", "err", err)
	}
}

// errorCode names a send error for metrics.
func errorCode(err error) string {
	var tooMany *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		return "429"
	case errors.Is(err, tg.ErrorForbidden):
		return "403"
	case errors.Is(err, tg.ErrorBadRequest):
		return "400"
	case errors.Is(err, tg.ErrorUnauthorized):
		return "401"
	case errors.Is(err, tg.ErrorNotFound):
		return "404"
	case errors.Is(err, tg.ErrorConflict):
		return "409"
	}
	return "network"
}

// isGoneMessage reports an edit that failed because the message cannot be
// edited any more; the reply is then sent as a new message.
func isGoneMessage(err error) bool {
	if err == nil || !errors.Is(err, tg.ErrorBadRequest) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "message to edit not found") ||
		strings.Contains(msg, "message can't be edited") ||
		strings.Contains(msg, "there is no text in the message")
}
