package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/loyaltybot/loyaltybot/domain"
)

// LoadCheckoutSQL lets the plan test read the checkout query.
var LoadCheckoutSQL = loadCheckout

// The statements that read the updates in flight, for their plan test.
const (
	SaveDeliveriesSQL  = saveDeliveries
	UnhandledBeforeSQL = unhandledBefore
	EarlierPendingSQL  = earlierPending
	PendingUpdatesSQL  = pendingUpdates
	SetAsideStaleSQL   = setAsideStale
	DeadLetterSQL      = deadLetter
)

// BadgeFactsSQL lets the plan test read the badge checks' query.
const BadgeFactsSQL = badgeFacts

// BadgeFactsOfCardSQL is the same read by the card, in a checkout.
const BadgeFactsOfCardSQL = badgeFactsOfCard

// Pipe lets tests drive the pipelined transaction directly.
type Pipe = pipe

// UpdatePipe runs fn in a pipelined transaction.
func (db *DB) UpdatePipe(ctx context.Context, fn func(*Pipe) error) error { return db.update(ctx, fn) }

// NudgeSQL lets the plan test read a rule's statement.
func NudgeSQL(q domain.NudgeQuery) (string, []any, error) { return nudgeSQL(q) }

// MarkUnavailable lets tests check which errors mean the database is away.
var MarkUnavailable = markUnavailable

// ClaimOutboxSQL and TakeOutboxSQL let the plan test read the sender's
// statements.
const (
	ClaimOutboxSQL   = claimOutbox
	ClaimPlanSQL     = claimPlan
	TakeOutboxSQL    = takeOutbox
	ReleaseOutboxSQL = releaseOutbox
	HoldOutboxSQL    = holdOutbox
	HoldPlanSQL      = holdPlan
	ClaimChatSQL     = claimChat
)

// MarkBatches counts the mark-sent statements run, and QueuedMarks the
// marks waiting for the next one.
func (db *DB) MarkBatches() int {
	db.marks.mu.Lock()
	defer db.marks.mu.Unlock()
	return db.marks.batches
}

func (db *DB) QueuedMarks() int {
	db.marks.mu.Lock()
	defer db.marks.mu.Unlock()
	return len(db.marks.ids)
}

// ScanCache lets tests drive the scan plans kept between runs.
type ScanCache = scanCache

// ScanCacheConns is how many connections a ScanCache keeps plans for.
const ScanCacheConns = scanCacheConns

func (c *scanCache) Scan(row pgx.Row, dest ...any) error { return c.scan(row, dest...) }

// Conns is how many connections c keeps plans for.
func (c *scanCache) Conns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.plans)
}

// Plans returns the plans c keeps for the connection of type map m.
func (c *scanCache) Plans(m *pgtype.Map) any { return c.get(m) }

// WithdrawSwitchedOffSQL lets the plan test read the statement.
const WithdrawSwitchedOffSQL = withdrawSwitchedOff
