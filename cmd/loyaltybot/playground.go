package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
	"github.com/loyaltybot/loyaltybot/locales"
)

// playgroundBot is the fake bot's username in deep links and QR codes.
const playgroundBot = "loyaltydemo_bot"

// The playground page's second and third chats: a cashier of the first
// store and an owner, ready to use without inviting anyone.
const (
	playgroundCashier = 202
	playgroundOwner   = 303
)

// playgroundTick is how often, in real time, the playground runs the jobs
// that came due by its clock (every minute's jobs, mostly).
const playgroundTick = 5 * time.Second

// provisionPlayground makes the page's cashier and owner staff and
// returns the cashier.
func provisionPlayground(ctx context.Context, a *app) (*domain.Staff, error) {
	if err := a.db.SyncStores(ctx, a.biz.Stores); err != nil {
		return nil, err
	}
	cashier := &domain.Staff{TelegramID: playgroundCashier, ChatID: playgroundCashier, FirstName: "Boris", Role: domain.RoleCashier}
	err := a.db.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, a.biz.Stores[0].Code)
		if err != nil {
			return err
		}
		cashier.ShopID = shop.ID
		for _, st := range []*domain.Staff{
			cashier,
			{TelegramID: playgroundOwner, ChatID: playgroundOwner, FirstName: "Olga", Role: domain.RoleOwner},
		} {
			if err := tx.SaveStaff(ctx, st); err != nil {
				return err
			}
			// Alerts and reports go out in the language of the page's
			// pane (Olga English, Boris Russian) before they write; a
			// /language they chose since is kept.
			if saved, err := tx.FindStaffByTelegramID(ctx, st.TelegramID); err != nil {
				return err
			} else if saved.Language == "" {
				if err := tx.SetStaffLanguage(ctx, saved.ID, playgroundLang(st.TelegramID)); err != nil {
					return err
				}
			}
		}
		cashier, err = tx.FindStaffByTelegramID(ctx, playgroundCashier)
		return err
	})
	return cashier, err
}

// playOptions are the playground's flags.
type playOptions struct {
	addr    string
	reset   bool
	demo    int
	clockAt time.Time
	dbURL   string
}

func parsePlayground(args []string, stderr io.Writer) (*playOptions, error) {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &playOptions{}
	fs.StringVar(&o.addr, "addr", "", "address of the web page (default $HTTP_ADDR or 127.0.0.1:8080)")
	fs.BoolVar(&o.reset, "reset", false, "delete the playground's data (database, clock, panes) and start over")
	fs.IntVar(&o.demo, "demo-customers", 0, "on a fresh playground, generate this many customers with histories (at most 10000)")
	fs.StringVar(&o.dbURL, "database-url", "", "run on this database instead of the playground's own cluster (tests); DATABASE_URL is ignored")
	at := fs.String("clock", "", "on a fresh playground, start the business clock at this time (RFC 3339, e.g. 2026-05-04T12:00:00+03:00)")
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if o.demo < 0 || o.demo > 10_000 {
		return nil, fmt.Errorf("--demo-customers: %d is not between 0 and 10000", o.demo)
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return nil, fmt.Errorf("--clock: %q is not a time like 2026-05-04T12:00:00+03:00", *at)
		}
		o.clockAt = t
	}
	return o, nil
}

