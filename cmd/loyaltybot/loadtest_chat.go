package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
	"github.com/loyaltybot/loyaltybot/locales"
)

// chatOptions shape a chat load run.
type chatOptions struct {
	Duration     time.Duration
	Customers    int           // simulated customers, all acting at once
	Cashiers     int           // simulated cashiers checking customers out
	Think        time.Duration // mean pause between one person's actions (0: none)
	CashierThink time.Duration // the cashiers' own mean pause, as at a till paced by its queue (negative: Think)
	POS          int           // POS API clients in parallel (0: none)
	POSRate      float64       // purchases a second the POS clients post in all (0: as fast as answered)
	POSCards     int           // seeded members the POS purchases go to
	Webhook      bool          // webhook intake instead of long polling
	Sample       time.Duration // how often RSS and goroutines are sampled
	NoSync       bool          // PostgreSQL with fsync off
	Profile      string        // Go CPU profile of the run
	MemProfile   string        // Go heap profiles halfway and near the end of the run, people still acting
	// The run goes on past Duration until the cashiers have confirmed
	// MinCheckouts and the customers given MinRatings ratings (the smoke
	// test's way to see every kind of action without timing anything).
	MinCheckouts, MinRatings int64
}

// sendCap is the sender's rate in the load run: Telegram's 30 messages/s
// would make the run measure the cap, not the bot (as in the benchmarks).
const sendCap = 100_000

// Telegram ids of the simulated people, far from anything seeded.
const (
	customerBase = 7_000_000
	cashierBase  = 8_000_000
)

// loadtestChat is `loyaltybot loadtest -chat`: the whole bot driven through
// the fake Bot API over real HTTP by simulated customers and cashiers,
// with POS purchases in parallel (see chatLoad).
func loadtestChat(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest -chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("chat", true, "drive the bot through the fake Telegram (this mode)")
	o := chatOptions{}
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long the people act")
	fs.IntVar(&o.Customers, "customers", 500, "simulated customers, all acting at once")
	fs.IntVar(&o.Cashiers, "cashiers", 50, "simulated cashiers checking customers out at once")
	fs.DurationVar(&o.Think, "think", 0, "mean pause between one person's actions, each drawn between half and one and a half times it (0: act as soon as the bot answers)")
	o.CashierThink = -1
	fs.Func("cashier-think", "the cashiers' mean pause between checkouts, when it differs from -think: a till paced by its queue while the customers keep the bot saturated (default: -think)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err == nil && d < 0 {
			err = errors.New("negative")
		}
		o.CashierThink = d
		return err
	})
	fs.IntVar(&o.POS, "pos", 2, "POS API clients posting purchases in parallel (0: none)")
	fs.Float64Var(&o.POSRate, "pos-rate", 0, "purchases a second the POS clients post in all, like a shop's registers (0: each posts the moment it is answered)")
	fs.IntVar(&o.POSCards, "pos-cards", 2_000, "seeded members (a year of history each) the POS purchases go to")
	fs.BoolVar(&o.Webhook, "webhook", false, "take updates by webhook instead of long polling")
	fs.DurationVar(&o.Sample, "sample", 10*time.Second, "how often RSS and goroutines are sampled")
	fs.BoolVar(&o.NoSync, "nosync", false, "run PostgreSQL with fsync off")
	fs.StringVar(&o.Profile, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write Go heap profiles (after a GC) to this file just before the run ends and to this file .half halfway through, to see what holds memory and what the second half added (pprof -base)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if o.Customers < 1 || o.Cashiers < 0 || o.POS < 0 || o.POSCards < 1 || o.Sample <= 0 || o.Think < 0 ||
		o.POSRate < 0 || math.IsNaN(o.POSRate) || math.IsInf(o.POSRate, 0) {
		fmt.Fprintln(stderr, "loadtest -chat: -customers and -pos-cards at least 1, -sample positive, nothing negative")
		return errUsage
	}
	if o.CashierThink < 0 {
		o.CashierThink = o.Think
	}
	rep, err := chatLoad(ctx, getenv, o, stdout)
	if err != nil {
		return err
	}
	rep.print(stdout)
	if !rep.Consistent || rep.Errors > 0 {
		return fmt.Errorf("loadtest -chat: %d errors, consistent %v", rep.Errors, rep.Consistent)
	}
	return nil
}

