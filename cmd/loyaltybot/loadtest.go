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
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 10*time.Second, "how long to send purchases")
	concurrency := fs.Int("concurrency", 8, "parallel POS clients")
	cards := fs.Int("cards", 200, "customers (cards) the purchases are spread over")
	noSync := fs.Bool("nosync", false, "run PostgreSQL with fsync off, to see what the disk costs")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	e, err := loadEnv(getenv, false)
	if err != nil {
		return err
	}
	log := newLogger(io.Discard, e.LogLevel)
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
	a := &app{env: e, log: log, biz: biz, cluster: cluster}
	defer a.close()
	if err := cluster.EnsureDatabase(ctx, "loyaltybot"); err != nil {
		return err
	}
	if a.db, err = postgres.Open(ctx, cluster.URL("loyaltybot"), 32); err != nil {
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
	codes, key, err := seedLoad(ctx, a, *cards, signer)
	if err != nil {
		return err
	}
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.httpMux(), ReadHeaderTimeout: 10 * time.Second}
	done := serveHTTP(ctx, srv, ln)
	fmt.Fprintf(stdout, "%d cards, %d clients, %v …\n", len(codes), *concurrency, *duration)
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
	rep, err := posapi.Load(ctx, posapi.LoadOptions{BaseURL: "http://" + ln.Addr().String(), Key: key,
		Cards: codes, Concurrency: *concurrency, Duration: *duration, Currency: biz.Currency})
	srv.Shutdown(context.Background())
	<-done
	a.bot.Stop(10 * time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep)
	return nil
}

// seedLoad creates members with cards directly in the database (joining
// through the chat is not what is measured) and an API key.
func seedLoad(ctx context.Context, a *app, n int, signer *domain.CardSigner) ([]string, string, error) {
	var codes []string
	key, hash := domain.NewAPIKey()
	now := time.Now()
	err := a.db.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, a.biz.Stores[0].Code)
		if err != nil {
			return err
		}
		if err := tx.CreateAPIKey(ctx, shop.ID, hash, key[:7]); err != nil {
			return err
		}
		for i := range n {
			c := &domain.Customer{TelegramID: int64(5_000_000 + i), ChatID: int64(5_000_000 + i),
				FirstName: fmt.Sprint("Load", i), Language: a.biz.DefaultLanguage, JoinedAt: now,
				Phone: fmt.Sprintf("+7900%07d", i)}
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
			if err != nil {
				return err
			}
			codes = append(codes, signer.Code(card.Number, now))
		}
		return nil
	})
	return codes, key, err
}
