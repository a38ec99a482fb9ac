package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// AddNote stores a staff note.
func (t *tx) AddNote(ctx context.Context, n *domain.Note) error {
	return mapErr(t.tx.QueryRow(ctx, `INSERT INTO staff_notes (customer_id, staff_id, text, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, n.CustomerID, n.StaffID, n.Text, t.stamp(n.CreatedAt)).Scan(&n.ID))
}

type noteRow struct {
	ID         int64     `db:"id"`
	CustomerID int64     `db:"customer_id"`
	StaffID    int64     `db:"staff_id"`
	StaffName  string    `db:"staff_name"`
	Text       string    `db:"text"`
	CreatedAt  time.Time `db:"created_at"`
}

// ListNotes lists a customer's newest notes with their writers' names.
func (t *tx) ListNotes(ctx context.Context, customerID int64, limit int) ([]domain.Note, error) {
	rows, _ := t.tx.Query(ctx, `SELECT n.id, n.customer_id, n.staff_id, s.first_name AS staff_name, n.text, n.created_at
		FROM staff_notes n JOIN staff s ON s.id = n.staff_id
		WHERE n.customer_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2`, customerID, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[noteRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.Note, len(rs))
	for i, r := range rs {
		out[i] = domain.Note(r)
	}
	return out, nil
}

type customerNudgeRow struct {
	Rule        string     `db:"rule"`
	Outcome     string     `db:"outcome"`
	Reason      string     `db:"reason"`
	SendAt      time.Time  `db:"send_at"`
	Click       string     `db:"click"`
	ClickedAt   *time.Time `db:"clicked_at"`
	DeclinedAt  *time.Time `db:"declined_at"`
	ConvertedAt *time.Time `db:"converted_at"`
	Revenue     int64      `db:"revenue"`
	Points      int64      `db:"points"`
	OfferUsedAt *time.Time `db:"offer_used_at"`
}

// ListNudgeOutcomes lists a customer's newest nudges and their outcome.
func (t *tx) ListNudgeOutcomes(ctx context.Context, customerID int64, limit int) ([]domain.CustomerNudge, error) {
	rows, _ := t.tx.Query(ctx, `SELECT rule, outcome, reason, send_at, click, clicked_at, declined_at, converted_at, revenue, points, offer_used_at
		FROM nudges WHERE customer_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2`, customerID, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[customerNudgeRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.CustomerNudge, len(rs))
	for i, r := range rs {
		out[i] = domain.CustomerNudge{Rule: r.Rule, Outcome: r.Outcome, Reason: r.Reason, SendAt: r.SendAt, Click: r.Click,
			ClickedAt: deref(r.ClickedAt), DeclinedAt: deref(r.DeclinedAt), ConvertedAt: deref(r.ConvertedAt), Revenue: r.Revenue, Points: r.Points,
			OfferUsedAt: deref(r.OfferUsedAt)}
	}
	return out, nil
}

// AppendAudit records a read of customer data.
func (t *tx) AppendAudit(ctx context.Context, e domain.AuditEntry) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO audit_log (staff_id, action, customer_id, detail, at, ledger_id)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.StaffID, e.Action, nullable(e.CustomerID), e.Detail, t.stamp(e.At), nullable(e.LedgerID))
	return mapErr(err)
}

type auditRow struct {
	ID         int64     `db:"id"`
	StaffID    int64     `db:"staff_id"`
	StaffName  string    `db:"staff_name"`
	StaffRole  string    `db:"staff_role"`
	Action     string    `db:"action"`
	CustomerID *int64    `db:"customer_id"`
	Detail     string    `db:"detail"`
	At         time.Time `db:"at"`
	LedgerID   *int64    `db:"ledger_id"`
}

// ListAudit lists the newest audit entries with who made them.
func (t *tx) ListAudit(ctx context.Context, limit int) ([]domain.AuditEntry, error) {
	return t.audit(ctx, `ORDER BY a.at DESC, a.id DESC LIMIT $1`, limit)
}

// ListAdjustments lists a customer's newest point corrections
// (audit_log_adjust).
func (t *tx) ListAdjustments(ctx context.Context, customerID int64, limit int) ([]domain.AuditEntry, error) {
	return t.audit(ctx, `WHERE a.action = 'points_adjust' AND a.customer_id = $1
		ORDER BY a.at DESC, a.id DESC LIMIT $2`, customerID, limit)
}

// audit reads audit entries with who made them; rest filters and orders.
func (t *tx) audit(ctx context.Context, rest string, args ...any) ([]domain.AuditEntry, error) {
	rows, _ := t.tx.Query(ctx, `SELECT a.id, a.staff_id, s.first_name AS staff_name, s.role AS staff_role,
			a.action, a.customer_id, a.detail, a.at, a.ledger_id
		FROM audit_log a JOIN staff s ON s.id = a.staff_id `+rest, args...)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[auditRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.AuditEntry, len(rs))
	for i, r := range rs {
		out[i] = domain.AuditEntry{ID: r.ID, StaffID: r.StaffID, StaffName: r.StaffName, StaffRole: domain.Role(r.StaffRole),
			Action: r.Action, CustomerID: deref(r.CustomerID), Detail: r.Detail, At: r.At, LedgerID: deref(r.LedgerID)}
	}
	return out, nil
}
