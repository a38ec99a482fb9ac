package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Inspection is what the playground's panel shows of one chat: the
// customer behind it, their ledger and nudges, and the chat's outbox. It
// is a developer's view of the rows as they are, not a use case, so it
// reads the tables directly and is served by the playground only.
type Inspection struct {
	Customer *InspectedCustomer `json:"customer"` // nil: nobody joined from this chat
	Ledger   []InspectedLedger  `json:"ledger"`
	Nudges   []InspectedNudge   `json:"nudges"`
	Outbox   []InspectedMessage `json:"outbox"`
}

// InspectedCustomer is the customer row with their card.
type InspectedCustomer struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Phone     string     `json:"phone"`
	Language  string     `json:"language"`
	JoinedAt  *time.Time `json:"joined_at"`
	Marketing bool       `json:"marketing"`
	Card      string     `json:"card"`
	Balance   int64      `json:"balance"`
	Purchases int64      `json:"purchases"`
}

// InspectedLedger is one ledger row.
type InspectedLedger struct {
	ID           int64      `json:"id"`
	At           time.Time  `json:"at"`
	Kind         string     `json:"kind"`
	Amount       int64      `json:"amount"`
	BalanceAfter int64      `json:"balance_after"`
	Reason       string     `json:"reason"`
	ExpiresAt    *time.Time `json:"expires_at"`
}

// InspectedNudge is one nudge row: sent, held out or skipped.
type InspectedNudge struct {
	Rule      string     `json:"rule"`
	Outcome   string     `json:"outcome"`
	Reason    string     `json:"reason"`
	DueAt     time.Time  `json:"due_at"`
	SendAt    time.Time  `json:"send_at"`
	Points    int64      `json:"points"`
	Converted *time.Time `json:"converted_at"`
}

// InspectedMessage is one outbox row of the chat; Preview is its text
// while it waits (a sent or dropped row keeps no payload).
type InspectedMessage struct {
	ID        int64      `json:"id"`
	CreatedAt time.Time  `json:"created_at"`
	NotBefore time.Time  `json:"not_before"`
	SentAt    *time.Time `json:"sent_at"`
	DroppedAt *time.Time `json:"dropped_at"`
	LastError string     `json:"last_error"`
	Nudge     string     `json:"nudge"` // the rule of the nudge it carries
	Preview   string     `json:"preview"`
}

const (
	inspectCustomer = `SELECT c.id, c.first_name, coalesce(c.phone, ''), c.language, c.joined_at, c.marketing,
       coalesce(k.number, ''), coalesce(k.balance, 0),
       (SELECT count(*) FROM purchases p WHERE p.customer_id = c.id AND p.cancelled_at IS NULL)
  FROM customers c LEFT JOIN cards k ON k.customer_id = c.id
 WHERE c.chat_id = $1 AND c.erased_at IS NULL
 ORDER BY c.id DESC LIMIT 1`
	inspectLedger = `SELECT l.id, l.created_at, l.kind, l.amount, l.balance_after, l.reason, l.expires_at
  FROM ledger l JOIN cards k ON k.id = l.card_id
 WHERE k.customer_id = $1 ORDER BY l.id DESC LIMIT $2`
	inspectNudges = `SELECT rule, outcome, reason, due_at, send_at, points, converted_at
  FROM nudges WHERE customer_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2`
	inspectOutbox = `SELECT o.id, o.created_at, o.not_before, o.sent_at, o.dropped_at, o.last_error,
       coalesce(n.rule, ''), left(coalesce(o.payload->>'text', ''), 300)
  FROM outbox o LEFT JOIN nudges n ON n.id = o.nudge_id
 WHERE o.chat_id = $1 ORDER BY o.id DESC LIMIT $2`
)

// Inspect reads the newest limit rows of each kind for the chat.
func (db *DB) Inspect(ctx context.Context, chatID int64, limit int) (*Inspection, error) {
	in := &Inspection{Ledger: []InspectedLedger{}, Nudges: []InspectedNudge{}, Outbox: []InspectedMessage{}}
	var c InspectedCustomer
	err := db.pool.QueryRow(ctx, inspectCustomer, chatID).Scan(&c.ID, &c.Name, &c.Phone, &c.Language,
		&c.JoinedAt, &c.Marketing, &c.Card, &c.Balance, &c.Purchases)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("inspect customer: %w", err)
	default:
		in.Customer = &c
		rows, _ := db.pool.Query(ctx, inspectLedger, c.ID, limit)
		if in.Ledger, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (InspectedLedger, error) {
			var l InspectedLedger
			return l, r.Scan(&l.ID, &l.At, &l.Kind, &l.Amount, &l.BalanceAfter, &l.Reason, &l.ExpiresAt)
		}); err != nil {
			return nil, fmt.Errorf("inspect ledger: %w", err)
		}
		rows, _ = db.pool.Query(ctx, inspectNudges, c.ID, limit)
		if in.Nudges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (InspectedNudge, error) {
			var n InspectedNudge
			return n, r.Scan(&n.Rule, &n.Outcome, &n.Reason, &n.DueAt, &n.SendAt, &n.Points, &n.Converted)
		}); err != nil {
			return nil, fmt.Errorf("inspect nudges: %w", err)
		}
	}
	rows, _ := db.pool.Query(ctx, inspectOutbox, chatID, limit)
	if in.Outbox, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (InspectedMessage, error) {
		var m InspectedMessage
		return m, r.Scan(&m.ID, &m.CreatedAt, &m.NotBefore, &m.SentAt, &m.DroppedAt, &m.LastError, &m.Nudge, &m.Preview)
	}); err != nil {
		return nil, fmt.Errorf("inspect outbox: %w", err)
	}
	return in, nil
}
