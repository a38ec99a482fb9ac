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
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// Poll long-polls getUpdates until ctx ends. go-telegram/bot's own poller
// confirms an update as soon as it is queued in memory, which loses it if
// the process dies; here the offset moves past an update only after Accept
// has stored it.
func (b *Bot) Poll(ctx context.Context) error {
	if _, err := b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("delete webhook before polling: %w", err)
	}
	client := &http.Client{Timeout: b.cfg.PollTimeout + 10*time.Second}
	url := strings.TrimRight(b.cfg.APIURL, "/") + "/bot" + b.cfg.Token + "/getUpdates"
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			if sleepCtx(ctx, backoff) != nil {
				break
			}
		}
		raws, err := getUpdates(ctx, client, url, offset, int(b.cfg.PollTimeout/time.Second))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.log.Error("getUpdates", "err", err)
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			continue
		}
		backoff = 0
		for _, raw := range raws {
			id, _, err := chatOf(raw)
			if err != nil {
				b.log.Error("undecodable update", "err", err)
				continue
			}
			if err := b.Accept(ctx, raw); err != nil {
				// Not stored: do not confirm it; Telegram sends it again.
				b.log.Error("store update", "update_id", id, "err", err)
				backoff = time.Second
				break
			}
			offset = id + 1
		}
	}
	return nil
}

func getUpdates(ctx context.Context, c *http.Client, url string, offset int64, timeout int) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": timeout, "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		Description string            `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode getUpdates (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: HTTP %d: %s", resp.StatusCode, r.Description)
	}
	return r.Result, nil
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
// update is stored, so Telegram redelivers anything we failed to keep.
func (b *Bot) WebhookHandler(secret string) http.Handler {
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
		if err := b.Accept(r.Context(), raw); err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) || strings.HasPrefix(err.Error(), "decode update") {
				http.Error(w, "bad update", http.StatusBadRequest)
				return
			}
			b.log.Error("store webhook update", "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