// chatLoad runs the bot as serve does (fsync on, its own PostgreSQL in a
// temporary folder, long polling or webhook) against the fake Telegram,
// lets the simulated people act for o.Duration, waits until every update
// is handled and every message sent, and checks what it left in the
// database against what the people saw.
func chatLoad(ctx context.Context, getenv func(string) string, o chatOptions, stdout io.Writer) (*chatReport, error) {
	e, err := loadEnv(getenv, false)
	if err != nil {
		return nil, err
	}
	log := newLogger(io.Discard, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return nil, err
	}
	// Visits are asked about at once and at any hour, so ratings happen
	// within the run (the request job runs every second here).
	biz.Feedback.Delay, biz.Feedback.QuietStart, biz.Feedback.QuietEnd = 0, 0, 0
	dir, err := os.MkdirTemp("", "loyaltybot-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) //nolint:errcheck // the postgres user must reach it
	probe, err := probeMachine()
	if err != nil {
		return nil, fmt.Errorf("probe the machine: %w", err)
	}
	fmt.Fprintf(stdout, "the machine, idle: %v\n", probe)
	fmt.Fprintf(stdout, "starting PostgreSQL (fsync %s) in %s …\n", map[bool]string{false: "on", true: "off"}[o.NoSync], dir)
	cluster, err := embedded.Start(ctx, embedded.Options{Dir: dir + "/pg", Logger: log, Fast: o.NoSync})
	if err != nil {
		return nil, err
	}
	a := &app{env: e, log: log, biz: biz, cluster: cluster, now: time.Now}
	defer a.close()
	if err := cluster.EnsureDatabase(ctx, "loyaltybot"); err != nil {
		return nil, err
	}
	if a.db, err = postgres.Open(ctx, cluster.URL("loyaltybot"), dbPoolSize(), postgres.WithClock(a.now)); err != nil {
		return nil, err
	}
	// The load's goroutines (the fake Telegram's server, the people, the
	// POS clients) carry the label side=load, which their children
	// inherit, so a CPU profile tells the bot's share from theirs.
	load := pprof.WithLabels(context.Background(), pprof.Labels("side", "load"))
	pprof.SetGoroutineLabels(load)
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(playgroundBot), tgfake.WithBoundedMemory(16))
	pprof.SetGoroutineLabels(context.Background()) // what starts from here on is the bot's
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	a.env.APIURL, a.env.Token = fake.URL(), "loadtest:token"
	if a.env.CardSecret == nil {
		a.env.CardSecret = make([]byte, 32)
		rand.Read(a.env.CardSecret)
	}
	if o.Webhook {
		a.env.WebhookSecret = rand.Text()
	}
	a.tuneBot = func(c *bot.Config) { c.SendRate, c.FloodBurst = sendCap, -1 }
	if err := a.wire(playgroundBot); err != nil {
		return nil, err
	}
	if err := a.db.SyncStores(ctx, biz.Stores); err != nil {
		return nil, err
	}
	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBot()
	if err := a.bot.Start(botCtx); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "seeding %d members for the POS API, inviting %d cashiers …\n", o.POSCards, o.Cashiers)
	seed, err := seedLoad(ctx, a, o.POSCards, 12)
	if err != nil {
		return nil, err
	}
	for i := range seed.numbers { // the members the POS purchases tell
		fake.User(5_000_001+int64(i), fmt.Sprint("Load", i+1), "en").Keep(1) // nobody reads them
	}
	invites, err := inviteCashiers(ctx, a, seed.shopID, o.Cashiers)
	if err != nil {
		return nil, err
	}
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: a.httpMux(), ReadHeaderTimeout: 10 * time.Second}
	httpDone := serveHTTP(ctx, srv, ln)
	defer func() { srv.Shutdown(context.Background()); <-httpDone }()
	base := "http://" + ln.Addr().String()
	intakeCtx, stopIntake := context.WithCancel(ctx)
	pollDone := make(chan struct{})
	if o.Webhook {
		close(pollDone)
		if err := a.bot.SetWebhook(ctx, base+"/telegram/webhook", a.env.WebhookSecret); err != nil {
			stopIntake()
			return nil, err
		}
	} else {
		go func() { a.bot.Poll(intakeCtx); close(pollDone) }()
	}
	defer func() { stopIntake(); <-pollDone; a.bot.Stop(10 * time.Second) }()

	if o.Profile != "" {
		f, err := os.Create(o.Profile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if o.MemProfile != "" {
		// Both while the people act: `go tool pprof -base FILE.half FILE`
		// shows what the second half of the run added to what is live,
		// the growth a flat-memory check is after. One sample per 64 KiB
		// allocated rather than 512: a heap of 20 MiB is otherwise told
		// by about forty samples.
		runtime.MemProfileRate = 64 << 10
		half := time.AfterFunc(o.Duration/2, func() { heapProfile(o.MemProfile+".half", stdout) })
		defer half.Stop()
		late := time.AfterFunc(o.Duration-min(o.Duration/20, 10*time.Second), func() { heapProfile(o.MemProfile, stdout) })
		defer late.Stop()
	}
	intake := "long polling"
	if o.Webhook {
		intake = "webhook"
	}
	pos := fmt.Sprintf("%d POS clients", o.POS)
	if o.POS > 0 && o.POSRate > 0 {
		pos += fmt.Sprintf(" (%g purchases/s in all)", o.POSRate)
	}
	pace := func(d time.Duration) string {
		if d == 0 {
			return "no pause"
		}
		return fmt.Sprintf("pausing %v", d)
	}
	fmt.Fprintf(stdout, "%d customers (%s), %d cashiers (%s), %s, %s, %v; the sender's cap raised to %d msg/s (production: 30) and the per-chat flood limit off …\n",
		o.Customers, pace(o.Think), o.Cashiers, pace(o.CashierThink), pos, intake, o.Duration, sendCap)
	st := &chatStats{customers: int64(o.Customers)}
	rep := &chatReport{Options: o, Intake: intake, Probe: probe}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	go func() {
		if sleepUntil(runCtx, o.Duration) != nil {
			return
		}
		for st.checkouts.Load() < o.MinCheckouts || st.ratings.Load() < o.MinRatings {
			if sleepUntil(runCtx, 20*time.Millisecond) != nil {
				return
			}
		}
		stopRun()
	}()
	var jobs sync.WaitGroup
	jobs.Add(2)
	go func() { defer jobs.Done(); askFeedback(runCtx, a) }()
	go func() { defer jobs.Done(); rep.Samples = sample(runCtx, st, o.Sample, cluster.Dir(), stdout) }()
	if o.POS > 0 {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			pprof.SetGoroutineLabels(load)
			codes := make([]string, len(seed.numbers))
			for i, num := range seed.numbers {
				codes[i] = a.engine.Signer.Code(num, time.Now())
			}
			r, err := posapi.Load(ctx, posapi.LoadOptions{BaseURL: base, Key: seed.key, Cards: codes,
				Concurrency: o.POS, Duration: o.Duration, Currency: biz.Currency, Rate: o.POSRate})
			if err != nil {
				r.Errors, r.FirstError = max(r.Errors, 1), err.Error()
			}
			rep.POS = &r
		}()
	}
	start := time.Now()
	var people sync.WaitGroup
	for i := range o.Cashiers {
		p := &person{u: fake.User(cashierBase+int64(i), fmt.Sprint("Cashier", i+1), "en"), st: st, rng: newRand(cashierBase + i)}
		people.Add(1)
		go func() {
			defer people.Done()
			pprof.SetGoroutineLabels(load)
			cashier(runCtx, p, invites[i], o.CashierThink, func(card int64) string { return a.engine.Signer.Token(card, time.Now()) })
		}()
	}
	lookup := cardOf(a)
	for i := range o.Customers {
		u := fake.User(customerBase+int64(i), fmt.Sprint("Customer", i+1), "en")
		u.SetPhone(fmt.Sprintf("+7902%07d", i))
		p := &person{u: u, st: st, rng: newRand(customerBase + i)}
		people.Add(1)
		go func() {
			defer people.Done()
			pprof.SetGoroutineLabels(load)
			customer(runCtx, p, biz.Stores[0].Code, o.Think, lookup)
		}()
	}
	people.Wait()
	rep.Elapsed = time.Since(start)
	stopRun()
	jobs.Wait()
	// Everything the people started is finished and sent before counting.
	settle, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = fake.WaitDelivered(settle)
	if err == nil {
		err = a.bot.WaitIdle(settle)
	}
	rep.fill(st)
	if err != nil {
		rep.Errors++
		rep.Unsettled = err.Error()
	}
	if err := rep.check(ctx, a, st); err != nil {
		return nil, err
	}
	return rep, nil
}

// inviteCashiers makes n one-time cashier invites for the shop.
func inviteCashiers(ctx context.Context, a *app, shopID int64, n int) ([]string, error) {
	out := make([]string, n)
	err := a.db.Update(ctx, func(tx domain.Tx) error {
		for i := range out {
			var err error
			if out[i], err = a.engine.Service.Invite(ctx, tx, nil, domain.RoleCashier, shopID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// askFeedback runs the feedback-request job every second, as the
// scheduler would every minute, and wakes the sender.
func askFeedback(ctx context.Context, a *app) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := a.engine.QueueFeedbackRequests(ctx); err == nil && n > 0 {
			a.bot.Sender().Kick()
		}
	}
}

// heapProfile writes what is live after a collection to file.
func heapProfile(file string, stdout io.Writer) {
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintf(stdout, "memprofile: %v\n", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintf(stdout, "memprofile: %v\n", err)
	}
}
