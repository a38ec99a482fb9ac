// Package postgres implements the domain storage interfaces on PostgreSQL
// with pgx. It holds SQL, transactions and error mapping; no business rules.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
)

// DB is the PostgreSQL storage.
type DB struct {
	pool *pgxpool.Pool
	// now is the business clock. Every time the business reasons about
	// is stamped from it, never from the database's now(), so tests and
	// the playground can move time (see migration 0009).
	now func() time.Time
	// marks groups the outbox's mark-sent statements (sentMarks).
	marks *sentMarks
	// turns orders the transactions waiting for a connection.
	turns *turns
	// tracer sees every statement Open's connections run (WithTracer).
	tracer pgx.QueryTracer
	// noMigrate has Open leave the schema as it is (WithoutMigrations).
	noMigrate bool
}

// Option configures a DB.
type Option func(*DB)

// WithClock sets the business clock (time.Now by default). Give the store
// the same clock as the engine, the POS API and the jobs.
func WithClock(now func() time.Time) Option {
	return func(db *DB) {
		if now != nil {
			db.now = now
		}
	}
}

// WithTracer has Open's connections report their statements and batches
// to tr: a test counts the round trips an update makes.
func WithTracer(tr pgx.QueryTracer) Option {
	return func(db *DB) { db.tracer = tr }
}

// WithoutMigrations has Open connect without applying the migrations: a
// restore replaces the schema it finds, whatever its version (a newer
// one, when going back to the binary of a backup made before an upgrade).
func WithoutMigrations() Option {
	return func(db *DB) { db.noMigrate = true }
}

var (
	_ domain.Store  = (*DB)(nil)
	_ domain.Tx     = (*tx)(nil)
	_ domain.Outbox = (*outbox)(nil)
)

// New wraps a pool. Migrations are applied separately (Migrate).
func New(pool *pgxpool.Pool, opts ...Option) *DB {
	db := &DB{pool: pool, now: time.Now}
	for _, o := range opts {
		o(db)
	}
	db.marks = &sentMarks{pool: pool, now: db.now}
	db.turns = newTurns(int(pool.Config().MaxConns) - 1) // at least 1
	return db
}

// Open connects to url, checks the connection and applies migrations.
func Open(ctx context.Context, url string, maxConns int32, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = maxConns // the URL's own pool_max_conns wins
	}
	var o DB
	for _, opt := range opts {
		opt(&o)
	}
	if o.tracer != nil {
		cfg.ConnConfig.Tracer = o.tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	if !o.noMigrate {
		if err := Migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return New(pool, opts...), nil
}

// Pool exposes the pool for tests and benchmarks.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// Update runs fn in one transaction, pipelined (see pipe).
func (db *DB) Update(ctx context.Context, fn func(domain.Tx) error) error {
	return db.update(ctx, func(p *pipe) error { return fn(&tx{tx: p, now: db.now}) })
}

// tx adapts a pgx transaction to domain.Tx.
type tx struct {
	tx    *pipe
	now   func() time.Time // the business clock (DB.now)
	lease time.Time        // the lease of the rows Hold wrote (wall clock), zero until the first
	// convs are the conversations as locked or last saved, by chat:
	// SaveConversation writes only what changed.
	convs map[int64]domain.Conversation
	// openCard is the card of the chat's customer as OpenChat read it,
	// and openAt the pipe's count of statements then: until another
	// statement runs, FindCardByCustomer answers from it (a /card is
	// then two round trips, not three). openChoices are the topic
	// choices of customer openChoicesOf, when the update asked for them
	// (domain.ReadTopicChoices): ListTopicChoices answers from them on
	// the same terms, once (the caller may change the map).
	openCard      *domain.Card
	openExpiry    *domain.ExpiryFacts // of openCard (domain.ReadCardExpiry)
	openChoices   map[string]bool
	openChoicesOf int64
	openAt        int
	// live is the transaction's read of the open live promotions, which
	// LivePromotionsAt answers from (livepromos.go).
	live *liveRead
}

// stamp is the time a row is written at: the one the business gave, or
// the business clock's now.
func (t *tx) stamp(at time.Time) time.Time {
	if at.IsZero() {
		return t.now()
	}
	return at
}

// mapErr turns PostgreSQL errors into domain errors once, here, so no SQL
// state code leaks into the business layer.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return fmt.Errorf("%w: %s", domain.ErrConflict, pg.ConstraintName)
		case "LB401": // check_api_key, migration 0016
			return domain.ErrRevoked
		case "LB409": // finish_update, migration 0033
			return fmt.Errorf("%w: %s", domain.ErrHandledAlready, pg.Message)
		case "LB404":
			return fmt.Errorf("%w: %s", domain.ErrNotFound, pg.Message)
		case "23514":
			if pg.ConstraintName == "cards_balance_check" {
				return domain.ErrInsufficientPoints
			}
		}
	}
	return err
}
