package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestNoColumnDefaultsToTheDatabaseClock keeps business time on one clock:
// after all migrations no column takes its value from the database's
// now() (or its synonyms), except the audit-only applied_at of
// schema_migrations.
func TestNoColumnDefaultsToTheDatabaseClock(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name || '.' || column_name, column_default
		FROM information_schema.columns WHERE table_schema = 'public' AND column_default IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		if dbClock.MatchString(def) && name != "schema_migrations.applied_at" {
			t.Errorf("%s defaults to %s: pass the time from the injected clock instead", name, def)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// dbClock matches PostgreSQL's ways of reading its own clock.
var dbClock = regexp.MustCompile(`(?i)((^|[^.\w])now\s*\(|\bcurrent_timestamp|current_date|localtimestamp|clock_timestamp|transaction_timestamp|statement_timestamp)`)

// TestNoStatementReadsTheDatabaseClock scans the Go sources that hold SQL
// for the database's clock. The transport-only times (a sender's lease,
// a Telegram retry) and when a migration ran are the exceptions, and say
// so on their line.
func TestNoStatementReadsTheDatabaseClock(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../../cmd/loyaltybot", "../../bot/posapi"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if !dbClock.MatchString(line) || strings.Contains(line, "claimed_until") || strings.Contains(line, "retry_at") ||
				strings.Contains(line, "applied_at") {
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			t.Errorf("%s:%d reads the database clock: %s", f, i+1, strings.TrimSpace(line))
		}
	}
}
