package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/locales"
)

// serve runs the real bot until SIGTERM, then finishes the updates in hand.
func serve(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	e, err := loadEnv(getenv, true)
	if err != nil {
		return err
	}
	log := newLogger(stderr, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return err
	}
	a := &app{env: e, log: log, biz: biz, now: time.Now}
	a.db, a.cluster, err = openDB(ctx, e, log, filepath.Join(e.DataDir, "pg"), a.now)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.wire(""); err != nil {
		return err
	}
	username, err := a.bot.Username(ctx)
	if err != nil {
		return fmt.Errorf("TELEGRAM_BOT_TOKEN or TELEGRAM_API_URL: %w", err)
	}
	a.engine.BotUsername = username
	ln, err := listen(e.HTTPAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.httpMux(), ReadHeaderTimeout: 10 * time.Second}
	httpDone := serveHTTP(ctx, srv, ln)

	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBot()
	if err := a.startBot(botCtx); err != nil {
		return err
	}
	pollDone := make(chan error, 1)
	if e.WebhookURL != "" {
		hook := strings.TrimRight(e.WebhookURL, "/")
		if err := a.bot.SetWebhook(ctx, hook, e.WebhookSecret); err != nil {
			return err
		}
		log.Info("webhook set", "url", hook, "listen", ln.Addr().String())
		close(pollDone)
	} else {
		go func() { pollDone <- a.bot.Poll(ctx) }()
		log.Info("long polling", "bot", username, "http", ln.Addr().String())
	}
	fmt.Fprintf(stdout, "loyaltybot is running as @%s; health on http://%s/healthz\n", username, ln.Addr())

	select {
	case <-ctx.Done():
	case err := <-httpDone:
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
	}
	log.Info("shutting down: finishing updates in hand")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	<-pollDone // polling stops with ctx; stored updates are handled next start
	err = a.bot.Stop(15 * time.Second)
	stopBot()
	if herr := srv.Shutdown(shutdownCtx); herr != nil && !errors.Is(herr, context.Canceled) {
		log.Error("http shutdown", "err", herr)
	}
	return err
}

// migrate applies the migrations and exits.
func migrate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	e, err := loadEnv(getenv, false)
	if err != nil {
		return err
	}
	log := newLogger(stderr, e)
	a := &app{env: e, log: log, now: time.Now}
	a.db, a.cluster, err = openDB(ctx, e, log, filepath.Join(e.DataDir, "pg"), a.now)
	if err != nil {
		return err
	}
	a.close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