// openPlayground opens the playground's data folder dir (deleted first
// with --reset): its state file, its clock and its database.
func openPlayground(ctx context.Context, a *app, o *playOptions, dir string, clock *playClock) (*playState, error) {
	if o.reset {
		if _, err := embedded.RunningURL(filepath.Join(dir, "pg"), "postgres"); err == nil {
			return nil, fmt.Errorf("--reset: a playground is running on %s; stop it first", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("--reset: %w", err)
		}
	}
	st, fresh, err := loadPlayState(dir)
	if err != nil {
		return nil, err
	}
	if !o.clockAt.IsZero() {
		if !fresh {
			return nil, fmt.Errorf("--clock: %s holds a playground whose clock has run already; add --reset to start over", dir)
		}
		st.ClockOffset = time.Until(o.clockAt)
	}
	clock.set(st.ClockOffset, func(off time.Duration) error {
		return st.update(func(s *playState) { s.ClockOffset = off })
	})
	a.db, a.cluster, err = openDB(ctx, a.env, a.log, filepath.Join(dir, "pg"), a.now, false)
	if err != nil {
		return nil, err
	}
	return st, st.update(func(*playState) {})
}

// playground runs everything on embedded defaults: a private PostgreSQL,
// the fake Bot API, the demo business config and a web page with the
// chats side by side, a clock to move on and a panel of the rows behind
// a chat. Nothing to configure, nothing leaves the machine.
func playground(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parsePlayground(args, stderr)
	if err != nil {
		return err
	}
	e, err := loadEnv(getenv, false)
	if err != nil {
		return err
	}
	if o.addr != "" {
		e.HTTPAddr = o.addr
	}
	// The playground's own cluster, whatever DATABASE_URL says: it makes
	// staff, moves the clock and runs the jobs and the sender on the
	// database it opens, which must not be the shop's.
	e.DatabaseURL = o.dbURL
	log := newLogger(stderr, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return err
	}
	biz.Owners = append(biz.Owners, playgroundOwner)
	clock := &playClock{}
	a := &app{env: e, log: log, biz: biz, now: clock.Time}

	dir := filepath.Join(e.DataDir, "playground")
	st, err := openPlayground(ctx, a, o, dir, clock)
	if errors.Is(err, embedded.ErrUnreachable) && e.DatabaseURL == "" {
		// Run as root from a private folder (e.g. under /root): the
		// playground is disposable, so keep its data where postgres can.
		dir = playgroundFallbackDir(e)
		log.Warn("data folder not reachable by the postgres user; using a shared one", "dir", dir)
		st, err = openPlayground(ctx, a, o, dir, clock)
	}
	if err != nil {
		return err
	}
	defer a.close()
	if e.CardSecret == nil {
		e.CardSecret = st.CardSecret
	}

	panes := append(defaultPanes(), st.Panes...)
	// The database keeps the updates of the runs before; a fake numbering
	// from 1 again would see its first ones dropped as handled already.
	lastUpdate, err := a.db.LastUpdateID(ctx)
	if err != nil {
		return err
	}
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(playgroundBot), tgfake.WithClock(clock.Time),
		tgfake.WithUpdatesAfter(lastUpdate),
		tgfake.WithWebUsers(panes), tgfake.WithWebPanesChanged(func(all []tgfake.WebUser) {
			if err := st.update(func(s *playState) { s.Panes = all[len(defaultPanes()):] }); err != nil {
				log.Error("save the playground's panes", "err", err)
			}
		}),
		tgfake.WithWebHint("Customer: tap a store poster (or send /start s_"+biz.Stores[0].Code+") to join at the register, then show the card. "+
			"Cashier: 📷 Scan reads the card in the customer's chat. Owner: /staff, /stats nudges. "+
			"The clock moves business time on; the panel shows the rows behind the selected customer."))
	if err != nil {
		return fmt.Errorf("fake Bot API: %w", err)
	}
	defer fake.Close()
	e.APIURL, e.Token, e.WebhookURL, e.WebhookSecret = fake.URL(), "playground:token", "", ""

	cashier, err := provisionPlayground(ctx, a)
	if err != nil {
		return err
	}
	if err := seedDemo(ctx, a, fake, o.demo, cashier, stdout); err != nil {
		return err
	}
	if err := a.wire(playgroundBot); err != nil {
		return err
	}
	loc, err := time.LoadLocation(biz.Stores[0].TimeZone)
	if err != nil {
		return err
	}
	if a.clocked, err = schedule.NewClocked(a.db, loc, log, clock.Time(), a.jobs()...); err != nil {
		return err
	}
	ln, err := listen(e.HTTPAddr)
	if err != nil {
		return err
	}
	p := &play{a: a, clock: clock, fake: fake, loc: loc}
	// The config's specs were checked at start: a digest switched off
	// (or none) leaves walk without its stop.
	p.digest, _ = cron.ParseStandard(biz.Jobs[domain.JobFeedbackDigest])
	mux := a.httpMux()
	p.routes(mux)
	mux.Handle("/", fake.WebHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	httpDone := serveHTTP(ctx, srv, ln)

	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBot()
	if err := a.startBot(botCtx); err != nil {
		return err
	}
	pollDone := make(chan error, 1)
	go func() { pollDone <- a.bot.Poll(ctx) }()
	go p.tick(ctx)

	fmt.Fprintf(stdout, "loyaltybot playground is running: open http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "  chats: customers, cashier and owner side by side; tap a store poster, or send /start s_%s as if scanned at the register\n", biz.Stores[0].Code)
	fmt.Fprintf(stdout, "  business clock: %s (move it on in the page)\n", clock.Time().In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	fmt.Fprintf(stdout, "  data: %s (--reset starts over); Ctrl+C stops\n", dir)

	select {
	case <-ctx.Done():
	case err := <-httpDone:
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
	}
	<-pollDone
	err = a.bot.Stop(10 * time.Second)
	stopBot()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	return err
}

// playgroundFallbackDir is the data folder of a playground run as root
// from a folder the postgres user cannot reach: one per data folder, so
// two clones' playgrounds (and a --reset in one) keep apart.
func playgroundFallbackDir(e *env) string {
	abs, err := filepath.Abs(e.DataDir)
	if err != nil {
		abs = e.DataDir
	}
	h := fnv.New32a()
	h.Write([]byte(abs))
	return filepath.Join(os.TempDir(), fmt.Sprintf("loyaltybot-playground-%08x", h.Sum32()))
}

// playgroundLang is the language of a default pane's person.
func playgroundLang(telegramID int64) string {
	for _, p := range defaultPanes() {
		if p.ID == telegramID {
			return p.Lang
		}
	}
	return ""
}

// defaultPanes are the page's first three chats: Anna, a customer yet to
// join; Boris, the first store's cashier; Olga, the owner.
func defaultPanes() []tgfake.WebUser {
	return []tgfake.WebUser{
		{ID: 101, Name: "Anna", Lang: "ru", Role: "Customer"},
		{ID: playgroundCashier, Name: "Boris", Lang: "ru", Role: "Cashier"},
		{ID: playgroundOwner, Name: "Olga", Lang: "en", Role: "Owner"},
	}
}
