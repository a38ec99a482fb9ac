package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// pgbenchPath is where Debian's PostgreSQL 15 puts pgbench; $PATH is
// tried after it.
const pgbenchPath = "/usr/lib/postgresql/15/bin/pgbench"

// findPgbench returns the pgbench to run, or "" when there is none.
func findPgbench() string {
	if _, err := os.Stat(pgbenchPath); err == nil {
		return pgbenchPath
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	return ""
}

// seededRange is how the seeded members' ids relate, so that pgbench can
// pick a random member with integer arithmetic alone: card ids first..last
// without gaps, the customer id and the chat id at a fixed distance from
// the card id.
type seededRange struct {
	first, last    int64
	customer, chat int64  // customer id − card id, chat id − card id
	lastCardNumber string // the number of card last
}

// seededIDs reads the seeded members' id layout and refuses one that
// pgbench could not reproduce.
func seededIDs(ctx context.Context, a *app) (seededRange, error) {
	var r seededRange
	var n, minCu, maxCu, minChat, maxChat int64
	err := a.db.Pool().QueryRow(ctx, `
		SELECT min(c.id), max(c.id), count(*), min(c.customer_id - c.id), max(c.customer_id - c.id),
		       min(cu.chat_id - c.id), max(cu.chat_id - c.id)
		  FROM cards c JOIN customers cu ON cu.id = c.customer_id
		 WHERE cu.telegram_id >= 5000000`).Scan(&r.first, &r.last, &n, &minCu, &maxCu, &minChat, &maxChat)
	if err != nil {
		return r, fmt.Errorf("seeded ids: %w", err)
	}
	if r.last-r.first+1 != n || minCu != maxCu || minChat != maxChat {
		return r, errors.New("seeded ids: cards are not contiguous or customers not at a fixed distance; pgbench cannot pick members")
	}
	r.customer, r.chat = minCu, minChat
	err = a.db.Pool().QueryRow(ctx, `SELECT number FROM cards WHERE id = $1`, r.last).Scan(&r.lastCardNumber)
	return r, err
}

// seedBadges gives the seeded members the badges their history earned
// (first purchase, N visits for N up to the history: the seeded purchases
// are a month apart, each a visit), as a running shop's members have them.
// Without it the run's first purchase on each card would award them, and
// the run would measure a one-off catch-up instead of a steady state.
func seedBadges(ctx context.Context, a *app, history int) error {
	var ids []string
	for _, b := range a.biz.Gamification.Badges {
		switch {
		case !b.Enabled:
		case b.Kind == domain.BadgeFirstPurchase && history >= 1,
			b.Kind == domain.BadgeVisits && b.Count <= history:
			ids = append(ids, b.ID)
		}
	}
	if len(ids) == 0 {
		return settle(ctx, a)
	}
	_, err := a.db.Pool().Exec(ctx, `
		INSERT INTO badge_awards (badge, customer_id, occurrence, points, awarded_at)
		SELECT b, cu.id, '', 0, $2::timestamptz - interval '30 days'
		  FROM customers cu, unnest($1::text[]) b WHERE cu.telegram_id >= 5000000
		ON CONFLICT DO NOTHING`, ids, a.now())
	if err != nil {
		return fmt.Errorf("seed badges: %w", err)
	}
	if _, err = a.db.Pool().Exec(ctx, `VACUUM ANALYZE badge_awards`); err != nil {
		return err
	}
	return settle(ctx, a)
}

// settle writes the seeding's dirty pages out before a measured phase, so
// that neither the POS run nor pgbench pays for the other's checkpoint.
func settle(ctx context.Context, a *app) error {
	_, err := a.db.Pool().Exec(ctx, "CHECKPOINT")
	return err
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// runPgbench runs the script against the database at url (pgbench takes
// the same URL) with the given clients, for the length given in pgbench's
// words (-T seconds or -t transactions), and reads the rate it reports.
func runPgbench(ctx context.Context, pgbench, url string, s *benchScript, length []string,
	clients int, dir string) (float64, string, error) {
	if err := os.WriteFile(filepath.Join(dir, "pgbench-checkout.sql"), []byte(s.Text), 0o644); err != nil {
		return 0, "", err
	}
	cmd := exec.CommandContext(ctx, pgbench, pgbenchArgs(s, dir, length, clients, url)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, out.String(), fmt.Errorf("pgbench: %w\n%s", err, lastLines(out.String(), 15))
	}
	m := tpsLine.FindStringSubmatch(out.String())
	if m == nil {
		return 0, out.String(), fmt.Errorf("pgbench: no rate in its output:\n%s", lastLines(out.String(), 15))
	}
	tps, err := strconv.ParseFloat(m[1], 64)
	return tps, out.String(), err
}

// pgbenchArgs: no vacuum of pgbench's own tables (there are none),
// prepared statements as pgx's statement cache does, a thread per client
// as the POS run has a goroutine per client.
func pgbenchArgs(s *benchScript, dir string, length []string, clients int, url string) []string {
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(clients),
		"-f", filepath.Join(dir, "pgbench-checkout.sql")}
	args = append(args, length...)
	for _, def := range s.Defines {
		args = append(args, "-D", def)
	}
	return append(args, url)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// pgbenchRun says how to run pgbench beside the POS run.
type pgbenchRun struct {
	URL     string // the loadtest database
	Clients int
	Time    time.Duration // the POS run's; pgbench runs half before it, half after
	Dir     string        // where the script is written
	Keep    string        // also copy the script and its pgbench command here ("": no)
}

// pgbenchPair is pgbench run for half the POS run's time before it and
// half after it: on a machine shared with other work the load drifts,
// and bracketing the POS run lets a drift weigh on both sides alike.
type pgbenchPair struct {
	pgbench string
	run     pgbenchRun
	script  *benchScript
	length  []string
	before  float64
	out     string
}

// pgbenchBefore makes the pgbench script from a purchase the POS path
// really sent and runs its first half. It returns nil (and says so) when
// there is no pgbench.
func pgbenchBefore(ctx context.Context, a *app, s *seeded, r pgbenchRun, stdout io.Writer) (*pgbenchPair, error) {
	p := &pgbenchPair{pgbench: findPgbench(), run: r}
	if p.pgbench == "" {
		fmt.Fprintln(stdout, "pgbench not found (it comes with PostgreSQL's server package): no comparison")
		return nil, nil
	}
	var err error
	if p.script, err = makeCheckoutScript(ctx, a, r.URL, s); err != nil {
		return nil, err
	}
	half := max(1, int((r.Time/2).Round(time.Second)/time.Second))
	p.length = []string{"-T", strconv.Itoa(half)}
	fmt.Fprintf(stdout, "pgbench: the same accrual, statement for statement, in the bot's %d round trips "+
		"(its batches as \\startpipeline … \\endpipeline), %d clients, %ds before the POS run and %ds after …\n",
		p.script.Trips, r.Clients, half, half)
	if p.before, err = p.half(ctx, a); err != nil {
		return nil, err
	}
	return p, settle(ctx, a)
}

// after runs the second half and prints both rates and their ratio.
func (p *pgbenchPair) after(ctx context.Context, a *app, posRate float64, stdout io.Writer) error {
	if p == nil {
		return nil
	}
	tps, err := p.half(ctx, a)
	if p.run.Keep != "" {
		var cmd []string
		for _, arg := range pgbenchArgs(p.script, p.run.Dir, p.length, p.run.Clients, p.run.URL) {
			cmd = append(cmd, "'"+strings.ReplaceAll(arg, "'", `'\''`)+"'")
		}
		keep := p.script.Text + "\n-- pgbench " + strings.Join(cmd, " ") +
			"\n-- " + strings.ReplaceAll(strings.TrimSpace(p.out), "\n", "\n-- ") + "\n"
		if werr := os.WriteFile(p.run.Keep, []byte(keep), 0o644); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	mean := (p.before + tps) / 2
	fmt.Fprintf(stdout, "POS API %.0f purchases/s, pgbench %.0f transactions/s (%.0f before, %.0f after): ratio %.2f\n",
		posRate, mean, p.before, tps, posRate/mean)
	return nil
}

// half runs pgbench once, after a checkpoint.
func (p *pgbenchPair) half(ctx context.Context, a *app) (float64, error) {
	if err := settle(ctx, a); err != nil {
		return 0, err
	}
	tps, out, err := runPgbench(ctx, p.pgbench, p.run.URL, p.script, p.length, p.run.Clients, p.run.Dir)
	p.out = out
	return tps, err
}

// makeCheckoutScript captures a steady-state POS accrual on the last
// seeded card and makes the pgbench script that replays it.
func makeCheckoutScript(ctx context.Context, a *app, url string, s *seeded) (*benchScript, error) {
	ids, err := seededIDs(ctx, a)
	if err != nil {
		return nil, err
	}
	code := a.engine.Service.Signer.Code(ids.lastCardNumber, a.now())
	c, err := captureCheckout(ctx, a, url, s.key, code, 2)
	if err != nil {
		return nil, err
	}
	types, err := paramTypes(ctx, a, c)
	if err != nil {
		return nil, err
	}
	return checkoutScript(c, ids, types, &a.biz.Program)
}

// paramTypes asks the server for each captured statement's parameter
// types, as it inferred them when pgx prepared it.
func paramTypes(ctx context.Context, a *app, c *capturedCheckout) (map[string][]paramType, error) {
	conn, err := a.db.Pool().Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	out := map[string][]paramType{}
	for _, t := range c.Trips {
		for _, st := range t.Statements {
			if len(st.Args) == 0 || out[st.SQL] != nil {
				continue
			}
			desc, err := conn.Conn().PgConn().Prepare(ctx, "", st.SQL, nil)
			if err != nil {
				return nil, fmt.Errorf("describe %q: %w", firstLine(st.SQL), err)
			}
			ts := make([]paramType, len(desc.ParamOIDs))
			for i, oid := range desc.ParamOIDs {
				ts[i].OID = oid
				if err := conn.QueryRow(ctx, `SELECT format_type($1, NULL)`, oid).Scan(&ts[i].Name); err != nil {
					return nil, err
				}
			}
			out[st.SQL] = ts
		}
	}
	return out, nil
}

func firstLine(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexByte(sql, '\n'); i > 0 {
		return sql[:i]
	}
	return sql
}
