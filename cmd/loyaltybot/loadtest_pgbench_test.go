package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/locales"
)

// purchaseShape is what a purchase wrote, with its own values (ids,
// amounts, times, receipt) reduced to how they relate, so the bot's
// purchase and pgbench's can be compared.
const purchaseShape = `
SELECT jsonb_build_object(
  'purchase', jsonb_build_object('store', p.store_id, 'staff', p.staff_id, 'source', p.source,
      'currency', p.currency, 'redeemed', p.points_redeemed, 'categories', p.categories, 'flags', p.flags,
      'card_is_the_customers', p.card_id = (SELECT id FROM cards WHERE customer_id = p.customer_id),
      'key_is_the_receipts', p.idempotency_key = 'pos:' || p.store_id || ':' || p.receipt_id,
      'earned', p.points_earned = p.amount * $2 / $3, 'request_hash', length(p.request_hash)),
  'ledger', (SELECT jsonb_agg(jsonb_build_object('kind', g.kind, 'amount', g.amount = p.points_earned,
      'key', replace(g.idempotency_key, p.public_id, 'P'), 'expires', g.expires_at IS NULL,
      'lots', (SELECT jsonb_agg(jsonb_build_object('kind', l.kind, 'amount', l.amount = g.amount,
                 'remaining', l.remaining = l.amount)) FROM point_lots l WHERE l.ledger_id = g.id))
      ORDER BY g.id) FROM ledger g WHERE g.reason = p.public_id),
  'message', (SELECT count(*) > 0 FROM outbox o JOIN customers cu ON cu.chat_id = o.chat_id
                WHERE cu.id = p.customer_id AND o.created_at >= p.created_at
                  AND o.created_at < p.created_at + interval '1 second' AND o.payload ? 'text'),
  'activity', (SELECT a.last_purchase_at >= p.created_at AND a.purchases > 0 FROM customer_activity a
                WHERE a.customer_id = p.customer_id))
  FROM purchases p WHERE p.public_id = $1`

