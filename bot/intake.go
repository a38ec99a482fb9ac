package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/loyaltybot/loyaltybot/domain"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// Poll long-polls getUpdates until ctx ends. go-telegram/bot's own poller
// confirms an update as soon as it is queued in memory, which loses it if
// the process dies; here the offset moves past an update only after Accept
// has stored it, or set it aside when it cannot be stored.
func (b *Bot) Poll(ctx context.Context) error {
	if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("delete webhook before polling: %w", err)
	}
	client := &http.Client{Timeout: b.cfg.PollTimeout + 10*time.Second}
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			if sleepCtx(ctx, backoff) != nil {
				break
			}
		}
		raws, err := b.getUpdates(ctx, client, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.log.Error("getUpdates", "err", err)
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			var wait *retryAfter
			if errors.As(err, &wait) {
				backoff = max(backoff, wait.d) // Telegram said how long
			}
			continue
		}
		backoff = 0
		next, err := b.acceptBatch(ctx, raws)
		if errors.Is(err, errBatch) {
			next, err = b.acceptEach(ctx, raws)
		}
		if next > 0 {
			offset = next
		}
		if err != nil {
			// Not kept at all (the database is away): do not confirm
			// it; Telegram sends it again.
			b.log.Error("store update", "err", err)
			backoff = time.Second
		}
	}
	return nil
}

// errBatch sends a getUpdates answer the batch cannot take down the
// one-by-one path: an update without a readable chat, which acceptEach
// sets aside on its own.
var errBatch = errors.New("batch needs the one-by-one path")

// acceptBatch stores a getUpdates answer in one statement, one commit for
// up to 100 updates instead of one each (the poller would otherwise wait
// for a disk flush per update, and every chat behind it), then queues the
// new ones in order. The flood limit drops what it drops before any
// write, as accept does. A payload the database refuses makes it store
// that answer one update at a time, setting the bad one aside. It
// returns the offset that confirms them all.
func (b *Bot) acceptBatch(ctx context.Context, raws []json.RawMessage) (int64, error) {
	if len(raws) < 2 {
		return 0, errBatch
	}
	heads := make([]head, len(raws))
	us := make([]domain.RawUpdate, len(raws))
	for i, received := range raws {
		raw := stripNUL(received)
		h, err := readHead(raw)
		if h.updateID == 0 || err != nil {
			return 0, errBatch
		}
		heads[i], us[i] = h, domain.RawUpdate{UpdateID: h.updateID, ChatID: h.chatID, Payload: h.stored(raw)}
	}
	last := us[0].UpdateID
	var keep []queued
	var kept []json.RawMessage // as received, for a dead letter
	for i, h := range heads {
		last = max(last, h.updateID)
		v := admit
		if !h.member {
			v = b.flood.verdictOf(h.updateID, h.chatID, b.cfg.Now())
		}
		if v == drop { // see accept
			b.m.flooded.Inc()
			if h.callbackID != "" {
				b.answerLater(h.chatID, h.callbackID)
			}
			continue
		}
		keep = append(keep, queued{u: us[i], verdict: v})
		kept = append(kept, raws[i])
	}
	if len(keep) == 0 {
		return last + 1, nil
	}
	batch := make([]domain.RawUpdate, len(keep))
	for i, q := range keep {
		batch[i] = q.u
	}
	fresh, err := b.cfg.Store.SaveUpdates(ctx, batch)
	if errors.Is(err, domain.ErrInvalid) {
		return b.saveEach(ctx, keep, kept, last)
	}
	if err != nil {
		b.unstored(keep)
		return 0, err
	}
	for i, q := range keep {
		if fresh[i] {
			b.dispatch(q)
		} else {
			b.m.duplicates.Inc()
		}
	}
	return last + 1, nil
}

// unstored remembers the flood verdicts of updates not stored, for their
// next delivery (floodGate.verdictOf).
func (b *Bot) unstored(qs []queued) {
	if len(qs) == 0 {
		return
	}
	ids, vs := make([]int64, len(qs)), make([]verdict, len(qs))
	for i, q := range qs {
		ids[i], vs[i] = q.u.UpdateID, q.verdict
	}
	b.flood.unstored(ids, vs)
}

