package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
	"github.com/loyaltybot/loyaltybot/locales"
)

// loadtest measures the POS API end to end on this machine: a private
// PostgreSQL cluster with fsync on (as in production) in a temporary
// folder, the bot against the fake Telegram (customers' messages are really
// sent), the API on loopback, and the load generator posting purchases
// with distinct receipts over keep-alive connections. Everything is
// bounded and removed afterwards; nothing leaves the machine.
func loadtest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if slices.Contains(args, "-chat") || slices.Contains(args, "--chat") {
		return loadtestChat(ctx, args, getenv, stdout, stderr) // loadtest_chat.go
	}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 10*time.Second, "how long to send purchases")
	concurrency := fs.Int("concurrency", 8, "parallel POS clients")
	cards := fs.Int("cards", 20_000, "members (cards) the purchases are spread over")
	history := fs.Int("history", 12, "past purchases per card over the last year, seeded before the run")
	redeemEvery := fs.Int("redeem-every", 0, "every N-th purchase also pays 20 points (0: none)")
	dbOnly := fs.Bool("db", false, "record purchases straight through the domain, without HTTP, to see the database's share")
	noSync := fs.Bool("nosync", false, "run PostgreSQL with fsync off, to see what the disk costs")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	noPgbench := fs.Bool("no-pgbench", false, "skip running the same checkout through pgbench around the POS run")
	pgbenchScript := fs.String("pgbench-script", "", "also write the pgbench script, its command and output to this file")
	rounds := fs.Int("rounds", 0, "split the POS run into this many slices, each between two pgbench slices of its length, against the VM's drift (0: one per 10 s of -duration)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *cards < 1 || *history < 0 || *redeemEvery < 0 || *rounds < 0 {
		fmt.Fprintln(stderr, "loadtest: -cards must be at least 1, -history, -redeem-every and -rounds not negative")
		return errUsage
	}
	if *rounds == 0 {
		*rounds = roundsFor(*duration)
	}
	e, err := loadEnv(getenv, false)
	if err != nil {
		return err
	}
	log := newLogger(io.Discard, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loyaltybot-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) //nolint:errcheck // the postgres user must reach it
	fmt.Fprintf(stdout, "starting PostgreSQL (fsync on) in %s …\n", dir)
	cluster, err := embedded.Start(ctx, embedded.Options{Dir: dir + "/pg", Logger: log, Fast: *noSync})
	if err != nil {
		return err
	}
	a := &app{env: e, log: log, biz: biz, cluster: cluster, now: time.Now}
	defer a.close()
	if err := cluster.EnsureDatabase(ctx, "loyaltybot"); err != nil {
		return err
	}
	if a.db, err = postgres.Open(ctx, cluster.URL("loyaltybot"), dbPoolSize(), postgres.WithClock(a.now)); err != nil {
		return err
	}
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(playgroundBot))
	if err != nil {
		return err
	}
	defer fake.Close()
	a.env.APIURL, a.env.Token = fake.URL(), "loadtest:token"
	if a.env.CardSecret == nil {
		a.env.CardSecret = make([]byte, 32)
		rand.Read(a.env.CardSecret)
	}
	if err := a.wire(playgroundBot); err != nil {
		return err
	}
	if err := a.db.SyncStores(ctx, biz.Stores); err != nil {
		return err
	}
	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBot()
	if err := a.bot.Start(botCtx); err != nil {
		return err
	}
	signer, _ := domain.NewCardSigner(a.env.CardSecret, biz.CardTokenTTL)
	fmt.Fprintf(stdout, "seeding %d members with %d past purchases each …\n", *cards, *history)
	seeded, err := seedLoad(ctx, a, *cards, *history)
	if err != nil {
		return err
	}
	if err := seedBadges(ctx, a, *history); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *dbOnly {
		fmt.Fprintf(stdout, "%d cards, %d clients, %v, database only …\n", *cards, *concurrency, *duration)
		rep, err := loadDB(ctx, a, seeded, *concurrency, *duration, *redeemEvery)
		a.bot.Stop(10 * time.Second)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep)
		return nil
	}
	now := time.Now()
	codes := make([]string, len(seeded.numbers))
	for i, num := range seeded.numbers {
		codes[i] = signer.Code(num, now)
	}
	key := seeded.key
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.httpMux(), ReadHeaderTimeout: 10 * time.Second}
	done := serveHTTP(ctx, srv, ln)
	slice := *duration / time.Duration(*rounds)
	var bench *pgbenchSeries
	if !*noPgbench && *redeemEvery == 0 { // the script replays an accrual
		bench, err = pgbenchFirst(ctx, a, seeded, pgbenchRun{URL: cluster.URL("loyaltybot"),
			Clients: *concurrency, Slice: slice, Dir: dir, Keep: *pgbenchScript}, *rounds, stdout)
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d cards, %d clients, %v …\n", len(codes), *concurrency, *duration)
	stop := func() {
		srv.Shutdown(context.Background())
		<-done
		a.bot.Stop(10 * time.Second)
	}
	var rates []float64
	sent := 0
	for i := range *rounds {
		rep, err := posapi.Load(ctx, posapi.LoadOptions{BaseURL: "http://" + ln.Addr().String(), Key: key,
			Cards: codes, CardOffset: sent, Concurrency: *concurrency, Duration: slice, Currency: biz.Currency,
			RedeemEvery: *redeemEvery})
		sent += rep.Requests
		if err == nil {
			if *rounds > 1 {
				fmt.Fprintf(stdout, "slice %d of %d: ", i+1, *rounds)
			}
			fmt.Fprintln(stdout, rep)
			rates = append(rates, rep.Throughput)
			err = bench.next(ctx, a)
		}
		if err != nil {
			stop()
			return err
		}
	}
	stop()
	return bench.report(rates, stdout)
}

