package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
	"github.com/loyaltybot/loyaltybot/flows"
	"github.com/loyaltybot/loyaltybot/locales"
)

// app is the wired program, shared by serve and playground.
type app struct {
	env     *env
	log     *slog.Logger
	biz     *domain.Business
	db      *postgres.DB
	cluster *embedded.Cluster
	bot     *bot.Bot
	engine  *flows.Engine
	metrics *bot.Metrics
	sched   *schedule.Scheduler
	// clocked, when set (the playground), runs the jobs instead of sched:
	// by the business clock, which the page can move on.
	clocked *schedule.Clocked
	pos     *posapi.API
	// now is the one business clock, given to the store, the engine, the
	// POS API and the jobs alike (the playground will move it).
	now func() time.Time
	// tuneBot, when set, adjusts the adapter's config before it is built:
	// the chat load run raises the send cap and the flood limit.
	tuneBot func(*bot.Config)
}

// newLogger logs at the configured level and never writes the bot token,
// whoever quotes it (a Bot API URL in an error, mostly).
func newLogger(w io.Writer, e *env) *slog.Logger {
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: e.LogLevel})
	return slog.New(bot.RedactToken(h, e.Token))
}

// dbPoolSize is how many connections the bot keeps to PostgreSQL, unless
// DATABASE_URL says otherwise (pool_max_conns=N): four per core of this
// machine, at least 8. More only queue at the database: on 2 cores, with
// PostgreSQL on the same machine, the chat load handled 5–22 % more
// updates with 12 connections than with 32 (four A/B pairs of 40-s runs;
// 8, 12 and 16 alike), as 32 busy backends took turns on two cores. The
// bot's 64 workers wait for a connection in the pool instead.
func dbPoolSize() int32 { return int32(max(8, 4*runtime.NumCPU())) }

// openDB connects to DATABASE_URL, or starts the embedded cluster in the
// data folder when it is empty. beside (the admin commands) joins the
// embedded cluster another process (serve, the playground) is running
// there instead of refusing, so an owner need not stop the bot to make a
// key or an invitation; serve and the playground keep refusing, since
// the cluster would die with the other process.
func openDB(ctx context.Context, e *env, log *slog.Logger, pgDir string, now func() time.Time, beside bool, opts ...postgres.Option) (*postgres.DB, *embedded.Cluster, error) {
	url := e.DatabaseURL
	var cluster *embedded.Cluster
	if url == "" {
		dir, err := filepath.Abs(pgDir)
		if err != nil {
			return nil, nil, err
		}
		log.Info("starting embedded PostgreSQL", "dir", dir)
		cluster, err = embedded.Start(ctx, embedded.Options{Dir: dir, Logger: log})
		switch {
		case beside && errors.Is(err, embedded.ErrAlreadyRunning):
			if url, err = embedded.RunningURL(dir, "loyaltybot"); err != nil {
				return nil, nil, fmt.Errorf("embedded PostgreSQL of the running bot: %w", err)
			}
			log.Info("using the embedded PostgreSQL another loyaltybot process runs", "dir", dir)
		case err != nil:
			return nil, nil, fmt.Errorf("embedded PostgreSQL (set DATABASE_URL to use your own): %w", err)
		default:
			if err := cluster.EnsureDatabase(ctx, "loyaltybot"); err != nil {
				cluster.Stop()
				return nil, nil, err
			}
			url = cluster.URL("loyaltybot")
		}
	}
	db, err := postgres.Open(ctx, url, dbPoolSize(), append([]postgres.Option{postgres.WithClock(now)}, opts...)...)
	if err != nil {
		if cluster != nil {
			cluster.Stop()
		}
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	return db, cluster, nil
}

// wire builds everything after the database: engine, bot adapter.
func (a *app) wire(botUsername string) error {
	bundle, err := locales.Bundle()
	if err != nil {
		return err
	}
	plurals, err := locales.Plurals()
	if err != nil {
		return err
	}
	secret := a.env.CardSecret
	if secret == nil {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	signer, err := domain.NewCardSigner(secret, a.biz.CardTokenTTL)
	if err != nil {
		return fmt.Errorf("CARD_SECRET: %w", err)
	}
	salt := append([]byte("phone-salt:"), secret...)
	// One service for every caller: the engine adds its reactions to it,
	// so a POS purchase and a register purchase are followed alike.
	svc := domain.NewService(a.biz, signer, salt, a.now)
	a.engine = flows.NewEngine(flows.Config{
		Store: a.db, Service: svc, Business: a.biz, Signer: signer, Bundle: bundle, Plurals: plurals,
		BotUsername: botUsername, Logger: a.log, Now: a.now, Salt: salt,
	})
	a.metrics = bot.NewMetrics()
	a.watchDB()
	cfg := bot.Config{
		Token: a.env.Token, APIURL: a.env.APIURL, Store: a.db, Engine: a.engine,
		Logger: a.log, Metrics: a.metrics, Now: a.now, SendRate: a.env.SendRate,
	}
	if a.tuneBot != nil {
		a.tuneBot(&cfg)
	}
	a.bot, err = bot.New(cfg)
	if err != nil {
		return err
	}
	a.pos = posapi.New(posapi.Config{
		Store: a.db, Service: svc, Business: a.biz, Signer: signer, Logger: a.log,
		Queued: a.bot.Sender().Kick, Now: a.now,
	})
	return nil
}

// watchDB adds the outbox depth and the database pool to the metrics.
func (a *app) watchDB() {
	a.metrics.WatchOutbox(a.db.Outbox())
	pool := a.db.Pool()
	a.metrics.Gauge("loyaltybot_db_connections_total", "Connections in the database pool.",
		func() float64 { return float64(pool.Stat().TotalConns()) })
	a.metrics.Gauge("loyaltybot_db_connections_in_use", "Pool connections running a query.",
		func() float64 { return float64(pool.Stat().AcquiredConns()) })
	a.metrics.Gauge("loyaltybot_db_acquire_wait_seconds_total", "Time spent waiting for a pool connection.",
		func() float64 { return pool.Stat().AcquireDuration().Seconds() })
	a.metrics.Gauge("loyaltybot_db_acquire_waits_total", "Acquires that had to wait for a connection.",
		func() float64 { return float64(pool.Stat().EmptyAcquireCount()) })
}

func (a *app) close() {
	if a.sched != nil {
		a.sched.Stop()
	}
	if a.db != nil {
		a.db.Close()
	}
	if a.cluster != nil {
		if err := a.cluster.Stop(); err != nil {
			a.log.Error("stop embedded PostgreSQL", "err", err)
		}
	}
}

// httpMux serves health, metrics and (with a secret) the webhook.
func (a *app) httpMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", a.metrics.Handler())
	// The playground page has its own /api/…; the POS API owns /api/v1/.
	mux.Handle("/api/v1/", a.pos.Handler())
	if a.env.WebhookSecret != "" {
		mux.Handle("POST /telegram/webhook", a.bot.WebhookHandler(a.env.WebhookSecret))
	}
	return mux
}

// healthz answers whether the database answers. Anyone can ask, so the
// answer is fixed ({"status":"ok"} or 503 {"status":"unavailable"}); why
// the database failed (hosts, users, versions) goes to the log only.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.db.Ping(ctx); err != nil {
		a.log.Error("healthz: database unavailable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, `{"status":"unavailable"}`)
		return
	}
	fmt.Fprintln(w, `{"status":"ok"}`)
}