// saveEach stores a batch's updates one by one, their flood verdicts
// already taken, setting aside (with the bytes as received) a payload the
// database refuses. On an error it confirms only what came before.
func (b *Bot) saveEach(ctx context.Context, keep []queued, received []json.RawMessage, last int64) (int64, error) {
	var offset int64
	for i, q := range keep {
		fresh, err := b.cfg.Store.SaveUpdate(ctx, q.u.UpdateID, q.u.ChatID, q.u.Payload)
		switch {
		case errors.Is(err, domain.ErrInvalid):
			dead := domain.RawUpdate{UpdateID: q.u.UpdateID, ChatID: q.u.ChatID, Payload: received[i]}
			if err := b.deadLetter(ctx, dead, err.Error()); err != nil {
				return offset, err
			}
		case err != nil:
			b.unstored(keep[i:])
			return offset, fmt.Errorf("update %d: %w", q.u.UpdateID, err)
		case fresh:
			b.dispatch(q)
		default:
			b.m.duplicates.Inc()
		}
		offset = q.u.UpdateID + 1
	}
	return last + 1, nil
}

// acceptEach stores and queues updates one by one, stopping at the first
// that cannot be kept at all. It returns the offset past the last one
// stored or set aside (0: none).
func (b *Bot) acceptEach(ctx context.Context, raws []json.RawMessage) (int64, error) {
	var offset int64
	for _, raw := range raws {
		id, err := b.accept(ctx, raw)
		if errors.Is(err, errUndecodable) {
			b.log.Error("undecodable update", "err", err)
			continue
		}
		if err != nil {
			return offset, fmt.Errorf("update %d: %w", id, err)
		}
		offset = id + 1
	}
	return offset, nil
}

// getUpdates asks for the updates after offset. Its errors never quote
// the request URL as it is: the token is part of it.
func (b *Bot) getUpdates(ctx context.Context, c *http.Client, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(b.cfg.PollTimeout / time.Second), "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.api.base+"getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New(redact(err.Error(), b.cfg.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL, b.cfg.Token)
		}
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode getUpdates (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		err := fmt.Errorf("getUpdates: HTTP %d: %s", resp.StatusCode, r.Description)
		if r.Parameters.RetryAfter > 0 {
			return nil, &retryAfter{d: time.Duration(r.Parameters.RetryAfter) * time.Second, err: err}
		}
		return nil, err
	}
	return r.Result, nil
}

// retryAfter is a refusal that says how long to wait (a 429's
// parameters.retry_after): polling again sooner only earns another.
type retryAfter struct {
	d   time.Duration
	err error
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }

// errUndecodable marks a body without a readable update_id: nothing can
// confirm or set aside such a thing (Telegram never sends one).
var errUndecodable = errors.New("decode update")

// Accept stores a raw update and queues it for handling. It returns only
// once the update is safely in Postgres, or set aside in the dead letters
// when Postgres cannot hold it, so the caller may then confirm it to
// Telegram (next getUpdates offset, or a 200 to the webhook). It fails when
// the update could not be kept at all (the database is away: Telegram
// delivers it again), or has no update_id (errUndecodable).
func (b *Bot) Accept(ctx context.Context, raw []byte) error {
	_, err := b.accept(ctx, raw)
	return err
}

