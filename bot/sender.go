package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"golang.org/x/time/rate"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
)

// Telegram allows about 30 messages a second per bot (DESIGN.md §6).
// Telegram counts a message when it arrives and the sender when it goes:
// one held up on the way arrives next to later ones. A burst of a third
// of a second's messages, below Telegram's (about a second's), leaves its
// bucket two thirds of a second of slack: the sender keeps its full rate
// and meets no 429 of its own making (BenchmarkSenderRate).
const (
	globalRate  = 30
	globalBurst = globalRate / 3
	maxAttempts = 10
	// claimHold is a sender's lease on an outbox row. A send is cut off at
	// sendTimeout, well inside it, and starts only while less than half
	// the lease has run and it has that much and leaseSlack left (renewed
	// first otherwise, see leased), so no other sender takes a row whose
	// send may still be under way.
	claimHold   = time.Minute
	sendTimeout = 20 * time.Second
	// exportTimeout is the longer cut-off of an export, which uploads as
	// the database reads: still well inside claimHold.
	exportTimeout = 50 * time.Second
	claimBatch    = 50
	// sendParallel is how many chats the background sender serves at
	// once. One request at a time caps a bot at 1/RTT messages a second:
	// about 10/s at Telegram's 100 ms, a third of its limit, and a backlog
	// after a busy hour at the tills never drains. The rate limiter is
	// shared, so pacing is unchanged; each chat still gets its messages
	// one after another, in order.
	sendParallel = 8
)

// Sender delivers outbox messages. The process that wrote a message sends
// it at once (SendNow); the background loop (Run) takes anything left
// behind by a crash, a 429 or a scheduled nudge, on any replica. Neither
// ever waits for Telegram in place: a 429 puts the chat's message off in
// the outbox (retry_at) and the sender goes on with other chats, while the
// outbox keeps that chat's later messages behind it.
type Sender struct {
	api     *Telegram
	outbox  domain.Outbox
	log     *slog.Logger
	metrics *Metrics
	limit   *rate.Limiter
	kick    chan struct{}
	export  Exporter
	// docLimit is the largest export file sent as it is (render).
	docLimit int64
	// sign signs a reply's stateless buttons for the chat it goes to
	// (flows.Engine.SignButtons); nil sends them as stored.
	sign func(flows.Reply) flows.Reply
	// waiting holds the chats (int64) with a message given back behind
	// one this process's senders hold: whoever sends that one serves the
	// chat on (followUp).
	waiting sync.Map
	// tooMany remembers the last 429 (its chat and the end of its wait)
	// to tell a chat's flood limit from the bot's: see noteTooMany.
	tooMany struct {
		sync.Mutex
		chat  int64
		until time.Time
	}
	// pausedUntil (Unix nanoseconds) is the end of a bot-wide wait: no
	// message goes before it (paused).
	pausedUntil atomic.Int64
}

// noteTooMany records Telegram's 429 for chat with its wait. Telegram
// does not say whether a 429 is the chat's limit (about one message a
// second) or the bot's (about thirty): a second chat told to wait while
// another chat's wait still runs is the bot's, and then every chat
// waits, rather than each meeting its own 429 in turn (a broadcast's
// thousands of chats put off one by one, every refused request counting
// against the bot again).
func (s *Sender) noteTooMany(chat int64, wait time.Duration) {
	now := time.Now()
	until := now.Add(wait)
	t := &s.tooMany
	t.Lock()
	defer t.Unlock()
	if t.chat != 0 && t.chat != chat && t.until.After(now) {
		// The wait is what Telegram answered last: the other chat's
		// own wait (a group's hour) stays that chat's, lest one group's
		// limit silence every chat for as long.
		end := until
		for {
			old := s.pausedUntil.Load()
			if old >= end.UnixNano() || s.pausedUntil.CompareAndSwap(old, end.UnixNano()) {
				break
			}
		}
		s.log.Warn("telegram asks the bot to wait", "seconds", time.Until(end).Seconds())
	}
	if until.After(t.until) || t.chat != chat {
		t.chat, t.until = chat, until
	}
}

