package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// play is the running playground: what its own endpoints need. They are
// served by the playground only, never by serve: the clock control and
// the panel show any customer's rows to whoever opens the page.
type play struct {
	a     *app
	clock *playClock
	fake  *tgfake.Server
	loc   *time.Location

	digest cron.Schedule // the evening digest's ticks, where walk stops (nil: nowhere)
}

// routes adds the playground's endpoints under /api/play.
func (p *play) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/play", p.info)
	mux.HandleFunc("POST /api/play/clock", p.advance)
	mux.HandleFunc("GET /api/play/chats/{id}", p.inspect)
}

type playStore struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Link string `json:"link"` // the register poster's deep link
}

func (p *play) clockView() map[string]string {
	t := p.clock.Time().In(p.loc)
	return map[string]string{"now": t.Format(time.RFC3339), "zone": p.loc.String()}
}

// info tells the page what to offer: the business clock, the stores'
// posters and who the staff panes are.
func (p *play) info(w http.ResponseWriter, _ *http.Request) {
	stores := []playStore{}
	for _, s := range p.a.biz.Stores {
		stores = append(stores, playStore{Code: s.Code, Name: s.Name,
			Link: "https://t.me/" + playgroundBot + "?start=" + "s_" + s.Code})
	}
	writePlayJSON(w, http.StatusOK, map[string]any{"clock": p.clockView(), "stores": stores,
		"cashier": playgroundCashier, "owner": playgroundOwner, "steps": []string{"1h", "1d", "30d"}})
}

// stepRe is how far the clock may move in one go: hours or days.
var stepRe = regexp.MustCompile(`^([1-9][0-9]{0,3})([hd])$`)

// advance moves the business clock on ({"by": "1h" | "1d" | "30d"}), runs
// at once the jobs that came due in between (nudges, feedback requests,
// expiry, the digest…) instead of waiting for their next tick, and wakes
// the sender for what they queued.
func (p *play) advance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		By string `json:"by"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1024))
	m := stepRe.FindStringSubmatch(func() string { _ = json.Unmarshal(body, &in); return in.By }())
	if m == nil {
		http.Error(w, `want {"by": "1h"}, "1d" or "30d" (hours or days, at most 9999)`, http.StatusBadRequest)
		return
	}
	n, _ := strconv.Atoi(m[1])
	d := time.Duration(n) * time.Hour
	if m[2] == "d" {
		d *= 24
	}
	start := time.Now()
	ran, now, err := p.walk(context.WithoutCancel(r.Context()), d)
	if err != nil {
		p.a.log.Error("playground clock", "err", err)
		http.Error(w, "could not save the clock: "+err.Error(), http.StatusInternalServerError)
		return
	}
	p.a.log.Info("playground clock moved on", "by", in.By, "now", now.In(p.loc).Format(time.DateTime), "jobs", ran,
		"took", time.Since(start).Round(time.Millisecond))
	out := map[string]any{"clock": p.clockView(), "ran": ran}
	writePlayJSON(w, http.StatusOK, out)
}

// playMaxSteps bounds the steps of one move of the clock (walk).
const playMaxSteps = 400

// walk moves the clock on by d, a day at a time (longer steps past
// playMaxSteps), and runs at each step the jobs that came due. One jump
// would run each job once, at the end, when the moments it looks for
// have passed: +30 days would show neither the tips of day 14 nor the
// reminder a week before points expire, only what is due on day 30.
// Within a day one jump is enough: what was due at 10:00 is still due at
// noon. Except for the evening digest, which reports the 24 hours before
// it runs: a step stops at its tick, or run at noon the next day it would
// leave out the ratings given before the clock moved. That stop is one
// more, not a new start: the day steps keep the time of day the walk
// began at, or from 21:00 on every step would land in the nudges' quiet
// hours and each nudge of the month come a day late. It reports the jobs
// that ran, each once, in the order they first did.
func (p *play) walk(ctx context.Context, d time.Duration) ([]string, time.Time, error) {
	step := max(24*time.Hour, d/playMaxSteps)
	ran, seen := []string{}, map[string]bool{}
	var now time.Time
	for left := d; left > 0; {
		by := min(step-(d-left)%step, left)
		if p.digest != nil {
			from := p.clock.Time()
			if tick := p.digest.Next(from.In(p.loc)); tick.Sub(from) > 0 && tick.Sub(from) < by {
				by = tick.Sub(from)
			}
		}
		left -= by
		var err error
		if now, err = p.clock.Advance(by); err != nil {
			return ran, now, err
		}
		for _, j := range p.runDue(ctx, now) {
			if !seen[j] {
				seen[j] = true
				ran = append(ran, j)
			}
		}
		if left > 0 {
			p.settle(ctx)
		}
	}
	return ran, now, nil
}

// playSettle bounds how long a step of walk waits for the sender.
const playSettle = 2 * time.Second

// playStall is how long settle waits for a message to go (a chat gets
// about one a second) before it takes the rest as stuck (one Telegram
// made wait with a 429).
const playStall = 1100 * time.Millisecond

// settle waits, up to playSettle, until the messages due by now are sent:
// the fake dates a message by the clock when it arrives, so a nudge of
// 12:00 sent after the next step would show at that step's time (and
// day). It stops early when none has gone for playStall: a message left
// to wait (a 429) must not cost every step of a year's walk the whole
// playSettle.
func (p *play) settle(ctx context.Context) {
	last, since := -1, time.Now()
	for deadline := time.Now().Add(playSettle); time.Now().Before(deadline); {
		n, err := p.a.db.Outbox().Pending(ctx)
		if err != nil || n == 0 {
			return
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > playStall {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runDue runs the jobs due by now and wakes the sender for what they
// queued.
func (p *play) runDue(ctx context.Context, now time.Time) []string {
	ran := p.a.clocked.RunDue(ctx, now)
	if ran == nil {
		ran = []string{}
	}
	if len(ran) > 0 {
		p.a.bot.Sender().Kick()
	}
	return ran
}

// tick runs, every few seconds of real time, the jobs that came due as
// the business clock moved on by itself.
func (p *play) tick(ctx context.Context) {
	t := time.NewTicker(playgroundTick)
	defer t.Stop()
	for {
		p.runDue(ctx, p.clock.Time())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// inspect is the panel: the customer behind a chat, their ledger and
// nudges, and the chat's outbox.
func (p *play) inspect(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "chat id: "+err.Error(), http.StatusBadRequest)
		return
	}
	in, err := p.a.db.Inspect(r.Context(), id, 30)
	if err != nil {
		p.a.log.Error("playground panel", "chat", id, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writePlayJSON(w, http.StatusOK, struct {
		*postgres.Inspection
		Clock map[string]string `json:"clock"`
	}{in, p.clockView()})
}

func writePlayJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		fmt.Fprintln(w, err)
	}
}
