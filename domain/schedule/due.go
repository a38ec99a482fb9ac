package schedule

import (
	"context"
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
// time), not 30 times. Runs take the same advisory locks as Scheduler.
type Clocked struct {
	st   domain.Store
	log  *slog.Logger
	loc  *time.Location
	jobs []clockedJob

	mu   sync.Mutex // one RunDue at a time: a tick and a clock jump
	last time.Time
}

type clockedJob struct {
	Job
	sched cron.Schedule
}

// NewClocked reads the jobs' specs (in loc, the business's time zone);
// the first RunDue looks back from start.
func NewClocked(st domain.Store, loc *time.Location, log *slog.Logger, start time.Time, jobs ...Job) (*Clocked, error) {
	c := &Clocked{st: st, log: log, loc: loc, last: start}
	for _, j := range jobs {
		s, err := cron.ParseStandard(j.Spec)
		if err != nil {
			return nil, err
		}
		c.jobs = append(c.jobs, clockedJob{Job: j, sched: s})
	}
	return c, nil
}

// RunDue runs the jobs with a tick after the previous RunDue (or start)
// and at or before now, in the order given, and returns their names. A
// job that fails is logged; the others still run.
func (c *Clocked) RunDue(ctx context.Context, now time.Time) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := c.last
	if !now.After(from) {
		return nil
	}
	c.last = now
	var ran []string
	for _, j := range c.jobs {
		if next := j.sched.Next(from.In(c.loc)); next.After(now) {
			continue
		}
		start := time.Now()
		ok, err := c.st.TryLock(ctx, j.Name, j.Run)
		switch {
		case err != nil:
			c.log.Error("job failed", "job", j.Name, "err", err)
		case ok:
			c.log.Debug("job done", "job", j.Name, "took", time.Since(start))
			ran = append(ran, j.Name)
		}
	}
	return ran
}