// paused is what is left of a bot-wide wait (noteTooMany), or 0.
func (s *Sender) paused() time.Duration {
	if d := time.Until(time.Unix(0, s.pausedUntil.Load())); d > 0 {
		return d
	}
	return 0
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
func NewSender(api *Telegram, outbox domain.Outbox, log *slog.Logger, m *Metrics) *Sender {
	return &Sender{
		api: api, outbox: steadyOutbox{outbox}, log: log, metrics: m,
		limit:    rate.NewLimiter(globalRate, globalBurst),
		kick:     make(chan struct{}, 1),
		docLimit: DefaultDocumentLimit,
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

// SendHeld delivers the replies a worker wrote and holds (see
// domain.OutboxWriter.Hold), in order. It runs in a chat's worker, which
// serves other chats too, so it never waits: what cannot go now is left
// to the background sender. The worker has the rows it wrote, so nothing
// is read back; a reply that was first in its chat when written goes out
// without renewing the lease while the lease has more than half to run
// (two statements a reply fewer), the others after a renewal (Take), which
// also checks that the chat's earlier messages went.
//
// A reply behind messages of its chat still waiting for the background
// sender (a purchase notice, a badge, a feedback request) takes them
// along, in order (ClaimChat), rather than wait for the background
// sender's rounds: under load a person's answer queued behind their own
// notices for seconds.
func (s *Sender) SendHeld(ctx context.Context, ms []domain.OutMessage, since time.Time) {
	if len(ms) == 0 {
		return
	}
	fresh := time.Since(since) < domain.HoldLease/2
	out := make([]domain.OutMessage, 0, len(ms))
	behind := map[int64]bool{}
	for _, m := range ms {
		if !fresh {
			m.Held = false
		}
		if !m.Held && !behind[m.ChatID] {
			behind[m.ChatID] = true
			earlier, err := s.outbox.ClaimChat(ctx, m.ChatID, m.ID, claimHold)
			s.finish(ctx, err)
			out = append(out, earlier...)
		}
		out = append(out, m)
	}
	s.deliverAll(ctx, out)
}

// SendLost sends the replies that attempts whose COMMIT's answer was lost
// held: written with the COMMIT, their ids never came back, so each
// chat's rows are found by the attempt's lease (Outbox.Held), and sent as
// if their hold had gone stale (see SendHeld). An attempt that did not
// land wrote nothing to find.
func (s *Sender) SendLost(ctx context.Context, ms []domain.OutMessage) {
	type key struct {
		chat  int64
		lease int64
	}
	seen := map[key]bool{}
	var found []domain.OutMessage
	for _, m := range ms {
		k := key{m.ChatID, m.Lease.UnixMicro()}
		if m.Lease.IsZero() || seen[k] {
			continue
		}
		seen[k] = true
		rows, err := s.outbox.Held(ctx, m.ChatID, m.Lease)
		s.finish(ctx, err)
		found = append(found, rows...)
	}
	s.SendHeld(ctx, found, time.Time{})
}

// deliverChats sends a claimed batch, up to sendParallel chats at a time,
// each chat's messages in order (deliverAll), and reports how many went
// out.
func (s *Sender) deliverChats(ctx context.Context, ms []domain.OutMessage) int {
	var chats [][]domain.OutMessage
	at := map[int64]int{}
	for _, m := range ms {
		i, ok := at[m.ChatID]
		if !ok {
			i = len(chats)
			at[m.ChatID] = i
			chats = append(chats, nil)
		}
		chats[i] = append(chats[i], m)
	}
	if len(chats) <= 1 {
		return s.deliverAll(ctx, ms)
	}
	var (
		wg   sync.WaitGroup
		sent atomic.Int64
		sem  = make(chan struct{}, sendParallel)
	)
	for _, c := range chats {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			sent.Add(int64(s.deliverAll(ctx, c)))
		}()
	}
	wg.Wait()
	return int(sent.Load())
}

// outcome is what became of one message.
type outcome int

const (
	delivered outcome = iota + 1
	dropped           // given up on; the chat's next message may go
	pending           // put off, taken over or not first in its chat: the chat's next ones wait
	blocked           // the person blocked the bot: the chat's next ones are dropped too
)

// deliverAll sends ms in order and reports how many went out. Once one of
// a chat's messages stays pending, it and the chat's later ones here are
// given back for the background sender, which sends them in order. Then
// each chat is followed up (followUp): a chat stopped behind a message
// someone else holds leaves word for them, and a chat served here is
// served on while another sender's word for it is waiting.
func (s *Sender) deliverAll(ctx context.Context, ms []domain.OutMessage) int {
	n, stopped := s.deliverInOrder(ctx, ms)
	if ctx.Err() != nil {
		return n
	}
	var chats []int64
	seen := map[int64]bool{}
	for _, m := range ms {
		if !seen[m.ChatID] {
			seen[m.ChatID] = true
			chats = append(chats, m.ChatID)
		}
	}
	for _, chat := range chats {
		if o := stopped[chat]; o != blocked {
			n += s.followUp(ctx, chat, o == pending)
		}
	}
	return n
}

// deliverInOrder is deliverAll without the follow-ups: it reports how
// many went out and the chats stopped (pending or blocked).
func (s *Sender) deliverInOrder(ctx context.Context, ms []domain.OutMessage) (int, map[int64]outcome) {
	n := 0
	stopped := map[int64]outcome{}
	var release []domain.OutMessage
	for _, m := range ms {
		switch stopped[m.ChatID] {
		case pending:
			release = append(release, m)
			continue
		case blocked:
			s.finish(ctx, s.outbox.Drop(ctx, m, "blocked"))
			continue
		}
		if ctx.Err() != nil {
			release = append(release, m)
			continue
		}
		switch o := s.deliver(ctx, m); o {
		case delivered:
			n++
		case pending:
			stopped[m.ChatID] = o
			// Word for the holder is left before the message is given
			// back (followUp leaves it again): a holder that finishes the
			// moment the row is free serves the chat on, rather than the
			// next background claim taking it among the others.
			s.waiting.Store(m.ChatID, struct{}{})
			release = append(release, m) // a no-op unless the lease is still ours
		case blocked:
			stopped[m.ChatID] = o
		}
	}
	s.finish(ctx, s.outbox.Release(context.WithoutCancel(ctx), release))
	return n, stopped
}

// maxFollowUps bounds how many times one call serves a chat on.
const maxFollowUps = 4

// followUp serves a chat on after deliverAll is done with it, so that a
// reply given back behind a message another sender holds (the background
// sender's purchase notice, leased in its batch) goes right after that
// message instead of at the end of the background sender's queue: under
// load that queue ran 15–20 s behind, and so did the reply.
//
// stuck says a message of the chat stayed pending: an earlier one is
// held elsewhere (or put off). The chat's word is left in waiting for the
// holder, which follows up when its send is done; then the chat is looked
// at once more, since the holder may have finished before the word was
// left (its mark sent then precedes this look). A chat not stuck is
// served on only if word for it was waiting. Word left for a holder in
// another replica waits for this process's next send to the chat; the
// background sender's rounds send the reply meanwhile.
func (s *Sender) followUp(ctx context.Context, chat int64, stuck bool) int {
	n := 0
	for range maxFollowUps {
		if stuck {
			s.waiting.Store(chat, struct{}{})
		} else if _, ok := s.waiting.LoadAndDelete(chat); !ok {
			return n
		}
		ms, err := s.outbox.ClaimChat(ctx, chat, math.MaxInt64, claimHold)
		s.finish(ctx, err)
		if len(ms) == 0 {
			return n // stuck: the word stays for the holder
		}
		if stuck {
			s.waiting.Delete(chat) // served here now; looked at again below
		}
		got, stopped := s.deliverInOrder(ctx, ms) // gives them back if ctx ended
		n += got
		switch {
		case ctx.Err() != nil, stopped[chat] == blocked:
			return n
		default:
			stuck = stopped[chat] == pending
		}
	}
	return n
}

// Run claims due rows until ctx ends. A claim holds at most one message
// per chat (the first pending), so it goes again at once after a batch
// that delivered something: those chats may have their next message due.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			ms, err := s.outbox.Claim(ctx, claimBatch, claimHold)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("claim outbox", "err", err)
				}
				break
			}
			if s.deliverChats(ctx, ms) == 0 && len(ms) < claimBatch {
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

// deliver sends one leased message, after renewing the lease unless it
// is fresh (see leased); a message that went out is marked sent at once,
// before the next send, so a crash later resends nothing that was
// delivered.
func (s *Sender) deliver(ctx context.Context, m domain.OutMessage) outcome {
	if m.Moved {
		// Its card moved while a sender that is gone held it: it was not
		// shown in the old chat and goes to the new one (Release), not
		// to the account the card left; the old chat's next ones may go.
		s.finish(ctx, s.outbox.Release(context.WithoutCancel(ctx), []domain.OutMessage{m}))
		s.Kick()
		return dropped
	}
	r, ok := m.Decoded.(flows.Reply) // a held reply, as its worker wrote it
	if !ok {
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			s.log.Error("decode outbox row", "id", m.ID, "err", err)
			s.finish(ctx, s.outbox.Drop(ctx, m, "undecodable"))
			return dropped
		}
	}
	if s.sign != nil {
		// Signed here, where the chat is certain: the chat the message
		// goes to, whether a flow wrote it or a broadcast's SQL did.
		r = s.sign(r)
	}
	timeout := sendTimeout
	if r.Export != nil {
		timeout = exportTimeout
	}
	if wait := s.paused(); wait > 0 {
		// Telegram asked the whole bot to wait: the message waits it out
		// in the outbox, as after its own 429, rather than be refused too.
		s.finish(ctx, s.outbox.Throttle(ctx, m, wait, "the bot was asked to wait"))
		return pending
	}
	if !s.leased(ctx, &m, timeout) {
		return pending
	}
	// The rate limit is taken last, right before the request, so what
	// Telegram sees is paced as the limiter paced it (a database round
	// trip in between would bunch requests up).
	if err := s.limit.Wait(ctx); err != nil {
		return pending // shutting down; the lease is given back
	}
	if !s.leased(ctx, &m, timeout) { // the wait ate into the lease: renewed after all
		return pending
	}
	// A request under way is not cut off by a shutdown: it finishes (or
	// times out) and is marked, so a graceful stop never leaves a message
	// that Telegram took unmarked, to be sent again after the restart.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	err := render(sendCtx, s.api, r, s.export, s.docLimit)
	cancel()
	if err == nil || isNotModified(err) {
		if err == nil {
			s.metrics.sent.Inc()
		}
		s.finish(ctx, s.outbox.MarkSent(context.WithoutCancel(ctx), m.ID))
		return delivered
	}
	return s.failed(ctx, m, err)
}

