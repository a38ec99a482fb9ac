// Package bottest runs the whole bot for tests: a fresh Postgres database,
// the fake Bot API speaking real HTTP, the flows engine and the Telegram
// adapter with long polling, exactly as in production. Tests drive it like
// a person through the fake's users and read what the bot answered.
package bottest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/phones"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/flows"
	"github.com/loyaltybot/loyaltybot/locales"
)

// BotUsername is the fake bot's username in deep links.
const BotUsername = "loyaltytest_bot"

// Secret is the card-signing secret of every harness.
var Secret = []byte("test-secret-test-secret-test-secret")

// Clock is a settable clock for the engine: tests move time to expire a
// card token without sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the current fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Harness is a running bot with its fake Telegram.
type Harness struct {
	T      testing.TB
	Fake   *tgfake.Server
	Bot    *bot.Bot
	Engine *flows.Engine
	DB     *postgres.DB
	Biz    *domain.Business
	Signer *domain.CardSigner
	Clock  *Clock
}

// Business returns the business config tests run with; change it before
// New through the opt function.
func Business() *domain.Business {
	return &domain.Business{
		Name: "Test Coffee", Currency: "RUB", Languages: []string{"ru", "en"}, DefaultLanguage: "en",
		WelcomeBonus: 100, WelcomeBonusDays: 30, CardTokenTTL: 10 * time.Minute, ConsentVersion: "v1",
		PhoneRegion: "RU", Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback(),
		Stores: []domain.StoreConfig{
			{Code: "central", Name: "Central", TimeZone: "Europe/Moscow"},
			{Code: "river", Name: "River", TimeZone: "Europe/Moscow"},
		},
	}
}

// New starts a harness; everything stops in t.Cleanup. opt may adjust the
// business config.
func New(t testing.TB, opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return NewWithBot(t, nil, opt...)
}

// NewWithBot is New with the adapter's config adjusted by botOpt (nil
// leaves it). The harness turns the flood limit off, since tests type far
// faster than people; a test of the limit turns it back on here.
func NewWithBot(t testing.TB, botOpt func(*bot.Config), opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return newHarness(t, setup{bot: botOpt}, opt...)
}

// NewThrough is New with the database reached at the address dsn returns
// for the test database's own: a test puts a fault-injecting proxy in
// between.
func NewThrough(t testing.TB, dsn func(string) string, opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return newHarness(t, setup{dsn: dsn}, opt...)
}

// NewWithLimits is NewWithBot with the fake Telegram enforcing flood
// limits (tgfake.WithLimits): a test of the sender's pacing counts the
// 429s it would have got.
func NewWithLimits(t testing.TB, l tgfake.Limits, botOpt func(*bot.Config), opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return newHarness(t, setup{fake: []tgfake.Option{tgfake.WithLimits(l)}, bot: botOpt}, opt...)
}

// NewTraced is New with the database's connections reporting their
// statements to tr (postgres.WithTracer): a test counts an update's
// round trips.
func NewTraced(t testing.TB, tr pgx.QueryTracer, opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return newHarness(t, setup{tracer: tr}, opt...)
}

// NewLogged is New with the engine and the adapter logging to log: a test
// of what the logs hold runs the production handler.
func NewLogged(t testing.TB, log *slog.Logger, opt ...func(*domain.Business)) *Harness {
	t.Helper()
	return newHarness(t, setup{log: log}, opt...)
}

// setup is what the New functions change in a harness.
type setup struct {
	fake []tgfake.Option
	bot  func(*bot.Config)
	log  *slog.Logger
	dsn  func(string) string
	// tracer sees the database's statements.
	tracer pgx.QueryTracer
}

