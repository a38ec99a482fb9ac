package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
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

// provisionPlayground makes the page's cashier and owner staff.
func provisionPlayground(ctx context.Context, a *app) error {
	if err := a.db.SyncStores(ctx, a.biz.Stores); err != nil {
		return err
	}
	return a.db.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, a.biz.Stores[0].Code)
		if err != nil {
			return err
		}
		for _, st := range []*domain.Staff{
			{TelegramID: playgroundCashier, ChatID: playgroundCashier, FirstName: "Boris", Role: domain.RoleCashier, ShopID: shop.ID},
			{TelegramID: playgroundOwner, ChatID: playgroundOwner, FirstName: "Olga", Role: domain.RoleOwner},
		} {
			if err := tx.SaveStaff(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
}

// playground runs everything on embedded defaults: a private PostgreSQL,
// the fake Bot API, the demo business config and a web page with three
// chats side by side. Nothing to configure, nothing leaves the machine.
func playground(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "address of the web page (default $HTTP_ADDR or 127.0.0.1:8080)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	e, err := loadEnv(getenv, false)
	if err != nil {
		return err
	}
	if *addr != "" {
		e.HTTPAddr = *addr
	}
	log := newLogger(stderr, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return err
	}
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(playgroundBot), tgfake.WithWebHint(
		"Customer: send /start s_"+biz.Stores[0].Code+" to join at the register. "+
			"Cashier: 📷 scan the customer's card QR, or /scan and type the code. Owner: /staff."))
	if err != nil {
		return fmt.Errorf("fake Bot API: %w", err)
	}
	defer fake.Close()
	e.APIURL, e.Token, e.WebhookURL, e.WebhookSecret = fake.URL(), "playground:token", "", ""

	biz.Owners = append(biz.Owners, playgroundOwner)
	a := &app{env: e, log: log, biz: biz, now: time.Now}
	pgDir := filepath.Join(e.DataDir, "playground", "pg")
	a.db, a.cluster, err = openDB(ctx, e, log, pgDir, a.now)
	if errors.Is(err, embedded.ErrUnreachable) && e.DatabaseURL == "" {
		// Run as root from a private folder (e.g. under /root): the
		// playground is disposable, so keep its data where postgres can.
		pgDir = filepath.Join(os.TempDir(), "loyaltybot-playground", "pg")
		log.Warn("data folder not reachable by the postgres user; using a shared one", "dir", pgDir)
		a.db, a.cluster, err = openDB(ctx, e, log, pgDir, a.now)
	}
	if err != nil {
		return err
	}
	defer a.close()
	if err := provisionPlayground(ctx, a); err != nil {
		return err
	}
	if err := a.wire(playgroundBot); err != nil {
		return err
	}
	ln, err := listen(e.HTTPAddr)
	if err != nil {
		return err
	}
	mux := a.httpMux()
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

	fmt.Fprintf(stdout, "loyaltybot playground is running: open http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "  chats: customer, cashier and owner side by side; send /start, or /start s_%s as if scanned at the register\n", biz.Stores[0].Code)
	fmt.Fprintf(stdout, "  data: %s (delete it to start over); Ctrl+C stops\n", filepath.Dir(pgDir))

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
