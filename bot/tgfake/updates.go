package tgfake

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// queued is an update waiting to be delivered.
type queued struct {
	id      int64
	chat    int64 // its chat: a webhook gets a chat's updates one at a time
	body    []byte
	resent  bool // a Resend copy: delivered once even below the offset
	sent    bool // handed out by getUpdates, not yet confirmed
	posting bool // being posted to the webhook
}

// logged is a queued update as Resend copies it.
type logged struct {
	chat int64
	body []byte
}

type webhook struct {
	url, secret   string
	maxConns      int // deliveries at once (setWebhook's max_connections)
	lastErrorDate int64
	lastErrorMsg  string
}

// Telegram's bounds for a webhook's max_connections.
const (
	defaultMaxConns = 40
	maxMaxConns     = 100
)

// enqueue queues a new update of chat, written by encode with its id,
// and returns the id. Caller holds mu.
func (s *Server) enqueue(chat int64, encode func(b []byte, id int64) []byte) int64 {
	s.nextUpdate++
	id := s.nextUpdate
	body := encode(nil, id)
	if s.keep == 0 {
		s.sentLog[id] = logged{chat: chat, body: body}
	}
	s.pending = append(s.pending, &queued{id: id, chat: chat, body: body})
	s.bump()
	return id
}

// Resend queues an identical copy of an earlier update (same update_id), as
// Telegram does when it is unsure the first delivery arrived: the bot must
// not act twice. The copy is delivered even though the offset has moved past
// it. It panics on an update id the server never queued, a test bug.
func (s *Server) Resend(updateID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.sentLog[updateID]
	if !ok {
		panic(fmt.Sprintf("tgfake: Resend(%d): no such update", updateID))
	}
	s.pending = append(s.pending, &queued{id: updateID, chat: l.chat, body: l.body, resent: true})
	s.bump()
}

// confirm drops the updates the offset acknowledges. Caller holds mu.
func (s *Server) confirm(offset int64) {
	if offset <= 0 {
		return
	}
	n := len(s.pending)
	s.pending = slices.DeleteFunc(s.pending, func(q *queued) bool {
		return q.id < offset && (!q.resent || q.sent)
	})
	if len(s.pending) != n {
		s.bump()
	}
}

// batch picks what one getUpdates answer carries. A resent copy travels
// alone: the client sets its offset from the last update of a batch, and an
// old id in the middle would make it confirm too little. Caller holds mu.
func (s *Server) batch(limit int) []json.RawMessage {
	var out []json.RawMessage
	for _, q := range s.pending {
		if len(out) == limit || (q.resent && len(out) > 0) || q.posting {
			break
		}
		q.sent = true
		out = append(out, q.body)
		if q.resent {
			break
		}
	}
	return out
}

func (s *Server) getUpdates(q *request) (any, error) {
	limit := int(q.int64("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := time.Duration(q.int64("timeout")) * time.Second
	s.mu.Lock()
	if s.hook.url != "" {
		s.mu.Unlock()
		return nil, errConflict
	}
	s.confirm(q.int64("offset"))
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(q.r.Context(), timeout)
	defer cancel()
	var out []json.RawMessage
	s.waitChange(ctx, func() bool {
		if s.hook.url == "" {
			out = s.batch(limit)
		}
		return len(out) > 0
	})
	if out == nil {
		out = []json.RawMessage{}
	}
	return out, nil
}

func (s *Server) setWebhook(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns := int(q.int64("max_connections"))
	if conns <= 0 {
		conns = defaultMaxConns
	}
	s.hook = webhook{url: q.str("url"), secret: q.str("secret_token"), maxConns: min(conns, maxMaxConns)}
	if q.bool("drop_pending_updates") {
		s.pending = nil
	}
	for _, p := range s.pending {
		p.sent = false
	}
	s.bump()
	return true, nil
}

func (s *Server) deleteWebhook(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = webhook{}
	if q.bool("drop_pending_updates") {
		s.pending = nil
	}
	s.bump()
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{
		"url": s.hook.url, "has_custom_certificate": false,
		"pending_update_count": len(s.pending), "max_connections": cmp.Or(s.hook.maxConns, defaultMaxConns),
	}
	if s.hook.lastErrorDate != 0 {
		info["last_error_date"] = s.hook.lastErrorDate
		info["last_error_message"] = s.hook.lastErrorMsg
	}
	return info, nil
}

// webhookAttempts and webhookBackoff bound how long one update is retried:
// long enough to ride over a restarting handler, short enough that a test
// with a broken webhook fails fast instead of hanging.
const (
	webhookAttempts = 5
	webhookBackoff  = 20 * time.Millisecond
)

// deliverLoop posts pending updates to the webhook as Telegram's Bot API
// server does: up to the webhook's max_connections at once, a chat's
// updates one at a time and in order (its next one goes once the webhook
// answered the previous one, or it was given up on), other chats'
// alongside. An update the webhook keeps refusing is dropped after
// webhookAttempts, as Telegram eventually does, and the error shows in
// getWebhookInfo.
func (s *Server) deliverLoop() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.done
		cancel()
	}()
	// Connections are kept for every delivery at once, as Telegram keeps
	// them open; the default transport keeps two and would dial the rest
	// anew for every update.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: maxMaxConns, IdleConnTimeout: time.Minute,
	}}
	defer client.CloseIdleConnections()
	var posting sync.WaitGroup
	defer posting.Wait()
	for {
		s.mu.Lock()
		hook, ch := s.hook, s.changed
		var next []*queued
		if hook.url != "" {
			next = s.deliverable(cmp.Or(hook.maxConns, defaultMaxConns))
		}
		s.mu.Unlock()
		for _, q := range next {
			posting.Go(func() {
				err := postUpdate(ctx, client, hook, q.body)
				if ctx.Err() != nil {
					return
				}
				s.mu.Lock()
				defer s.mu.Unlock()
				q.posting = false
				s.pending = slices.DeleteFunc(s.pending, func(p *queued) bool { return p == q })
				if err != nil {
					s.hook.lastErrorDate, s.hook.lastErrorMsg = time.Now().Unix(), err.Error()
				}
				s.bump()
			})
		}
		select {
		case <-ch:
		case <-s.done:
			return
		}
	}
}

// deliverable marks for posting the updates that may go now: each chat's
// first pending update, unless it is being posted already, in queue
// order, up to conns posted at once. Like Telegram, it looks only at the
// first 2×conns pending updates. Caller holds mu.
func (s *Server) deliverable(conns int) []*queued {
	window := s.pending[:min(len(s.pending), 2*conns)]
	busy := 0
	for _, q := range window {
		if q.posting {
			busy++
		}
	}
	var out []*queued
	seen := make(map[int64]bool, len(window))
	for _, q := range window {
		if busy >= conns {
			break
		}
		if seen[q.chat] {
			continue // an earlier update of its chat goes first
		}
		seen[q.chat] = true
		if !q.posting {
			q.posting = true
			busy++
			out = append(out, q)
		}
	}
	return out
}

func postUpdate(ctx context.Context, client *http.Client, hook webhook, body []byte) error {
	var err error
	for i := range webhookAttempts {
		if i > 0 {
			select {
			case <-time.After(webhookBackoff << (i - 1)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err = postOnce(ctx, client, hook, body); err == nil {
			return nil
		}
	}
	return err
}

func postOnce(ctx context.Context, client *http.Client, hook webhook, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// UpdateCount returns how many updates the fake has queued so far (a
// Resend copy is not a new one), so a test can check that the bot stored
// every update sent.
func (s *Server) UpdateCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.nextUpdate)
}