// leaseSlack is what a lease must have left beyond a send's cut-off for
// the send to go without renewing it.
const leaseSlack = 5 * time.Second

// leased says whether m may be sent now, its lease outlasting a send cut
// off at timeout. A fresh held reply's lease does while its own lease
// has the send and leaseSlack to run (see SendHeld), and so
// does a claim's with less than half of it run, as a held reply's, and
// enough left for the send (LeasedAt): nobody else can take the row
// before it runs out, and its chat's earlier messages were sent when it
// was claimed, or by this sender, in order, since. Other leases are
// renewed first (Take), which also says whether the row is still ours,
// still there (an erasure deletes the chat's queue) and first in its
// chat. A renewal per claimed message was a transaction and a WAL flush
// of its own: with every purchase's notice sent by the background
// sender, PostgreSQL's CPU per update under the chat load was 10 % higher
// with it (simultaneous runs).
func (s *Sender) leased(ctx context.Context, m *domain.OutMessage, timeout time.Duration) bool {
	if m.Held && time.Until(m.Lease) > timeout+leaseSlack {
		// Its own wall-clock lease: a reply after slow ones in the same
		// round is renewed (Take) rather than started late in its lease.
		return true
	}
	if run := time.Since(m.LeasedAt); !m.LeasedAt.IsZero() && run < claimHold/2 && run+timeout+leaseSlack < claimHold {
		return true
	}
	asked := time.Now()
	ok, err := s.outbox.Take(ctx, *m, claimHold)
	if err != nil || !ok {
		s.finish(ctx, err)
		return false
	}
	m.LeasedAt = asked
	return true
}

