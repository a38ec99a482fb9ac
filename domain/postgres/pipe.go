package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
)

// pipe is a transaction that spends no round trip of its own. BEGIN goes
// out with the first statement (pgx's Batch.BeginTx), and writes whose
// results nobody waits for (Defer) go out with the next statement or with
// COMMIT. A checkout is then two round trips instead of four: BEGIN with
// the query that locks the card, and the purchase's writes with COMMIT.
// On a two-core machine those round trips were about a third of the
// CPU a purchase cost, on both sides of the socket.
//
// Statements run in the order they were issued, deferred ones included,
// so the transaction means exactly what it would with a round trip each.
// What changes is when a deferred write's error is seen: with the next
// statement, or from commit.
type pipe struct {
	conn *pgx.Conn
	tx   pgx.Tx     // nil until BEGIN has gone out
	tail *pgx.Batch // deferred writes not sent yet
	done bool       // committed in a batch: nothing left to roll back
	// issued counts the calls that ran or queued statements: a value
	// read in the transaction is known to be as the database has it
	// while the count has not moved since (tx.openCard).
	issued int
}

// waiting tells whether something must go out before the next statement.
func (p *pipe) waiting() bool { return p.tx == nil || p.tail != nil }

// batch starts a batch with what is waiting: BEGIN, then deferred writes.
func (p *pipe) batch() *pgx.Batch {
	b := &pgx.Batch{}
	if p.tx == nil {
		b.BeginTx(pgx.TxOptions{})
	}
	if p.tail != nil {
		b.QueuedQueries = append(b.QueuedQueries, p.tail.QueuedQueries...)
		p.tail = nil
	}
	return b
}

// send sends b; the transaction is usable once the results are closed.
func (p *pipe) send(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	br := p.conn.SendBatch(ctx, b)
	if p.tx == nil {
		p.tx = br.Tx()
	}
	return br
}

