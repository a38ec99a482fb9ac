package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// SaveAnswer supersedes the current answer and inserts the new one.
func (t *tx) SaveAnswer(ctx context.Context, customerID int64, questionID string, value []byte, skipped bool, at time.Time) error {
	if _, err := t.tx.Exec(ctx, `UPDATE answers SET superseded_at = $3
		WHERE customer_id = $1 AND question_id = $2 AND superseded_at IS NULL`, customerID, questionID, at); err != nil {
		return fmt.Errorf("save answer: %w", mapErr(err))
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO answers (customer_id, question_id, value, skipped, answered_at)
		VALUES ($1, $2, $3, $4, $5)`, customerID, questionID, value, skipped, at); err != nil {
		return fmt.Errorf("save answer: %w", mapErr(err))
	}
	return nil
}

// ListAnswers lists current answers, or the whole history.
func (t *tx) ListAnswers(ctx context.Context, customerID int64, history bool) ([]domain.StoredAnswer, error) {
	q := `SELECT question_id, value, skipped, answered_at, superseded_at FROM answers WHERE customer_id = $1`
	if !history {
		q += ` AND superseded_at IS NULL`
	}
	rows, err := t.tx.Query(ctx, q+` ORDER BY answered_at, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list answers: %w", err)
	}
	defer rows.Close()
	var out []domain.StoredAnswer
	for rows.Next() {
		var a domain.StoredAnswer
		var sup *time.Time
		if err := rows.Scan(&a.QuestionID, &a.Value, &a.Skipped, &a.AnsweredAt, &sup); err != nil {
			return nil, err
		}
		a.SupersededAt = deref(sup)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReplaceFacts stores a customer's derived facts.
func (t *tx) ReplaceFacts(ctx context.Context, customerID int64, facts map[string]string) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM facts WHERE customer_id = $1`, customerID); err != nil {
		return fmt.Errorf("replace facts: %w", err)
	}
	for name, value := range facts {
		if _, err := t.tx.Exec(ctx, `INSERT INTO facts (customer_id, name, value, updated_at) VALUES ($1, $2, $3, $4)`,
			customerID, name, value, t.now()); err != nil {
			return fmt.Errorf("replace facts: %w", err)
		}
	}
	return nil
}

// ListFacts reads a customer's derived facts.
func (t *tx) ListFacts(ctx context.Context, customerID int64) (map[string]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT name, value FROM facts WHERE customer_id = $1`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list facts: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("list facts: %w", err)
		}
		out[name] = value
	}
	return out, rows.Err()
}

// OfferSection records an offer once.
func (t *tx) OfferSection(ctx context.Context, customerID int64, section string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO section_offers (customer_id, section, offered_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, customerID, section, at)
	return mapErr(err)
}

// CompleteSection marks a section done.
func (t *tx) CompleteSection(ctx context.Context, customerID int64, section string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO section_offers (customer_id, section, offered_at, completed_at)
		VALUES ($1, $2, $3, $3) ON CONFLICT (customer_id, section) DO UPDATE SET completed_at = coalesce(section_offers.completed_at, $3)`,
		customerID, section, at)
	return mapErr(err)
}

// ListSectionOffers lists offered sections.
func (t *tx) ListSectionOffers(ctx context.Context, customerID int64) ([]domain.SectionOffer, error) {
	rows, err := t.tx.Query(ctx, `SELECT section, offered_at, completed_at FROM section_offers
		WHERE customer_id = $1 ORDER BY offered_at, section`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list section offers: %w", err)
	}
	defer rows.Close()
	var out []domain.SectionOffer
	for rows.Next() {
		var o domain.SectionOffer
		var done *time.Time
		if err := rows.Scan(&o.Section, &o.OfferedAt, &done); err != nil {
			return nil, err
		}
		o.CompletedAt = deref(done)
		out = append(out, o)
	}
	return out, rows.Err()
}
