package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// apikeyList prints the POS API keys: prefix, store, created, revoked. The
// keys themselves were never stored, so they cannot be shown.
func apikeyList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apikey list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := fs.String("store", "", "only the keys of this store")
	pg := fs.Bool("playground", false, "the playground's keys")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
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
	var keys []domain.APIKey
	err = a.db.Update(ctx, func(tx domain.Tx) error {
		keys, err = tx.ListAPIKeys(ctx, domain.APIKeyFilter{ShopID: shopID})
		return err
	})
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintf(stdout, "No POS API keys; `loyaltybot apikey create --store CODE%s` makes one.\n", playgroundFlag(*pg))
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PREFIX\tSTORE\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = stamp(k.RevokedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.Prefix, k.StoreCode, stamp(k.CreatedAt), revoked)
	}
	return w.Flush()
}

// playgroundFlag is " --playground" for a command run with it, so a hint
// it prints names the same database.
func playgroundFlag(pg bool) string {
	if pg {
		return " --playground"
	}
	return ""
}

// stamp writes a time for an admin: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// apikeyRevoke revokes a POS API key by its prefix (or the whole key):
// the API refuses it from the next request on, on every replica.
func apikeyRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apikey revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pg := fs.Bool("playground", false, "revoke a key of the playground")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	ref := fs.Arg(0)
	if err := fs.Parse(fs.Args()[min(1, fs.NArg()):]); err != nil || fs.NArg() > 0 || ref == "" {
		fmt.Fprintln(stderr, "usage: loyaltybot apikey revoke PREFIX [--playground]   (PREFIX as `apikey list` shows it)")
		return errUsage
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	svc := domain.NewService(a.biz, nil, nil, a.now)
	var key *domain.APIKey
	var revoked bool
	err = a.db.Update(ctx, func(tx domain.Tx) error {
		key, revoked, err = svc.RevokeAPIKey(ctx, tx, ref)
		return err
	})
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("no POS API key %q; `loyaltybot apikey list%s` shows the prefixes", domain.APIKeyPrefix(ref), playgroundFlag(*pg))
	case errors.Is(err, domain.ErrConflict):
		return fmt.Errorf("several POS API keys start with %q; give the whole key to revoke one", domain.APIKeyPrefix(ref))
	case err != nil:
		return err
	case !revoked:
		fmt.Fprintf(stdout, "POS API key %s of store %s was revoked already, at %s.\n", key.Prefix, key.StoreCode, stamp(key.RevokedAt))
	default:
		fmt.Fprintf(stdout, "Revoked POS API key %s of store %s: the API refuses it from now on.\n", key.Prefix, key.StoreCode)
	}
	return nil
}