// failed decides what becomes of a message Telegram did not take.
func (s *Sender) failed(ctx context.Context, m domain.OutMessage, err error) outcome {
	s.metrics.sendErrors.WithLabelValues(errorCode(err)).Inc()
	var tooMany *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		// Wait exactly as long as Telegram asks, this chat alone: the
		// message stays first in its chat, so the chat's later messages
		// wait behind it while every other chat goes on.
		wait := time.Duration(tooMany.RetryAfter) * time.Second
		s.noteTooMany(m.ChatID, wait)
		s.finish(ctx, s.outbox.Throttle(ctx, m, wait, err.Error())) // Telegram's pace: no failure of the message's
		return pending
	case errors.Is(err, tg.ErrorForbidden):
		// Blocked by the user: keep the data, stop sending.
		s.log.Info("chat unreachable", "chat", m.ChatID)
		s.finish(ctx, s.outbox.MarkUnreachable(ctx, m.ChatID))
		s.finish(ctx, s.outbox.Drop(ctx, m, "blocked: "+err.Error()))
		return blocked
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorUnauthorized),
		errors.Is(err, errExportTooLarge): // the same file would be as large again
		s.log.Error("telegram refused message", "chat", m.ChatID, "id", m.ID, "err", err)
		s.finish(ctx, s.outbox.Drop(ctx, m, err.Error()))
		return dropped
	case ctx.Err() != nil:
		return pending // shutting down mid-send
	case m.Failures >= maxAttempts:
		s.log.Error("giving up on message", "chat", m.ChatID, "id", m.ID, "err", err)
		s.finish(ctx, s.outbox.Drop(ctx, m, err.Error()))
		return dropped
	}
	backoff := time.Duration(1<<min(max(m.Failures, 0), 8)) * time.Second
	s.finish(ctx, s.outbox.PutOff(ctx, m, backoff, err.Error()))
	return pending
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

// isNotModified reports an edit that changed nothing: the message already
// shows what was to be sent.
func isNotModified(err error) bool {
	return errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
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