// TestPgbenchReplaysTheBotsCheckout keeps the pgbench script in step with
// the bot: the script is made from a purchase captured from the POS API
// handler, and pgbench running it must write what that purchase wrote
// (the purchase, its ledger row and lot, the customer's message, the
// activity the trigger keeps), for random members and amounts, without
// a failed transaction.
func TestPgbenchReplaysTheBotsCheckout(t *testing.T) {
	pgbench := findPgbench()
	if pgbench == "" {
		t.Fatal("pgbench not found: it comes with PostgreSQL's server package (postgresql-15)")
	}
	ctx := t.Context()
	url := pgtest.NewDB(t)
	e, err := loadEnv(envFunc(map[string]string{}), false)
	if err != nil {
		t.Fatal(err)
	}
	biz, err := readBusiness(e.ConfigPath, locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	// A Sunday morning: the example config's weekday-afternoon promotion
	// would double the points, and the calendar would decide the test.
	sunday := time.Date(2026, 11, 22, 7, 0, 0, 0, time.UTC)
	start := time.Now()
	a := &app{env: e, log: newLogger(io.Discard, e), biz: biz, now: func() time.Time { return sunday.Add(time.Since(start)) }}
	if a.db, err = postgres.Open(ctx, url, 4, postgres.WithClock(a.now)); err != nil {
		t.Fatal(err)
	}
	defer a.db.Close()
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(playgroundBot))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	a.env.APIURL, a.env.Token = fake.URL(), "loadtest:token"
	a.env.CardSecret = make([]byte, 32)
	rand.Read(a.env.CardSecret)
	if err := a.wire(playgroundBot); err != nil {
		t.Fatal(err)
	}
	if err := a.db.SyncStores(ctx, biz.Stores); err != nil {
		t.Fatal(err)
	}
	s, err := seedLoad(ctx, a, 40, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := seedBadges(ctx, a, 3); err != nil {
		t.Fatal(err)
	}
	script, err := makeCheckoutScript(ctx, a, url, s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script.Text, `\startpipeline`) || strings.Count(script.Text, "INSERT INTO purchases") != 1 {
		t.Fatalf("script:\n%s", script.Text)
	}
	const clients, each = 2, 5
	if _, out, err := runPgbench(ctx, pgbench, url, script, []string{"-t", "5"}, clients, t.TempDir()); err != nil ||
		!strings.Contains(out, "number of failed transactions: 0") {
		t.Fatalf("pgbench: %v\n%s\nscript:\n%s", err, out, script.Text)
	}
	var earned, amount int64
	if err := a.db.Pool().QueryRow(ctx, `SELECT points_earned, amount FROM purchases WHERE public_id = $1`,
		script.Captured).Scan(&earned, &amount); err != nil {
		t.Fatal(err)
	}
	bp, per := earnRate(&a.biz.Program, amount, earned)
	if bp == 0 {
		t.Fatalf("no tier earns %d points on %d", earned, amount)
	}
	shape := func(publicID string) string {
		t.Helper()
		var js []byte
		if err := a.db.Pool().QueryRow(ctx, purchaseShape, publicID, bp, per).Scan(&js); err != nil {
			t.Fatalf("shape of %s: %v", publicID, err)
		}
		var v any
		json.Unmarshal(js, &v)
		pretty, _ := json.Marshal(v)
		return string(pretty)
	}
	want := shape(script.Captured)
	if !strings.Contains(want, `"kind":"earn"`) || !strings.Contains(want, `"message":true`) {
		t.Fatalf("the bot's purchase: %s; want an earn row and the customer's message", want)
	}
	rows, err := a.db.Pool().Query(ctx, `SELECT public_id FROM purchases WHERE receipt_id LIKE 'pgbench-%'`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != clients*each {
		t.Fatalf("pgbench wrote %d purchases (%v), want %d", len(ids), err, clients*each)
	}
	for _, id := range ids {
		if got := shape(id); got != want {
			t.Errorf("pgbench's purchase %s:\n%s\nthe bot's:\n%s", id, got, want)
		}
	}
	var bad int
	if err := a.db.Pool().QueryRow(ctx, `SELECT count(*) FROM cards c WHERE balance <>
		(SELECT coalesce(sum(amount), 0) FROM ledger g WHERE g.card_id = c.id)`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d cards whose balance is not their ledger's sum (%v)", bad, err)
	}
}

// TestLoadtestComparesWithPgbench runs the load command as documented, in
// two rounds: the same checkout through pgbench before, between and after
// the POS slices, and the rates with their ratios on one line.
func TestLoadtestComparesWithPgbench(t *testing.T) {
	if findPgbench() == "" {
		t.Fatal("pgbench not found: it comes with PostgreSQL's server package (postgresql-15)")
	}
	var out bytes.Buffer
	keep := filepath.Join(t.TempDir(), "pgbench-checkout.sql")
	args := []string{"loadtest", "-duration", "500ms", "-cards", "8", "-history", "2", "-concurrency", "2", "-rounds", "2", "-pgbench-script", keep}
	if err := run(context.Background(), args, envFunc(map[string]string{}), &out, io.Discard); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, line := range []string{
		`\nslice 1 of 2: \d+ requests, 0 errors in `,
		`\nslice 2 of 2: \d+ requests, 0 errors in `,
		`\npgbench slices: \d+, \d+, \d+ transactions/s\n`,
		`\nPOS API \d+ purchases/s, pgbench \d+ transactions/s \(2 rounds: \d+\.\d\d, \d+\.\d\d\): ratio \d+\.\d\d, median of the rounds \d+\.\d\d\n`,
	} {
		if !regexp.MustCompile(line).MatchString(out.String()) {
			t.Fatalf("no line like %s in the loadtest output:\n%s", line, out.String())
		}
	}
	script, err := os.ReadFile(keep)
	if err != nil || !bytes.Contains(script, []byte("\n-- pgbench '-n' '-M' 'prepared'")) {
		t.Fatalf("kept script (%v):\n%s", err, script)
	}
}

// TestPgbenchReport: each POS slice is set against the pgbench slices on
// either side of it; one round keeps the before/after line.
func TestPgbenchReport(t *testing.T) {
	var out bytes.Buffer
	one := &pgbenchSeries{rates: []float64{3000, 2000}}
	if err := one.report([]float64{2000}, &out); err != nil {
		t.Fatal(err)
	}
	if want := "POS API 2000 purchases/s, pgbench 2500 transactions/s (3000 before, 2000 after): ratio 0.80\n"; out.String() != want {
		t.Fatalf("one round:\n%swant\n%s", out.String(), want)
	}
	out.Reset()
	three := &pgbenchSeries{rates: []float64{3000, 2000, 2000, 3000}}
	if err := three.report([]float64{2000, 1000, 2400}, &out); err != nil {
		t.Fatal(err)
	}
	want := "pgbench slices: 3000, 2000, 2000, 3000 transactions/s\n" +
		"POS API 1800 purchases/s, pgbench 2500 transactions/s (3 rounds: 0.80, 0.50, 0.96): ratio 0.72, median of the rounds 0.80\n"
	if out.String() != want {
		t.Fatalf("three rounds:\n%swant\n%s", out.String(), want)
	}
	if err := three.report([]float64{2000}, io.Discard); err == nil {
		t.Fatal("four pgbench slices for one POS slice: no error")
	}
}

// TestRoundsFor: by default a POS run is one round per 10 s, at least one.
func TestRoundsFor(t *testing.T) {
	for d, want := range map[time.Duration]int{time.Second: 1, 10 * time.Second: 1, 19 * time.Second: 1,
		20 * time.Second: 2, time.Minute: 6, 10 * time.Minute: 60} {
		if got := roundsFor(d); got != want {
			t.Errorf("roundsFor(%v) = %d, want %d", d, got, want)
		}
	}
}
