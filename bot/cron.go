package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Job is a scheduled task (points expiry; later the nudge engine).
type Job struct {
	Name string
	Spec string // cron spec, e.g. "30 3 * * *"
	Run  func(ctx context.Context) error
}

// Scheduler runs jobs on robfig/cron ticks. Each run takes a Postgres
// advisory lock named after the job, so with several replicas a tick runs
// the job once, not once per replica.
type Scheduler struct {
	c *cron.Cron
}

// NewScheduler schedules jobs in loc (the business's time zone).
func NewScheduler(ctx context.Context, st domain.Store, loc *time.Location, log *slog.Logger, jobs ...Job) (*Scheduler, error) {
	c := cron.New(cron.WithLocation(loc))
	for _, j := range jobs {
		_, err := c.AddFunc(j.Spec, func() {
			start := time.Now()
			ran, err := st.TryLock(ctx, j.Name, j.Run)
			switch {
			case err != nil:
				log.Error("job failed", "job", j.Name, "err", err)
			case ran:
				log.Info("job done", "job", j.Name, "took", time.Since(start))
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return &Scheduler{c: c}, nil
}

// Start begins ticking.
func (s *Scheduler) Start() { s.c.Start() }

// Stop waits for running jobs to finish.
func (s *Scheduler) Stop() { <-s.c.Stop().Done() }

// ExpiryJob is the daily points expiry of DESIGN.md / the checkout issue.
func ExpiryJob(st domain.Store, p *domain.Program, now func() time.Time, log *slog.Logger) Job {
	return Job{Name: "expire-points", Spec: "30 3 * * *", Run: func(ctx context.Context) error {
		cards, points, err := domain.ExpirePoints(ctx, st, p, now())
		if cards > 0 {
			log.Info("points expired", "cards", cards, "points", points)
		}
		return err
	}}
}