// listen opens the HTTP port, or says which variable to change.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	return ln, nil
}

// serveHTTP runs srv until ctx ends, then shuts it down gracefully.
func serveHTTP(ctx context.Context, srv *http.Server, ln net.Listener) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	return done
}

// startBot syncs the stores, registers commands and starts the workers.
func (a *app) startBot(ctx context.Context) error {
	if err := a.db.SyncStores(ctx, a.biz.Stores); err != nil {
		return err
	}
	if err := a.bot.Start(ctx); err != nil {
		return err
	}
	if err := a.bot.RegisterCommands(ctx, a.biz.Languages, a.biz.DefaultLanguage); err != nil {
		a.log.Warn("register commands", "err", err)
	}
	if a.clocked != nil {
		return nil // the playground runs the jobs by its own clock
	}
	loc, err := time.LoadLocation(a.biz.Stores[0].TimeZone)
	if err != nil {
		return err
	}
	a.sched, err = schedule.New(ctx, a.db, loc, a.log, a.jobs()...)
	if err != nil {
		return err
	}
	a.sched.Start()
	return nil
}

// jobs are the scheduled jobs with their specs from the business config.
func (a *app) jobs() []schedule.Job {
	jobs := []schedule.Job{
		schedule.ExpiryJob(a.biz.Jobs[domain.JobExpirePoints], a.db, &a.biz.Program, a.now, a.log,
			a.metrics.ExpiryFailed),
		schedule.RetentionJob(a.biz.Jobs[domain.JobPurgeRetained], a.db, a.now, a.log),
	}
	// The evening digest at each store's time zone's evening.
	jobs = append(jobs, schedule.FeedbackDigestJobs(a.biz.Jobs[domain.JobFeedbackDigest], a.db, a.engine.Service, a.log)...)
	return append(jobs,
		schedule.FeedbackRequestJob(a.biz.Jobs[domain.JobFeedbackRequests], a.engine.QueueFeedbackRequests, a.log),
		schedule.BroadcastReportJob(a.biz.Jobs[domain.JobBroadcastReports], func(ctx context.Context) (int, error) {
			n, err := a.engine.ReportBroadcasts(ctx)
			a.metrics.BroadcastsReported(n)
			return n, err
		}, a.log),
		schedule.NudgeJob(a.biz.Jobs[domain.JobNudges], func(ctx context.Context) (domain.NudgeReport, error) {
			rep, err := a.engine.RunNudges(ctx)
			a.metrics.NudgesRan(rep)
			return rep, err
		}, a.log),
		schedule.BadgeJob(a.biz.Jobs[domain.JobBadges], a.db, a.engine.Service, a.log),
		schedule.WeeklyReportJob(a.biz.Jobs[domain.JobWeeklyReport], a.engine.SendWeeklyReport, a.log),
		schedule.PromotionReportJob(a.biz.Jobs[domain.JobPromotionReports], a.engine.ReportPromotions, a.log),
	)
}