func (b *Bot) accept(ctx context.Context, received []byte) (int64, error) {
	raw := stripNUL(received)
	h, err := readHead(raw)
	id, chat := h.updateID, h.chatID
	if id == 0 {
		return 0, fmt.Errorf("%w: %w", errUndecodable, err)
	}
	v := admit
	if err == nil && !h.member {
		v = b.flood.verdictOf(id, chat, b.cfg.Now())
	}
	if v == drop {
		// Over the chat's limit, and told so already: not stored, no
		// transaction, no flow; a tap is answered (so it stops spinning)
		// when its chat's worker has room. A flood costs a map lookup and
		// a JSON head per update.
		b.m.flooded.Inc()
		if h.callbackID != "" {
			b.answerLater(chat, h.callbackID)
		}
		return id, nil
	}
	// A dead letter keeps the bytes exactly as they came.
	dead := domain.RawUpdate{UpdateID: id, ChatID: chat, Payload: received}
	if err != nil {
		return id, b.deadLetter(ctx, dead, "undecodable: "+err.Error())
	}
	raw = h.stored(raw)
	fresh, behind, err := b.saver.save(ctx, domain.RawUpdate{UpdateID: id, ChatID: chat, Payload: raw})
	if errors.Is(err, domain.ErrInvalid) {
		return id, b.deadLetter(ctx, dead, err.Error())
	}
	if err != nil {
		b.flood.unstored([]int64{id}, []verdict{v})
		return id, err
	}
	if !fresh {
		b.m.duplicates.Inc()
		return id, nil
	}
	if !b.dispatch(queued{u: domain.RawUpdate{UpdateID: id, ChatID: chat, Payload: raw}, verdict: v, alone: !behind}) {
		// Shutting down since the delivery came in: stored, but nobody
		// here will handle it, and behind a balancer the next start may
		// be another replica's long before: not confirmed, so Telegram
		// delivers it again (to a replica that handles it: a stored
		// update not handled is fresh again).
		return id, errShuttingDown
	}
	return id, nil
}

// errShuttingDown refuses an update that came in while the bot stops.
var errShuttingDown = errors.New("shutting down")

// deadLetter sets an update aside with the reason, so that it is never
// tried again and blocks nobody; a handled update is left alone.
func (b *Bot) deadLetter(ctx context.Context, u domain.RawUpdate, reason string) error {
	set, err := b.cfg.Store.DeadLetterUpdate(context.WithoutCancel(ctx), u, reason)
	if err != nil {
		b.log.Error("set update aside", "update_id", u.UpdateID, "err", err)
		return err
	}
	if set {
		b.m.dead.Inc()
		b.log.Warn("update set aside", "update_id", u.UpdateID, "chat", u.ChatID, "reason", reason)
	}
	return nil
}

var nulEscape = []byte(`\u0000`)

// stripNUL removes the JSON escape \u0000 (U+0000) from an update's text.
// PostgreSQL holds no NUL in jsonb or text, and a NUL typed by a person
// carries nothing worth keeping; without it the update is stored and
// handled like any other.
func stripNUL(raw []byte) []byte {
	if !bytes.Contains(raw, nulEscape) {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 == len(raw) {
			out = append(out, raw[i])
			continue
		}
		// An escape: a backslash only ever starts one in valid JSON, so
		// "\\u0000" (an escaped backslash, then text) stays as it is.
		if bytes.HasPrefix(raw[i:], nulEscape) {
			i += len(nulEscape) - 1
			continue
		}
		out = append(out, raw[i], raw[i+1])
		i++
	}
	return out
}

// SetWebhook registers url with Telegram, with the secret Telegram echoes
// in every delivery.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: url, SecretToken: secret, AllowedUpdates: allowedUpdates})
	if err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	return nil
}

// maxUpdateSize bounds a webhook body; real updates are a few KiB.
const maxUpdateSize = 1 << 20

// WebhookHandler takes updates from Telegram. Unlike go-telegram/bot's
// handler it refuses a wrong secret with 401 and answers 200 only once the
// update is stored (or set aside, when Postgres cannot hold it), so
// Telegram redelivers anything we failed to keep and nothing we never can.
func (b *Bot) WebhookHandler(secret string) http.Handler {
	b.shared.Store(true)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if b.closing.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateSize))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if _, err := b.accept(r.Context(), raw); err != nil {
			if errors.Is(err, errUndecodable) {
				http.Error(w, "bad update", http.StatusBadRequest)
				return
			}
			if errors.Is(err, errShuttingDown) {
				http.Error(w, "shutting down", http.StatusServiceUnavailable)
				return
			}
			b.log.Error("store webhook update", "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