func newHarness(t testing.TB, su setup, opt ...func(*domain.Business)) *Harness {
	t.Helper()
	biz := Business()
	for _, o := range opt {
		o(biz)
	}
	biz.Phones, biz.PhoneExample = phones.Reader(biz.PhoneRegion), phones.Example(biz.PhoneRegion)
	if err := biz.Validate(locales.Languages()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// One clock for everything: the store stamps rows with the time the
	// engine reasons with.
	clock := &Clock{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	dsn := pgtest.NewDB(t)
	if su.dsn != nil {
		dsn = su.dsn(dsn)
	}
	db, err := postgres.Open(ctx, dsn, 16, postgres.WithClock(clock.Now), postgres.WithTracer(su.tracer))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SyncStores(ctx, biz.Stores); err != nil {
		t.Fatal(err)
	}
	fake, err := tgfake.Start("127.0.0.1:0", append([]tgfake.Option{tgfake.WithBotUsername(BotUsername)}, su.fake...)...)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	plurals, err := locales.Plurals()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := domain.NewCardSigner(Secret, biz.CardTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("TEST_LOG") != "" {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if su.log != nil {
		log = su.log
	}
	engine := flows.NewEngine(flows.Config{
		Store: db, Business: biz, Signer: signer, Bundle: bundle, Plurals: plurals,
		BotUsername: BotUsername, Now: clock.Now, Logger: log, Salt: Secret,
	})
	cfg := bot.Config{
		Token: "123:test", APIURL: fake.URL(), Store: db, Engine: engine, Logger: log,
		PollTimeout: 2 * time.Second, SendEvery: 50 * time.Millisecond, SendRate: 10_000,
		FloodBurst: -1, Now: clock.Now,
	}
	if su.bot != nil {
		su.bot(&cfg)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pollDone := make(chan struct{})
	go func() { b.Poll(ctx); close(pollDone) }()
	t.Cleanup(func() {
		cancel()
		<-pollDone
		b.Stop(5 * time.Second)
		checkNoValue(t, fake)
		fake.Close()
		db.Close()
	})
	return &Harness{T: t, Fake: fake, Bot: b, Engine: engine, DB: db, Biz: biz, Signer: signer, Clock: clock}
}

// Settle waits until every update sent so far is handled and every reply
// is out: the deterministic replacement for sleeping in tests.
func (h *Harness) Settle() {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.Fake.WaitDelivered(ctx); err != nil {
		h.T.Fatalf("updates not delivered: %v", err)
	}
	if err := h.Bot.WaitIdle(ctx); err != nil {
		h.T.Fatalf("bot not idle: %v", err)
	}
}

// User returns a fake Telegram user (its private chat has the same id).
func (h *Harness) User(id int64, firstName, lang string) *tgfake.User {
	return h.Fake.User(id, firstName, lang)
}

// Restart starts a second bot over the same database and fake Telegram, as
// a new process after a crash would (the first one keeps running: the
// update row lock makes sure nothing is handled twice).
func Restart(t testing.TB, h *Harness) *Harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bot.New(bot.Config{
		Token: "123:test", APIURL: h.Fake.URL(), Store: h.DB, Engine: h.Engine, Logger: log,
		PollTimeout: 2 * time.Second, SendEvery: 50 * time.Millisecond, SendRate: 10_000,
		FloodBurst: -1, Now: h.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		b.Stop(5 * time.Second)
	})
	h2 := *h
	h2.Bot = b
	return &h2
}

// checkNoValue fails the test when anything the bot sent (a text, a
// caption, a button, a command menu, a tap's answer) shows "<no value>":
// a message whose template names a field the code does not pass. The
// locale tests only see that the languages agree with each other; the
// flows' tests see the data the code really passes.
func checkNoValue(t testing.TB, fake *tgfake.Server) {
	t.Helper()
	for _, c := range fake.Calls("") {
		for k, v := range c.Params {
			if strings.Contains(v, "<no value>") {
				t.Errorf("%s to chat %d: %s shows a field the code did not pass: %q", c.Method, c.ChatID, k, v)
			}
		}
	}
}
