package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgesBench times each rule's query (one batch of the engine's tick) on
// the database as it is, typically one filled by loyaltybot seed: the
// figure the README quotes. Every rule is evaluated, a holiday's too on
// any day (the engine skips it on other days), so the total is the worst
// case. Nothing is written.
func nudgesBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nudges bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	at := fs.String("at", "", "the time to evaluate at (default: the latest purchase, the seeded \"now\")")
	rule := fs.String("rule", "", "one rule's id (default: every enabled rule)")
	rounds := fs.Int("rounds", 7, "runs of each rule; the median is reported")
	defaults := fs.Bool("defaults", false, "the built-in rules (domain.DefaultNudges) instead of the config's")
	explain := fs.Bool("explain", false, "print each rule's EXPLAIN (ANALYZE, BUFFERS)")
	generic := fs.Bool("generic", false, "with --explain: the generic plan a reused prepared statement gets")
	pg := fs.Bool("playground", false, "the playground's database")
	if err := fs.Parse(args); err != nil || *rounds < 1 {
		return errUsage
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	when, err := benchTime(ctx, a, *at)
	if err != nil {
		return err
	}
	biz := *a.biz
	if *defaults {
		biz.Nudges = domain.DefaultNudges()
	}
	svc := domain.NewService(&biz, nil, nil, a.now)
	rules := biz.Nudges.ByPriority()
	if *rule != "" {
		r, ok := biz.Nudges.Rule(*rule)
		if !ok {
			return fmt.Errorf("--rule: no nudge rule %q", *rule)
		}
		rules = []domain.NudgeRule{*r}
	}
	var customers, purchases int64
	if err := a.db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM purchases)`).
		Scan(&customers, &purchases); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d customers, %d purchases; rules evaluated at %s, %d runs each\n",
		customers, purchases, when.Format(time.RFC3339), *rounds)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "RULE\tKIND\tDUE (≤ batch)\tFIRST ms\tMEDIAN ms\tMAX ms\t")
	var total, worst time.Duration
	for _, r := range rules {
		q := svc.NudgeQuery(r, when)
		var took []time.Duration
		n := 0
		for range *rounds {
			start := time.Now()
			err := a.db.Update(ctx, func(tx domain.Tx) error {
				dues, err := tx.ListNudgesDue(ctx, q)
				n = len(dues)
				return err
			})
			if err != nil {
				return err
			}
			took = append(took, time.Since(start))
		}
		first := took[0]
		slices.Sort(took)
		med := took[len(took)/2]
		total += med
		worst += took[len(took)-1]
		fmt.Fprintf(w, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t\n", r.ID, r.Kind, n, ms(first), ms(med), ms(took[len(took)-1]))
	}
	fmt.Fprintf(w, "all rules\t\t\t\t%.1f\t%.1f\t\n", ms(total), ms(worst))
	if err := w.Flush(); err != nil {
		return err
	}
	if !*explain {
		return nil
	}
	for _, r := range rules {
		plan, err := a.db.ExplainNudgeRule(ctx, svc.NudgeQuery(r, when), *generic)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n### %s (%s)\n\n%s\n", r.ID, r.Kind, plan)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchTime is --at, or the latest purchase's time (the "now" a seeded
// database ends at), or now.
func benchTime(ctx context.Context, a *app, at string) (time.Time, error) {
	if at != "" {
		return parseAt(at, a.biz)
	}
	var last *time.Time
	if err := a.db.Pool().QueryRow(ctx, `SELECT max(created_at) FROM purchases`).Scan(&last); err != nil {
		return time.Time{}, err
	}
	if last == nil {
		return a.now(), nil
	}
	return *last, nil
}