// runUpTo reads the results of the batch's first n queries (what was
// waiting), running their callbacks as Close would. Their error is not
// the caller's statement's: it is mapped here and marked as deferred, so
// that errors.Is(err, domain.ErrConflict) holds whoever reports it.
func runUpTo(br pgx.BatchResults, b *pgx.Batch, n int) error {
	for _, qq := range b.QueuedQueries[:n] {
		var err error
		if qq.Fn != nil {
			err = qq.Fn(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			return deferredErr(err)
		}
	}
	return nil
}

func deferredErr(err error) error {
	return fmt.Errorf("earlier write: %w", mapErr(err))
}

// flush sends what is waiting, alone.
func (p *pipe) flush(ctx context.Context) error {
	if !p.waiting() {
		return nil
	}
	b := p.batch()
	br := p.send(ctx, b)
	if err := runUpTo(br, b, len(b.QueuedQueries)); err != nil {
		br.Close() //nolint:errcheck // err is the first error
		return err
	}
	return br.Close()
}

// Defer queues writes whose results are not needed now; callbacks set on
// b's queries run when they are sent.
func (p *pipe) Defer(b *pgx.Batch) {
	p.issued++
	if p.tail == nil {
		p.tail = &pgx.Batch{}
	}
	p.tail.QueuedQueries = append(p.tail.QueuedQueries, b.QueuedQueries...)
}

// Exec runs a statement.
func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	p.issued++
	if !p.waiting() {
		return p.tx.Exec(ctx, sql, args...)
	}
	b := p.batch()
	b.Queue(sql, args...)
	br := p.send(ctx, b)
	if err := runUpTo(br, b, len(b.QueuedQueries)-1); err != nil {
		br.Close() //nolint:errcheck // err is the first error
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs a query; the rows must be closed (or read to the end) before
// the next statement, as with pgx.
func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	p.issued++
	if !p.waiting() {
		return p.tx.Query(ctx, sql, args...)
	}
	b := p.batch()
	b.Queue(sql, args...)
	br := p.send(ctx, b)
	if err := runUpTo(br, b, len(b.QueuedQueries)-1); err != nil {
		br.Close() //nolint:errcheck // err is the first error
		return errRows{err: err}, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close() //nolint:errcheck // err is the first error
		return errRows{err: err}, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query for one row when the row is scanned.
func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	p.issued++
	if !p.waiting() {
		return p.tx.QueryRow(ctx, sql, args...)
	}
	return pipeRow{p: p, ctx: ctx, sql: sql, args: args}
}

// SendBatch sends b, with BEGIN when the transaction has not begun and
// the deferred writes before b's queries, in one round trip. The deferred
// writes' results are read here, so the caller reads b's as with pgx, and
// a deferred write's error is told apart from b's as with Query.
func (p *pipe) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	p.issued++
	if !p.waiting() {
		return p.tx.SendBatch(ctx, b)
	}
	all := p.batch()
	waiting := len(all.QueuedQueries)
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	br := p.send(ctx, all)
	if err := runUpTo(br, all, waiting); err != nil {
		br.Close() //nolint:errcheck // err is the first error
		return pgx.FailedBatchResults(b, err)
	}
	return br
}

// Begin starts a savepoint (pgx.BeginFunc(ctx, t.tx, …) in CreateCard).
func (p *pipe) Begin(ctx context.Context) (pgx.Tx, error) {
	p.issued++
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.tx.Begin(ctx)
}

// commit sends what is waiting and COMMIT in one round trip. A
// transaction that ran nothing costs nothing.
func (p *pipe) commit(ctx context.Context) error {
	switch {
	case p.tx == nil && p.tail == nil:
		p.done = true
		return nil
	case p.tail == nil:
		p.done = true
		return p.tx.Commit(ctx)
	}
	b := p.batch()
	var tag pgconn.CommandTag
	b.Queue("commit").Exec(func(ct pgconn.CommandTag) error {
		tag = ct
		return nil
	})
	if err := p.send(ctx, b).Close(); err != nil {
		return err
	}
	p.done = true
	if tag.String() == "ROLLBACK" {
		// COMMIT of a transaction a swallowed error had aborted.
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// rollback ends a transaction that did not commit.
func (p *pipe) rollback(ctx context.Context) {
	p.tail = nil
	if p.tx == nil || p.done || p.conn.PgConn().TxStatus() == 'I' {
		return
	}
	p.tx.Rollback(ctx) //nolint:errcheck // the pool drops a connection left in a transaction
}

// batchRows are the rows of a pipelined query: when they end, the rest of
// the batch is closed, so the connection is free for the next statement.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.br.Close()
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// pipeRow is QueryRow's row for a pipelined query.
type pipeRow struct {
	p    *pipe
	ctx  context.Context
	sql  string
	args []any
}

func (r pipeRow) Scan(dest ...any) error {
	rows, err := r.p.Query(r.ctx, r.sql, r.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// errRows are the rows of a query that failed before it ran. Every method
// a caller may use after such a failure is defined; the embedded
// interface is only there to satisfy pgx.Rows.
type errRows struct {
	pgx.Rows
	err error
}

func (errRows) Close()                                       {}
func (e errRows) Err() error                                 { return e.err }
func (errRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (errRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (errRows) Next() bool                                   { return false }
func (e errRows) Scan(...any) error                          { return e.err }
func (e errRows) Values() ([]any, error)                     { return nil, e.err }
func (errRows) RawValues() [][]byte                          { return nil }
func (errRows) Conn() *pgx.Conn                              { return nil }

// update runs fn in a pipelined transaction on a pooled connection.
func (db *DB) update(ctx context.Context, fn func(*pipe) error) (err error) {
	defer func() { err = markUnavailable(err) }()
	first := domain.IsFirst(ctx)
	if err := db.turns.take(ctx, first); err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer db.turns.give(first)
	c, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer c.Release()
	p := &pipe{conn: c.Conn()}
	defer func() {
		if !p.done {
			p.rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(p); err != nil {
		return err
	}
	if err := p.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}
