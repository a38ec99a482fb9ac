package schedule

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Clocked runs the jobs by a business clock that can jump (the
// playground's clock control) instead of cron's wall-clock ticks: RunDue
// runs, once each, the jobs whose spec has a tick in the time passed, so
// moving the clock on by 30 days runs the daily expiry once (at the new
// time), not 30 times. Runs take the same advisory locks as Scheduler,
// and a tick that was missed or failed runs on the next RunDue, as there.
type Clocked struct {
	r    *runner
	jobs []clockedJob

	mu   sync.Mutex // one RunDue at a time: a tick and a clock jump
	last time.Time
}

type clockedJob struct {
	Job
	sched cron.Schedule
}

// NewClocked reads the jobs' specs (in loc, the business's time zone);
// a job never done before looks back from start.
func NewClocked(st domain.Store, loc *time.Location, log *slog.Logger, start time.Time, jobs ...Job) (*Clocked, error) {
	cj, err := parseJobs(jobs)
	if err != nil {
		return nil, err
	}
	return &Clocked{r: newRunner(st, loc, log, start), jobs: cj, last: start}, nil
}

func parseJobs(jobs []Job) ([]clockedJob, error) {
	var out []clockedJob
	for _, j := range jobs {
		s, err := cron.ParseStandard(j.Spec)
		if err != nil {
			return nil, err
		}
		out = append(out, clockedJob{Job: j, sched: s})
	}
	return out, nil
}

// RunDue runs the jobs with a tick at or before now that is not done yet
// (after their last recorded run, or after start for a job never done),
// in the order given, and returns their names. A job that fails is
// logged and stays due; the others still run.
func (c *Clocked) RunDue(ctx context.Context, now time.Time) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Before(c.last) {
		return nil
	}
	c.last = now
	var ran []string
	for _, j := range c.jobs {
		if c.r.run(ctx, j, now, slog.LevelDebug) {
			ran = append(ran, j.Name)
		}
	}
	return ran
}

// runner runs a job when a tick of its spec is due: after the tick its
// last successful run was for (job_runs), or after since for a job with
// none. A run that fails records nothing, so the next check runs it
// again: a Monday report whose 09:00 run failed, or that the bot was
// stopped over, goes out when the bot is back, not a week later. Only the
// latest missed tick runs: a daily job missed for a week runs once. The
// advisory lock and the record make it once across replicas.
type runner struct {
	st    domain.Store
	loc   *time.Location
	log   *slog.Logger
	since time.Time

	mu   sync.Mutex
	done map[string]time.Time // the last tick known done (or since, for a job never run), per job

	// slots bounds the checks that hold their lock at once: each holds a
	// connection for the lock and needs another to read job_runs and run,
	// so the nine jobs checked together each minute would otherwise take
	// all of a pool of 8 and wait for a ninth for good.
	slots chan struct{}
}

// runSlots is how many jobs hold their lock at once (two connections
// each, within the smallest default pool of 8 with room for the chats).
const runSlots = 3

func newRunner(st domain.Store, loc *time.Location, log *slog.Logger, since time.Time) *runner {
	return &runner{st: st, loc: loc, log: log, since: since, done: map[string]time.Time{}, slots: make(chan struct{}, runSlots)}
}

var errNotDue = errors.New("not due")

// run runs j if a tick of it is due by now, and reports whether it ran.
func (r *runner) run(ctx context.Context, j clockedJob, now time.Time, level slog.Level) bool {
	loc := r.loc
	if j.Loc != nil {
		loc = j.Loc
	}
	r.mu.Lock()
	known := r.done[j.Name]
	r.mu.Unlock()
	if !known.IsZero() && j.sched.Next(known.In(loc)).After(now) {
		return false // done here, no need to ask the database
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return false
	}
	start := time.Now()
	ok, err := r.st.TryLock(ctx, j.Name, func(ctx context.Context) error {
		var last time.Time
		if err := r.st.Update(ctx, func(tx domain.Tx) (err error) {
			last, err = tx.LastJobRun(ctx, j.Name)
			return err
		}); err != nil {
			return err
		}
		tick, due := lastTick(j.sched, loc, latest(last, known, r.sinceFor(last)), now)
		if !due {
			// A job never run looks back from since: nothing is due
			// before the tick after it, so the checks until then need
			// neither the lock nor job_runs.
			r.remember(j.Name, latest(last, r.sinceFor(last)))
			return errNotDue
		}
		if err := j.Run(ctx); err != nil {
			return err
		}
		if err := r.st.Update(ctx, func(tx domain.Tx) error {
			if _, err := tx.MarkJobRun(ctx, j.Name, tick, now); err != nil {
				return err
			}
			return tx.ForgetJobRuns(ctx, j.Name, tick)
		}); err != nil {
			return err
		}
		r.remember(j.Name, tick)
		return nil
	})
	switch {
	case errors.Is(err, errNotDue):
		return false
	case err != nil:
		r.log.Error("job failed", "job", j.Name, "err", err)
		return false
	case ok:
		r.log.Log(ctx, level, "job done", "job", j.Name, "took", time.Since(start))
	}
	return ok
}

func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// sinceFor is where a job with no recorded run looks back from.
func (r *runner) sinceFor(last time.Time) time.Time {
	if last.IsZero() {
		return r.since
	}
	return time.Time{}
}

func (r *runner) remember(job string, tick time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tick.After(r.done[job]) {
		r.done[job] = tick
	}
}

// lastTick is the latest tick of s after after and at or before now, in
// loc; due is false when there is none.
func lastTick(s cron.Schedule, loc *time.Location, after, now time.Time) (tick time.Time, due bool) {
	from := after
	// Start near now: a minutely job missed for a month need not walk
	// every minute of it.
	for _, back := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour} {
		if b := now.Add(-back); b.After(after) && !s.Next(b.In(loc)).After(now) {
			from = b
			break
		}
	}
	tick = s.Next(from.In(loc))
	if tick.IsZero() || tick.After(now) {
		return time.Time{}, false
	}
	for n := s.Next(tick); !n.IsZero() && !n.After(now); n = s.Next(n) {
		tick = n
	}
	return tick, true
}
