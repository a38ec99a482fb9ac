package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
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
	// One connection, so the server process that runs the queries is
	// known and its CPU time can be read (when the server is on this
	// machine): on a shared machine the wall time depends on what else
	// runs, the CPU time is what the query costs.
	cfg := a.db.Pool().Config().Copy()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	db := postgres.New(pool, postgres.WithClock(a.now))
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return err
	}
	var customers, purchases int64
	if err := a.db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM purchases)`).
		Scan(&customers, &purchases); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d customers, %d purchases; rules evaluated at %s, %d runs each\n",
		customers, purchases, when.Format(time.RFC3339), *rounds)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "RULE\tKIND\tDUE (≤ batch)\tFIRST ms\tMEDIAN ms\tMAX ms\tSERVER CPU ms\t")
	var total, worst, cpuTotal time.Duration
	cpuKnown := true
	for _, r := range rules {
		if !svc.NudgeMayBeDue(r, when) {
			fmt.Fprintf(w, "%s\t%s\t-\t-\t-\t-\t-\t\n", r.ID, r.Kind)
			continue
		}
		q := svc.NudgeQuery(r, when)
		var took []time.Duration
		n := 0
		cpu0, cpuOK := processCPU(pid)
		for range *rounds {
			start := time.Now()
			err := db.Update(ctx, func(tx domain.Tx) error {
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
		cpu := "-"
		if cpu1, ok := processCPU(pid); ok && cpuOK {
			per := (cpu1 - cpu0) / time.Duration(*rounds)
			cpuTotal += per
			cpu = fmt.Sprintf("%.0f", ms(per))
		} else {
			cpuKnown = false
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%s\t\n", r.ID, r.Kind, n, ms(first), ms(med), ms(took[len(took)-1]), cpu)
	}
	cpu := "-"
	if cpuKnown {
		cpu = fmt.Sprintf("%.0f", ms(cpuTotal))
	}
	fmt.Fprintf(w, "all rules\t\t\t\t%.1f\t%.1f\t%s\t\n", ms(total), ms(worst), cpu)
	if err := w.Flush(); err != nil {
		return err
	}
	if !*explain {
		return nil
	}
	for _, r := range rules {
		if !svc.NudgeMayBeDue(r, when) {
			continue
		}
		plan, err := db.ExplainNudgeRule(ctx, svc.NudgeQuery(r, when), *generic)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n### %s (%s)\n\n%s\n", r.ID, r.Kind, plan)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// processCPU is the CPU time (user and system) a process on this machine
// has used, from /proc (Linux; ticks of 10 ms); false when unknown, as
// for a server on another machine.
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

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
