// Package schedule runs the program's scheduled jobs (points expiry, the
// retention purge; the nudge engine next) on robfig/cron ticks. It adapts
// cron to the domain as domain/postgres adapts PostgreSQL: the jobs are
// use cases, the specs come from the business config, and nothing here
// knows Telegram.
package schedule

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
	Spec string // cron spec, e.g. "30 3 * * *", from the business config
	Run  func(ctx context.Context) error
	// Loc is the time zone the spec is read in; nil: the scheduler's
	// (the business's).
	Loc *time.Location
}

// ParseSpec checks a cron spec as the scheduler reads it (five fields, or
// a descriptor such as "@daily"), so a bad one stops the start with the
// config field named.
func ParseSpec(spec string) error {
	_, err := cron.ParseStandard(spec)
	return err
}

// Scheduler runs jobs on robfig/cron ticks. Each run takes a Postgres
// advisory lock named after the job and records the tick it ran for, so
// with several replicas a tick runs the job once, not once per replica.
// Every minute it looks for ticks not done yet: a run that failed, or a
// tick the bot was stopped over, runs then (the latest one, once) instead
// of waiting for the job's next tick.
type Scheduler struct {
	c *cron.Cron
}

// New schedules jobs in loc (the business's time zone).
func New(ctx context.Context, st domain.Store, loc *time.Location, log *slog.Logger, jobs ...Job) (*Scheduler, error) {
	cj, err := parseJobs(jobs)
	if err != nil {
		return nil, err
	}
	r := newRunner(st, loc, log, time.Now())
	c := cron.New(cron.WithLocation(loc))
	for _, j := range cj {
		// Each job on its own: a long expiry does not hold the nudges up,
		// and a run still going skips the next minute's check.
		run := cron.SkipIfStillRunning(cron.DiscardLogger)(cron.FuncJob(func() {
			r.run(ctx, j, time.Now(), slog.LevelInfo)
		}))
		if _, err := c.AddJob("* * * * *", run); err != nil {
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
// Each card that fails is logged with its error and counted (failed, if
// not nil, feeds the metrics); the run goes on with the next card.
func ExpiryJob(spec string, st domain.Store, p *domain.Program, now func() time.Time, log *slog.Logger, failed func(n int)) Job {
	return Job{Name: domain.JobExpirePoints, Spec: spec, Run: func(ctx context.Context) error {
		rep, err := domain.ExpirePoints(ctx, st, p, now())
		for _, f := range rep.Failed {
			log.Error("points expiry: card failed, skipped until the next run", "card", f.CardID, "err", f.Err)
		}
		if failed != nil && len(rep.Failed) > 0 {
			failed(len(rep.Failed))
		}
		switch {
		case len(rep.Failed) > 0:
			log.Warn("points expired", "cards", rep.Cards, "points", rep.Points, "failed", len(rep.Failed))
		case rep.Cards > 0:
			log.Info("points expired", "cards", rep.Cards, "points", rep.Points)
		}
		return err
	}}
}

// RetentionJob deletes, daily, the copies kept only for running the bot
// once their time is up: raw updates handled or set aside after
// domain.UpdateRetention (7 days), sent or dropped messages after
// domain.OutboxRetention (30 days). Both hold names and phone numbers; the
// README states the periods.
func RetentionJob(spec string, st domain.Store, now func() time.Time, log *slog.Logger) Job {
	return Job{Name: domain.JobPurgeRetained, Spec: spec, Run: func(ctx context.Context) error {
		updates, messages, err := domain.PurgeExpired(ctx, st, now())
		if updates+messages > 0 {
			log.Info("retention purge", "updates", updates, "messages", messages)
		}
		return err
	}}
}

// FeedbackDigestJob sends owners the day's ratings in the evening (the
// first store's; FeedbackDigestJobs adds the other zones' evenings).
func FeedbackDigestJob(spec string, st domain.Store, svc *domain.Service, log *slog.Logger) Job {
	return FeedbackDigestJobs(spec, st, svc, log)[0]
}

// FeedbackDigestJobs are the evening digest's jobs, one per time zone of
// the stores (domain.Business.DigestZones), each on spec in its zone: a
// store's managers get it at their store's evening.
func FeedbackDigestJobs(spec string, st domain.Store, svc *domain.Service, log *slog.Logger) []Job {
	var jobs []Job
	for _, zone := range svc.Business.DigestZones() {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			loc = nil // the business's, as before
		}
		jobs = append(jobs, Job{Name: svc.Business.DigestJob(zone), Spec: spec, Loc: loc, Run: func(ctx context.Context) error {
			n, err := svc.DigestFeedbackIn(ctx, st, zone)
			if n > 0 {
				log.Info("feedback digest", "zone", zone, "ratings", n)
			}
			return err
		}})
	}
	if len(jobs) == 0 {
		jobs = append(jobs, Job{Name: domain.JobFeedbackDigest, Spec: spec, Run: func(ctx context.Context) error {
			_, err := svc.DigestFeedback(ctx, st)
			return err
		}})
	}
	return jobs
}

// BroadcastReportJob pushes the final reports of finished broadcasts (run
// is the chat engine's ReportBroadcasts, which renders them).
func BroadcastReportJob(spec string, run func(ctx context.Context) (int, error), log *slog.Logger) Job {
	return Job{Name: domain.JobBroadcastReports, Spec: spec, Run: func(ctx context.Context) error {
		n, err := run(ctx)
		if n > 0 {
			log.Info("broadcast reports queued", "reports", n)
		}
		return err
	}}
}

// PromotionReportJob tells the staff who started live promotions what
// the ended ones came to (run is the chat engine's ReportPromotions).
func PromotionReportJob(spec string, run func(ctx context.Context) (int, error), log *slog.Logger) Job {
	return Job{Name: domain.JobPromotionReports, Spec: spec, Run: func(ctx context.Context) error {
		n, err := run(ctx)
		if n > 0 {
			log.Info("promotion reports queued", "reports", n)
		}
		return err
	}}
}

// FeedbackRequestJob queues the feedback requests that are due (run is
// the chat engine's QueueFeedbackRequests, which renders them).
func FeedbackRequestJob(spec string, run func(ctx context.Context) (int, error), log *slog.Logger) Job {
	return Job{Name: domain.JobFeedbackRequests, Spec: spec, Run: func(ctx context.Context) error {
		n, err := run(ctx)
		if n > 0 {
			log.Info("feedback requests queued", "requests", n)
		}
		return err
	}}
}

// NudgeJob is the nudge engine's tick (run is the chat engine's
// RunNudges, which renders the messages).
func NudgeJob(spec string, run func(ctx context.Context) (domain.NudgeReport, error), log *slog.Logger) Job {
	return Job{Name: domain.JobNudges, Spec: spec, Run: func(ctx context.Context) error {
		rep, err := run(ctx)
		if rep.Sent+rep.HeldOut+rep.Skipped > 0 || len(rep.Failed) > 0 {
			log.Info("nudges", "sent", rep.Sent, "held_out", rep.HeldOut, "skipped", rep.Skipped, "failed", len(rep.Failed))
		}
		return err
	}}
}

// BadgeJob awards the time-based badges once a day (the biggest receipt
// of the month before, per store); awarding is idempotent, so a run that
// fails or repeats does no harm.
func BadgeJob(spec string, st domain.Store, svc *domain.Service, log *slog.Logger) Job {
	return Job{Name: domain.JobBadges, Spec: spec, Run: func(ctx context.Context) error {
		n, err := svc.AwardMonthlyBadges(ctx, st)
		if n > 0 {
			log.Info("badges awarded", "badges", n)
		}
		return err
	}}
}

// WeeklyReportJob sends the owners the weekly report (run is the chat
// engine's SendWeeklyReport, which draws the chart); a second tick in the
// same week sends nothing.
func WeeklyReportJob(spec string, run func(ctx context.Context) (int, error), log *slog.Logger) Job {
	return Job{Name: domain.JobWeeklyReport, Spec: spec, Run: func(ctx context.Context) error {
		n, err := run(ctx)
		if n > 0 {
			log.Info("weekly report queued", "owners", n)
		}
		return err
	}}
}