// roundsFor is loadtest's default -rounds: one per 10 s of the POS run,
// so that a minute's run is compared with pgbench slice by slice.
func roundsFor(d time.Duration) int { return max(1, int(d/(10*time.Second))) }

// seeded is what seedLoad made.
type seeded struct {
	shopID  int64
	numbers []string // the cards' numbers
	key     string   // a POS API key of the store
}

// seedLoad creates n members with cards, 1,100 points each and history
// purchases each over the past year, in bulk SQL (joining through the
// chat is not what is measured), then vacuums and analyzes as autovacuum
// would have in a running shop, and makes an API key.
func seedLoad(ctx context.Context, a *app, n, history int) (*seeded, error) {
	key, hash := domain.NewAPIKey()
	var shopID int64
	err := a.db.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, a.biz.Stores[0].Code)
		if err != nil {
			return err
		}
		shopID = shop.ID
		return tx.CreateAPIKey(ctx, shop.ID, hash, domain.APIKeyPrefix(key))
	})
	if err != nil {
		return nil, err
	}
	numbers := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(numbers) < n {
		if num := domain.NewCardNumber(); !seen[num] {
			seen[num] = true
			numbers = append(numbers, num)
		}
	}
	// Seeding skips the foreign-key triggers (the rows are made consistent
	// here), which makes it several times faster; the run itself does not.
	pool := a.db.Pool()
	seed, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer seed.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
	at := a.now()            // seeded history is dated by the business clock, like live rows
	if _, err := seed.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		return nil, err
	}
	if _, err := seed.Exec(ctx, `
		WITH cu AS (
			INSERT INTO customers (telegram_id, chat_id, first_name, phone, language, joined_store_id, joined_at, created_at)
			SELECT 5000000 + i, 5000000 + i, 'Load' || i, '+7900' || lpad(i::text, 7, '0'), $2, $3,
			       $4::timestamptz - interval '400 days', $4::timestamptz - interval '400 days'
			  FROM generate_series(1, cardinality($1::text[])) i
			RETURNING id, telegram_id)
		INSERT INTO cards (customer_id, number, created_at)
		SELECT cu.id, ($1::text[])[cu.telegram_id - 5000000], $4::timestamptz - interval '400 days' FROM cu`,
		numbers, a.biz.DefaultLanguage, shopID, at); err != nil {
		return nil, fmt.Errorf("seed members: %w", err)
	}
	if _, err := seed.Exec(ctx, `
		INSERT INTO purchases (public_id, card_id, customer_id, store_id, source, receipt_id, idempotency_key,
		                       amount, currency, points_earned, points_redeemed, created_at)
		SELECT 'seed-' || c.id || '-' || k, c.id, c.customer_id, $1::bigint, 'pos', 'seed-' || c.id || '-' || k,
		       'pos:' || $1::bigint || ':seed-' || c.id || '-' || k, 10000 + (random() * 490000)::bigint, $2, 0, 0,
		       $4::timestamptz - make_interval(days => k * 360 / $3::int) - random() * interval '1 day'
		  FROM cards c, generate_series(1, $3::int) k`, shopID, a.biz.Currency, history, at); err != nil {
		return nil, fmt.Errorf("seed history: %w", err)
	}
	// Points on every card, for purchases that pay with them: a welcome
	// bonus of 100 promo points that expires within the year (so the
	// shop's expiry index holds every member) and 1,000 earned points.
	// The ledger triggers are off here, so the rows carry their balances
	// and the card is set to match.
	if _, err := seed.Exec(ctx, `
		WITH w AS (
			INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, expires_at, balance_after, created_at)
			SELECT id, 'welcome', 100, 'seed', 'seed-w:' || id, $1::timestamptz + (30 + id % 300) * interval '1 day', 100,
			       $1::timestamptz - interval '2 days' FROM cards
			RETURNING id, card_id, amount, expires_at, created_at),
		e AS (
			INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, balance_after, created_at)
			SELECT id, 'earn', 1000, 'seed', 'seed-e:' || id, 1100, $1::timestamptz - interval '1 day' FROM cards
			RETURNING id, card_id, amount, created_at),
		lots AS (
			INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
			SELECT card_id, id, 'promo', amount, amount, expires_at, created_at FROM w
			UNION ALL
			SELECT card_id, id, 'regular', amount, amount, NULL, created_at FROM e)
		UPDATE cards SET balance = 1100`, at); err != nil {
		return nil, fmt.Errorf("seed points: %w", err)
	}
	// The members' rows /stats reads are kept by triggers, off here.
	if _, err := seed.Exec(ctx, `SELECT customer_activity_rebuild()`); err != nil {
		return nil, fmt.Errorf("seed customer activity: %w", err)
	}
	if err := seed.Commit(ctx); err != nil {
		return nil, err
	}
	for _, t := range []string{"customers", "cards", "purchases", "ledger", "point_lots", "customer_activity"} {
		if _, err := pool.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			return nil, fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return &seeded{shopID: shopID, numbers: numbers, key: key}, nil
}

// loadDB records purchases as the POS API does (the customer's message
// included) but calls the domain directly: the figure to compare with
// raw PostgreSQL on the same machine.
func loadDB(ctx context.Context, a *app, s *seeded, concurrency int, duration time.Duration, redeemEvery int) (posapi.LoadReport, error) {
	run := time.Now().UnixNano()
	return posapi.Drive(ctx, concurrency, duration, 0, func(ctx context.Context, n int64) error {
		receipt := fmt.Sprintf("db-%d-%d", run, n)
		req := domain.PurchaseRequest{
			CardNumber: s.numbers[int(n)%len(s.numbers)], ShopID: s.shopID, Source: domain.SourcePOS,
			ReceiptID: receipt, IdempotencyKey: fmt.Sprintf("pos:%d:%s", s.shopID, receipt),
			Amount: 10_000 + n%490_001, Currency: a.biz.Currency,
		}
		if redeemEvery > 0 && n%int64(redeemEvery) == 0 {
			req.Redeem = 20
		}
		return a.db.Update(ctx, func(tx domain.Tx) error {
			_, err := a.engine.Service.RecordPurchase(ctx, tx, req)
			return err
		})
	})
}
