package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestNudgesDryRun: `nudges dry-run --json` prints one object per due
// customer (the marketing rules' skips with their reason) and writes
// nothing; --at moves the evaluation in time; a bad --at is explained.
func TestNudgesDryRun(t *testing.T) {
	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, env, &out, io.Discard)
		return out.String(), err
	}
	if _, err := cli("migrate"); err != nil {
		t.Fatal(err)
	}
	a, err := adminDB(ctx, env, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	joined := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	_, err = a.db.Pool().Exec(ctx, `WITH c AS (INSERT INTO customers (telegram_id, chat_id, first_name, language, joined_at, marketing, created_at)
		VALUES (501, 501, 'Anna', 'en', $1, true, $1), (502, 502, 'Bob', 'en', $1, false, $1) RETURNING id)
		INSERT INTO cards (customer_id, number, created_at) SELECT id, (10000000 + id)::text, $1 FROM c`, joined)
	a.close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cli("nudges", "dry-run", "--rule", "onboarding_tips", "--at", "2026-11-15T12:00:00Z", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines:\n%s", out)
	}
	for _, l := range lines {
		var p struct {
			Rule       string `json:"rule"`
			Kind       string `json:"kind"`
			CustomerID int64  `json:"customer_id"`
			TelegramID int64  `json:"telegram_id"`
			HeldOut    *bool  `json:"held_out"`
			Reason     string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if p.Rule != "onboarding_tips" || p.Kind != "onboarding" || p.CustomerID == 0 || p.HeldOut == nil || p.Reason == "" {
			t.Fatalf("line %s", l)
		}
	}
	out, err = cli("nudges", "dry-run", "--rule", "winback", "--at", "2026-11-15", "--json")
	if err != nil || out != "" {
		t.Fatalf("winback with no purchases: %q %v", out, err)
	}
	table, err := cli("nudges", "dry-run", "--at", "2026-11-16")
	if err != nil || !strings.Contains(table, "onboarding_tips") || !strings.Contains(table, "2 customers at 2026-11-16T12:00:00+03:00") {
		t.Fatalf("table:\n%s %v", table, err)
	}
	if _, err := cli("nudges", "dry-run", "--at", "tomorrow"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Fatalf("a bad --at: %v", err)
	}
	if _, err := cli("nudges", "dry-run", "--rule", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("an unknown rule: %v", err)
	}
}
