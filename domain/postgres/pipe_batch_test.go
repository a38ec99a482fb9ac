package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestPipeSendBatchCarriesDeferredWrites: a batch (the checkout's read of
// the open lots) takes the deferred writes along instead of a round trip
// of their own; their results are not the batch's, and their error is
// marked as an earlier write's.
func TestPipeSendBatchCarriesDeferredWrites(t *testing.T) {
	db, trips := tracedDB(t)
	ctx := t.Context()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE t (v int PRIMARY KEY); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	deferInsert := func(p *postgres.Pipe, v int) {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO t VALUES ($1)`, v)
		p.Defer(b)
	}
	trips.reset()
	var n int
	err := db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		deferInsert(p, 2)
		b := &pgx.Batch{}
		b.Queue(`SELECT count(*) FROM t`).QueryRow(func(r pgx.Row) error { return r.Scan(&n) })
		return p.SendBatch(ctx, b).Close()
	})
	if err != nil || n != 2 {
		t.Fatalf("the batch saw %d rows (%v), want 2 with the deferred one", n, err)
	}
	if got, sql := trips.reset(); got != 2 {
		t.Errorf("%d round trips, want 2 (BEGIN+write+batch, COMMIT): %q", got, sql)
	}

	var batchErr error
	err = db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		deferInsert(p, 1) // taken
		b := &pgx.Batch{}
		b.Queue(`SELECT count(*) FROM t`).QueryRow(func(r pgx.Row) error { return r.Scan(&n) })
		batchErr = p.SendBatch(ctx, b).Close()
		return batchErr
	})
	if !errors.Is(batchErr, domain.ErrConflict) || !strings.Contains(batchErr.Error(), "earlier write") {
		t.Errorf("batch: err = %v, want an ErrConflict marked as an earlier write's", batchErr)
	}
	if !errors.Is(err, domain.ErrConflict) || count(t, db, `SELECT count(*) FROM t`) != 2 {
		t.Errorf("update: err = %v; a failed transaction must write nothing", err)
	}
}
