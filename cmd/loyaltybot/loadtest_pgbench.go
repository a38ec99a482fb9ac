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
	"slices"
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
	Slice   time.Duration // the length of one POS slice, and of each pgbench slice
	Dir     string        // where the script is written
	Keep    string        // also copy the script and its pgbench command here ("": no)
}

// pgbenchSeries is pgbench run in slices interleaved with the POS run's:
// one before the first POS slice and one after each. The VM's speed drifts
// by up to a fifth within minutes; each POS slice is compared with the
// pgbench slices on either side of it, so that a drift weighs on both alike.
// With one round this is pgbench for half the POS run's time before it and
// half after it.
type pgbenchSeries struct {
	pgbench string
	run     pgbenchRun
	script  *benchScript
	length  []string
	rates   []float64 // each pgbench slice's transactions a second
	out     string
}

// pgbenchFirst makes the pgbench script from a purchase the POS path
// really sent and runs the first slice. It returns nil (and says so) when
// there is no pgbench.
func pgbenchFirst(ctx context.Context, a *app, s *seeded, r pgbenchRun, rounds int, stdout io.Writer) (*pgbenchSeries, error) {
	p := &pgbenchSeries{pgbench: findPgbench(), run: r}
	if p.pgbench == "" {
		fmt.Fprintln(stdout, "pgbench not found (it comes with PostgreSQL's server package): no comparison")
		return nil, nil
	}
	var err error
	if p.script, err = makeCheckoutScript(ctx, a, r.URL, s); err != nil {
		return nil, err
	}
	slice := r.Slice
	if rounds == 1 {
		slice /= 2
	}
	secs := max(1, int(slice.Round(time.Second)/time.Second))
	p.length = []string{"-T", strconv.Itoa(secs)}
	when := fmt.Sprintf("%ds before the POS run and %ds after", secs, secs)
	if rounds > 1 {
		when = fmt.Sprintf("%ds before each of %d POS slices and after the last", secs, rounds)
	}
	fmt.Fprintf(stdout, "pgbench: the same accrual, statement for statement, in the bot's %d round trips "+
		"(its batches as \\startpipeline … \\endpipeline), %d clients, %s …\n", p.script.Trips, r.Clients, when)
	return p, p.next(ctx, a)
}

// next runs one more pgbench slice, after a checkpoint, and checkpoints
// again for the POS slice that follows: neither pays for the other's
// dirty pages.
func (p *pgbenchSeries) next(ctx context.Context, a *app) error {
	if p == nil {
		return nil
	}
	if err := settle(ctx, a); err != nil {
		return err
	}
	tps, out, err := runPgbench(ctx, p.pgbench, p.run.URL, p.script, p.length, p.run.Clients, p.run.Dir)
	p.out = out
	if err != nil {
		return err
	}
	p.rates = append(p.rates, tps)
	return settle(ctx, a)
}

// report prints the POS rate against pgbench's, and with more than one
// round each round's ratio (a POS slice against the mean of the pgbench
// slices on either side of it) and their median.
func (p *pgbenchSeries) report(pos []float64, stdout io.Writer) error {
	if p == nil {
		return nil
	}
	if p.run.Keep != "" {
		var cmd []string
		for _, arg := range pgbenchArgs(p.script, p.run.Dir, p.length, p.run.Clients, p.run.URL) {
			cmd = append(cmd, "'"+strings.ReplaceAll(arg, "'", `'\''`)+"'")
		}
		keep := p.script.Text + "\n-- pgbench " + strings.Join(cmd, " ") +
			"\n-- " + strings.ReplaceAll(strings.TrimSpace(p.out), "\n", "\n-- ") + "\n"
		if err := os.WriteFile(p.run.Keep, []byte(keep), 0o644); err != nil {
			return err
		}
	}
	if len(p.rates) != len(pos)+1 {
		return fmt.Errorf("pgbench: %d slices for %d POS slices", len(p.rates), len(pos))
	}
	var posSum, benchSum float64
	ratios := make([]float64, len(pos))
	for i, r := range pos {
		posSum += r
		ratios[i] = r / ((p.rates[i] + p.rates[i+1]) / 2)
	}
	for _, r := range p.rates {
		benchSum += r
	}
	posMean, benchMean := posSum/float64(len(pos)), benchSum/float64(len(p.rates))
	if len(pos) == 1 {
		fmt.Fprintf(stdout, "POS API %.0f purchases/s, pgbench %.0f transactions/s (%.0f before, %.0f after): ratio %.2f\n",
			posMean, benchMean, p.rates[0], p.rates[1], posMean/benchMean)
		return nil
	}
	fmt.Fprintf(stdout, "pgbench slices: %s transactions/s\n", joinFloats(p.rates, 0))
	fmt.Fprintf(stdout, "POS API %.0f purchases/s, pgbench %.0f transactions/s (%d rounds: %s): ratio %.2f, median of the rounds %.2f\n",
		posMean, benchMean, len(pos), joinFloats(ratios, 2), posMean/benchMean, median(ratios))
	return nil
}

// joinFloats writes xs with prec decimals, separated by commas.
func joinFloats(xs []float64, prec int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', prec, 64)
	}
	return strings.Join(parts, ", ")
}

// median returns the middle value of xs (the mean of the two middle ones
// for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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
