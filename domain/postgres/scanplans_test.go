package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// scanRow is the row the cache is checked on: the kinds of column the hot
// statements read (numbers, text, flags, times, NULLs into pointers,
// arrays, JSON), with a parameter that makes the NULLs and values vary.
const scanRow = `SELECT $1::bigint, $1::int, 'ann' || $1::text, $1 % 2 = 0,
	timestamptz '2026-12-05 10:00:00+00' + $1 * interval '1 second',
	CASE WHEN $1 % 2 = 0 THEN timestamptz '2026-01-01 00:00:00+00' END,
	CASE WHEN $1 % 3 = 0 THEN 'x' || $1::text END,
	ARRAY['a', $1::text], ARRAY[$1::bigint, 2], ARRAY[timestamptz '2026-12-05 10:00:00+00'],
	jsonb_build_object('n', $1::text)`

type scanned struct {
	I64    int64
	I      int
	S      string
	B      bool
	At     time.Time
	Maybe  *time.Time
	MaybeS *string
	Strs   []string
	Ints   []int64
	Times  []time.Time
	Facts  map[string]string
}

func (s *scanned) dest() []any {
	return []any{&s.I64, &s.I, &s.S, &s.B, &s.At, &s.Maybe, &s.MaybeS, &s.Strs, &s.Ints, &s.Times, &s.Facts}
}

// TestScanCacheReadsWhatPgxReads scans the same rows through the cache and
// through pgx's own Scan, many times over each connection of a pool, from
// several goroutines at once (go test -race checks the sharing).
func TestScanCacheReadsWhatPgxReads(t *testing.T) {
	db, _ := newStore(t)
	pool := db.Pool()
	ctx := context.Background()
	var cache postgres.ScanCache
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for n := range 60 {
				arg := g*1000 + n
				var got, want scanned
				if err := pool.QueryRow(ctx, scanRow, arg).Scan(want.dest()...); err != nil {
					errs <- err
					return
				}
				if err := cache.Scan(pool.QueryRow(ctx, scanRow, arg), got.dest()...); err != nil {
					errs <- err
					return
				}
				if !reflect.DeepEqual(got, want) {
					errs <- fmt.Errorf("row %d: cached scan %+v, pgx %+v", arg, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := cache.Conns(); n == 0 || n > int(pool.Stat().TotalConns()) {
		t.Fatalf("plans kept for %d connections, the pool has %d", n, pool.Stat().TotalConns())
	}
}

// TestScanCachePlansAgainWhenTypesChange: a destination of another type,
// or a column of another type, gets a plan of its own, not the last one.
func TestScanCachePlansAgainWhenTypesChange(t *testing.T) {
	db, _ := newStore(t)
	pool := db.Pool()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var cache postgres.ScanCache

	var n int64
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 41::bigint`), &n); err != nil || n != 41 {
		t.Fatalf("bigint into int64: %d, %v", n, err)
	}
	var s string
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 42::bigint`), &s); err != nil || s != "42" {
		t.Fatalf("bigint into string: %q, %v; want the plan for a string", s, err)
	}
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 'forty-three'::text`), &s); err != nil || s != "forty-three" {
		t.Fatalf("text into string: %q, %v; want the plan for a text column", s, err)
	}
	var f float64
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 44::numeric`), &f); err != nil || f != 44 {
		t.Fatalf("numeric into float64: %v, %v", f, err)
	}

	// NULL into a plain int64 fails as pgx's own Scan does, naming the column.
	err = cache.Scan(conn.QueryRow(ctx, `SELECT NULL::bigint AS gone`), &n)
	var argErr pgx.ScanArgError
	if !errors.As(err, &argErr) || argErr.ColumnIndex != 0 || argErr.FieldName != "gone" {
		t.Fatalf("NULL into int64: %v; want a ScanArgError for column 0 (gone)", err)
	}
	// A nil destination skips its column; a wrong count is refused.
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 1, 2::bigint`), nil, &n); err != nil || n != 2 {
		t.Fatalf("nil destination: %d, %v", n, err)
	}
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 1, 2`), &n); err == nil {
		t.Fatal("two columns into one destination: no error")
	}
	// And after all that, the first statement still reads right.
	if err := cache.Scan(conn.QueryRow(ctx, `SELECT 45::bigint`), &n); err != nil || n != 45 {
		t.Fatalf("bigint into int64 again: %d, %v", n, err)
	}
}

// TestScanCacheForgetsOldConnections: the plans of connections long gone
// do not pile up.
func TestScanCacheForgetsOldConnections(t *testing.T) {
	var cache postgres.ScanCache
	first := pgtype.NewMap()
	p := cache.Plans(first)
	if cache.Plans(first) != p {
		t.Fatal("the same connection got fresh plans")
	}
	for range 3 * postgres.ScanCacheConns {
		cache.Plans(pgtype.NewMap())
		if n := cache.Conns(); n > postgres.ScanCacheConns {
			t.Fatalf("plans kept for %d connections; at most %d", n, postgres.ScanCacheConns)
		}
	}
}
