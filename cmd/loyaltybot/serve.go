package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
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
	s, err := startServing(ctx, e, biz, log, time.Now, stdout)
	if err != nil {
		return err
	}
	defer s.a.close()
	select {
	case <-ctx.Done():
	case err := <-s.httpDone:
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
	}
	return s.shutdown()
}

// serving is a running serve: one replica of the bot. Tests start two on
// one database, as a deployment behind a balancer does.
type serving struct {
	a        *app
	addr     string // the HTTP listener's address
	srv      *http.Server
	httpDone <-chan error
	pollDone chan error
	stopBot  context.CancelFunc
}

// startServing wires the app on the business clock now and starts
// everything serve runs: HTTP (health, metrics, POS API, webhook), the
// workers, the sender and the jobs, and intake (the webhook, or long
// polling until ctx ends). On error nothing is left running.
func startServing(ctx context.Context, e *env, biz *domain.Business, log *slog.Logger, now func() time.Time, stdout io.Writer) (_ *serving, err error) {
	a := &app{env: e, log: log, biz: biz, now: now}
	a.db, a.cluster, err = openDB(ctx, e, log, filepath.Join(e.DataDir, "pg"), a.now, false)
	if err != nil {
		return nil, err
	}
	s := &serving{a: a, pollDone: make(chan error, 1)}
	defer func() {
		if err != nil {
			if s.stopBot != nil {
				s.stopBot()
			}
			if s.srv != nil {
				s.srv.Close()
			}
			a.close()
		}
	}()
	if err := a.wire(""); err != nil {
		return nil, err
	}
	username, err := a.bot.Username(ctx)
	if err != nil {
		return nil, fmt.Errorf("TELEGRAM_BOT_TOKEN or TELEGRAM_API_URL: %w", err)
	}
	a.engine.BotUsername = username
	ln, err := listen(e.HTTPAddr)
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: a.httpMux(), ReadHeaderTimeout: 10 * time.Second}
	s.httpDone = serveHTTP(ctx, s.srv, ln)

	botCtx, stopBot := context.WithCancel(context.WithoutCancel(ctx))
	s.stopBot = stopBot
	if err := a.startBot(botCtx); err != nil {
		return nil, err
	}
	if e.WebhookURL != "" {
		hook := strings.TrimRight(e.WebhookURL, "/")
		if err := a.bot.SetWebhook(ctx, hook, e.WebhookSecret); err != nil {
			return nil, err
		}
		log.Info("webhook set", "url", hook, "listen", s.addr)
		close(s.pollDone)
	} else {
		go func() { s.pollDone <- a.bot.Poll(ctx) }()
		log.Info("long polling", "bot", username, "http", s.addr)
	}
	fmt.Fprintf(stdout, "loyaltybot is running as @%s; health on http://%s/healthz\n", username, s.addr)
	return s, nil
}

// shutdown finishes the updates in hand once intake has stopped (polling
// stops with the ctx startServing was given), then stops the sender and
// HTTP. The app's database stays open for the caller to close.
func (s *serving) shutdown() error {
	s.a.log.Info("shutting down: finishing updates in hand")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	<-s.pollDone // polling stops with ctx; stored updates are handled next start
	err := s.a.bot.Stop(15 * time.Second)
	s.stopBot()
	if herr := s.srv.Shutdown(shutdownCtx); herr != nil && !errors.Is(herr, context.Canceled) {
		s.a.log.Error("http shutdown", "err", herr)
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
	a.db, a.cluster, err = openDB(ctx, e, log, filepath.Join(e.DataDir, "pg"), a.now, false)
	if err != nil {
		return err
	}
	a.close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
