// Command loyaltybot runs a shop's loyalty program as a Telegram bot.
//
//	loyaltybot playground   everything on embedded defaults, in a browser
//	loyaltybot serve        the real bot (TELEGRAM_BOT_TOKEN, CARD_SECRET, …)
//	loyaltybot migrate      apply database migrations and exit
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // store time zones work on machines without tzdata
)

// gcPercent is the garbage collector's default here (GOGC overrides it):
// when every /card allocated about 400 KB in go-qrcode, at Go's default of
// 100 the collector ran several times a second under load, and at 200 the
// chat load run needed 7–9 % less CPU per update, for about 30 MiB more
// RSS (120 MiB at the peak, the fake Telegram and the simulated people
// included; the target is 150). The fork in bot/internal/qrcode
// allocates 16 KB a card; measured again with it (two 90-s pairs side by
// side, positions swapped), 200 still costs the process 1.3-4.6 % less
// CPU per update than 100, for about 18 MiB more RSS (85 against 68 MiB).
const gcPercent = 200

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "loyaltybot:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `loyaltybot runs a shop's loyalty program as a Telegram bot.

Usage:
  loyaltybot playground   run everything on embedded defaults and open the
                          three-chat web page (no token, no setup)
  loyaltybot serve        run the bot against Telegram
  loyaltybot migrate      apply database migrations and exit
  loyaltybot backup [--out FILE] [--playground]
                          write the whole database to a file (pg_dump), beside the running bot
  loyaltybot restore FILE [--playground]
                          replace the database with a backup, all or nothing (bot stopped)
  loyaltybot invite --role owner|manager|cashier [--store CODE] [--bot USERNAME] [--playground]
                          print a one-time staff invitation link
  loyaltybot apikey create --store CODE [--playground]
                          print a new POS API key for a store
  loyaltybot apikey list [--store CODE] [--playground]
                          list the POS API keys (never the keys themselves)
  loyaltybot apikey revoke PREFIX [--playground]
                          refuse a POS API key from now on
  loyaltybot nudges dry-run [--rule ID] [--at TIME] [--json] [--playground]
                          who the nudge rules would reach at once (or at TIME), and why
  loyaltybot nudges bench [--at TIME] [--rule ID] [--explain] [--playground]
                          time each nudge rule's query on this database
  loyaltybot seed [-customers 1000000] [-purchases 10000000] [-seed 1] [-at TIME] [--playground]
                          fill an empty database with generated history, for benchmarks
  loyaltybot loadtest [-duration 10s] [-concurrency 8] [-cards 20000]
                          measure the POS API on this machine (fsync on)
  loyaltybot loadtest -chat [-duration 1m] [-customers 500] [-cashiers 50] [-pos 2] [-pos-rate 0] [-webhook]
                          drive the whole bot through a fake Telegram: joins, cards,
                          checkouts, ratings, topics, with POS purchases alongside

Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, DATABASE_URL, CARD_SECRET,
HTTP_ADDR, WEBHOOK_URL, WEBHOOK_SECRET, LOG_LEVEL, SEND_RATE, LOYALTYBOT_CONFIG,
LOYALTYBOT_DATA (see README.md).
`

// run is the whole program; main only supplies the process's world, so an
// end-to-end test can call run directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve", "migrate":
		// They take no arguments: "migrate --playground" or "serve --help"
		// must not migrate or start the shop's bot as if plain.
		if len(args) > 1 {
			if h := args[1]; h == "-h" || h == "--help" || h == "help" {
				fmt.Fprint(stdout, usage)
				return nil
			}
			fmt.Fprintf(stderr, "%s takes no arguments, got %q\n\n%s", args[0], args[1], usage)
			return errUsage
		}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, getenv, stdout, stderr)
	case "playground":
		return playground(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, getenv, stdout, stderr)
	case "invite":
		return invite(ctx, args[1:], getenv, stdout, stderr)
	case "apikey":
		return apikey(ctx, args[1:], getenv, stdout, stderr)
	case "loadtest":
		return loadtest(ctx, args[1:], getenv, stdout, stderr)
	case "nudges":
		return nudges(ctx, args[1:], getenv, stdout, stderr)
	case "seed":
		return seed(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return backup(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return restore(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}
