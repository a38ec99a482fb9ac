package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// ExplainNudgeRule runs a rule's query under EXPLAIN (ANALYZE, BUFFERS)
// and returns the plan, to show which indexes a rule's evaluation uses
// (loyaltybot nudges bench --explain, docs/performance.md). generic asks
// for the plan a prepared statement settles on after a few runs (the
// engine's connection reuses its statements), not the one made for these
// values. Nothing is written: the transaction is rolled back.
func (db *DB) ExplainNudgeRule(ctx context.Context, q domain.NudgeQuery, generic bool) (string, error) {
	sql, args, err := nudgeSQL(q)
	if err != nil {
		return "", err
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		conn := tx.Conn()
		tx.Rollback(ctx)                           //nolint:errcheck // read only
		conn.Exec(ctx, "DEALLOCATE nudge_explain") //nolint:errcheck // not prepared when it failed early
	}()
	mode := "force_custom_plan"
	if generic {
		mode = "force_generic_plan"
	}
	for _, set := range nudgeSettingsFor(q.Rule.Kind) {
		if _, err := tx.Exec(ctx, set); err != nil {
			return "", err
		}
	}
	if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = "+mode); err != nil {
		return "", err
	}
	// A prepared statement, so the generic mode has parameters to plan
	// without: EXPLAIN EXECUTE shows what the engine's connection runs.
	if _, err := tx.Exec(ctx, "PREPARE nudge_explain AS "+sql); err != nil {
		return "", fmt.Errorf("explain %s: %w", q.Rule.ID, err)
	}
	lits := make([]string, len(args))
	for i, a := range args {
		if lits[i], err = sqlLiteral(a); err != nil {
			return "", fmt.Errorf("explain %s: %w", q.Rule.ID, err)
		}
	}
	rows, _ := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE nudge_explain("+strings.Join(lits, ", ")+")")
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("explain %s: %w", q.Rule.ID, err)
	}
	return strings.Join(lines, "\n"), nil
}

// sqlLiteral writes a query argument as SQL (EXECUTE takes no bound
// parameters inside EXPLAIN).
func sqlLiteral(v any) (string, error) {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch x := v.(type) {
	case string:
		return quote(x), nil
	case bool:
		return fmt.Sprint(x), nil
	case int, int64:
		return fmt.Sprint(x), nil
	case time.Time:
		return quote(x.Format(time.RFC3339Nano)), nil
	case *time.Time:
		if x == nil {
			return "NULL", nil
		}
		return quote(x.Format(time.RFC3339Nano)), nil
	case map[string]string: // bound as JSON (a jsonb parameter)
		b, err := json.Marshal(x)
		if err != nil {
			return "", err
		}
		return quote(string(b)), nil
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = quote(s)
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]::text[]", nil
	}
	return "", fmt.Errorf("no SQL literal for %T", v)
}
