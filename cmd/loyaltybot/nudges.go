package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const nudgesUsage = `usage:
  loyaltybot nudges dry-run [--rule ID] [--at TIME] [--json] [--playground]
      who the nudge rules would reach and why, without sending anything;
      --at takes RFC 3339 (2026-12-31T10:00:00+03:00) or a date (2026-12-31,
      noon in the first store's time zone)
  loyaltybot nudges bench [--at TIME] [--rule ID] [--rounds 7] [--defaults] [--explain [--generic]] [--playground]
      time each rule's query on this database (fill one with loyaltybot seed)`

// nudges runs the nudge engine's admin commands (dry-run, bench).
func nudges(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "bench" {
		return nudgesBench(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "dry-run" {
		fmt.Fprintln(stderr, nudgesUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("nudges dry-run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rule := fs.String("rule", "", "one rule's id (default: every enabled rule)")
	at := fs.String("at", "", "the time to evaluate at (default: now)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	pg := fs.Bool("playground", false, "the playground's database")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	when := a.now()
	if *at != "" {
		if when, err = parseAt(*at, a.biz); err != nil {
			return err
		}
	}
	svc := domain.NewService(a.biz, nil, nil, a.now)
	plans, err := svc.DryRunNudges(ctx, a.db, *rule, when)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, p := range plans {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tCUSTOMER\tTELEGRAM\tGROUP\tSEND AT\tWHY")
	for _, p := range plans {
		group := "send"
		switch {
		case p.Skipped != "":
			group = "skip: " + p.Skipped
		case p.HeldOut:
			group = "held out"
		}
		why := p.Reason
		if p.Offer != "" {
			why += "; offer: " + p.Offer
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\n", p.Rule, p.CustomerID, p.TelegramID, group, p.SendAt.Format(time.RFC3339), why)
	}
	fmt.Fprintf(w, "%d customers at %s\n", len(plans), when.Format(time.RFC3339))
	return w.Flush()
}

// parseAt reads --at: RFC 3339, or a date taken at noon in the first
// store's time zone.
func parseAt(s string, b *domain.Business) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation(b.Stores[0].TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at: %q is neither RFC 3339 (2026-12-31T10:00:00+03:00) nor a date (2026-12-31)", s)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc), nil // noon on a clock-change day too
}
