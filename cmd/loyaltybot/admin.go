package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
	"github.com/loyaltybot/loyaltybot/locales"
)

// adminDB opens the database an admin command works on: the playground's
// with --playground, else DATABASE_URL or the embedded default.
func adminDB(ctx context.Context, getenv func(string) string, stderr io.Writer, playground bool) (*app, error) {
	e, err := loadEnv(getenv, false)
	if err != nil {
		return nil, err
	}
	log := newLogger(stderr, e)
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		return nil, err
	}
	a := &app{env: e, log: log, biz: biz, now: time.Now}
	if playground {
		e.DatabaseURL = "" // the playground's own cluster, as the playground itself
		// The playground's rows are dated by its business clock, which
		// may be days ahead of the wall clock: invitations, keys and
		// dry-runs go by it too.
		if st, fresh, err := loadPlayState(playgroundDir(e)); err == nil && !fresh {
			off := st.ClockOffset
			a.now = func() time.Time { return time.Now().Add(off) }
		}
	}
	a.db, a.cluster, err = openDB(ctx, e, log, pgDir(e, playground), a.now, true)
	if err != nil {
		return nil, err
	}
	if err := a.db.SyncStores(ctx, biz.Stores); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// pgDir is the embedded cluster's folder an admin command works on: the
// playground's with --playground.
func pgDir(e *env, playground bool) string {
	if playground {
		return filepath.Join(playgroundDir(e), "pg")
	}
	return filepath.Join(e.DataDir, "pg")
}

// playgroundDir is the playground's data folder: $LOYALTYBOT_DATA/playground,
// or the shared one the playground falls back to when run as root from a
// folder the postgres user cannot reach.
func playgroundDir(e *env) string {
	dir := filepath.Join(e.DataDir, "playground")
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		if _, err := os.Stat(filepath.Join(playgroundFallbackDir(e), "state.json")); err == nil {
			return playgroundFallbackDir(e)
		}
	}
	return dir
}

// findShop resolves --store; empty means none.
func findShop(ctx context.Context, a *app, code string) (int64, error) {
	if code == "" {
		return 0, nil
	}
	var id int64
	err := a.db.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, code)
		if err != nil {
			return fmt.Errorf("--store %q: no such store in the business config", code)
		}
		id = shop.ID
		return nil
	})
	return id, err
}

// invite prints a one-time staff invitation link on its last line.
func invite(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	roleName := fs.String("role", "", "owner, manager or cashier")
	store := fs.String("store", "", "store code (required for managers and cashiers)")
	botName := fs.String("bot", "", "bot username for the link (default: asked from Telegram, or the playground bot)")
	pg := fs.Bool("playground", false, "invite into the playground's database")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	role, ok := domain.ParseRole(*roleName)
	if !ok {
		return fmt.Errorf("--role: %q must be owner, manager or cashier", *roleName)
	}
	if role != domain.RoleOwner && *store == "" {
		return fmt.Errorf("--store: a %s works at a store; name its code", role)
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	username := *botName
	if username == "" {
		username, err = a.botUsername(ctx, *pg)
		if err != nil {
			return err
		}
	}
	shopID, err := findShop(ctx, a, *store)
	if err != nil {
		return err
	}
	var token string
	svc := domain.NewService(a.biz, nil, nil, a.now)
	err = a.db.Update(ctx, func(tx domain.Tx) error {
		var err error
		token, err = svc.Invite(ctx, tx, nil, role, shopID)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "One-time %s invitation, valid for %d hours. Open it in Telegram on the new %s's phone:\n", role, int(domain.InviteTTL/time.Hour), role)
	fmt.Fprintln(stdout, flows.InviteLink(username, token))
	return nil
}

// botUsername asks Telegram (or knows the playground's name).
func (a *app) botUsername(ctx context.Context, playground bool) (string, error) {
	if playground || a.env.Token == "" {
		if !playground {
			return "", fmt.Errorf("TELEGRAM_BOT_TOKEN: not set; pass --bot USERNAME or --playground")
		}
		return playgroundBot, nil
	}
	if err := a.wire(""); err != nil {
		return "", err
	}
	return a.bot.Username(ctx)
}

// apikeyUsage lists the apikey subcommands.
const apikeyUsage = `usage:
  loyaltybot apikey create --store CODE [--playground]   print a new key for a store
  loyaltybot apikey list [--store CODE] [--playground]   the keys: prefix, store, created, revoked
  loyaltybot apikey revoke PREFIX [--playground]         refuse a key from now on`

// apikey runs the POS API key commands (create, list, revoke).
func apikey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, apikeyUsage)
		return errUsage
	}
	switch args[0] {
	case "create":
		return apikeyCreate(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return apikeyList(ctx, args[1:], getenv, stdout, stderr)
	case "revoke":
		return apikeyRevoke(ctx, args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintln(stderr, apikeyUsage)
	return errUsage
}

// apikeyCreate creates a POS API key and prints it alone on its last line.
func apikeyCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := fs.String("store", "", "store code the key belongs to")
	pg := fs.Bool("playground", false, "create the key in the playground's database")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *store == "" {
		return fmt.Errorf("--store: name the store code the key belongs to")
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	shopID, err := findShop(ctx, a, *store)
	if err != nil {
		return err
	}
	key, hash := domain.NewAPIKey()
	err = a.db.Update(ctx, func(tx domain.Tx) error { return tx.CreateAPIKey(ctx, shopID, hash, domain.APIKeyPrefix(key)) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "POS API key for store %s (shown once; store it in the POS as a Bearer token):\n", *store)
	fmt.Fprintln(stdout, key)
	return nil
}
