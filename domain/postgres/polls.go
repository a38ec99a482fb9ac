package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/loyaltybot/loyaltybot/domain"
)

// nullID is NULL for an id not set yet.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// options is a poll's options as a never-NULL text[].
func options(o []string) []string {
	if o == nil {
		return []string{}
	}
	return o
}

// ReserveBroadcastID draws a broadcast id from its sequence.
func (t *tx) ReserveBroadcastID(ctx context.Context) (int64, error) {
	var id int64
	if err := t.tx.QueryRow(ctx, `SELECT nextval('broadcasts_id_seq')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("reserve broadcast id: %w", mapErr(err))
	}
	return id, nil
}

// SavePollAnswer upserts the customer's answer.
func (t *tx) SavePollAnswer(ctx context.Context, broadcastID, customerID int64, option int, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO poll_answers (broadcast_id, customer_id, option, answered_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (broadcast_id, customer_id) DO UPDATE SET option = EXCLUDED.option, answered_at = EXCLUDED.answered_at`,
		broadcastID, customerID, option, at)
	if err != nil {
		return fmt.Errorf("save poll answer: %w", mapErr(err))
	}
	return nil
}

// PollTally counts the answers per option.
func (t *tx) PollTally(ctx context.Context, broadcastID int64, n int) ([]int, error) {
	out := make([]int, n)
	rows, err := t.tx.Query(ctx, `SELECT option, count(*) FROM poll_answers WHERE broadcast_id = $1 GROUP BY option`, broadcastID)
	if err != nil {
		return nil, fmt.Errorf("poll tally: %w", mapErr(err))
	}
	var option, count int
	_, err = pgx.ForEachRow(rows, []any{&option, &count}, func() error {
		if option >= 0 && option < n {
			out[option] = count
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("poll tally: %w", mapErr(err))
	}
	return out, nil
}

// ListPollAnswers lists who answered what.
func (t *tx) ListPollAnswers(ctx context.Context, broadcastID int64) ([]domain.PollAnswer, error) {
	rows, err := t.tx.Query(ctx, `SELECT a.customer_id, c.first_name, a.option, a.answered_at
		FROM poll_answers a JOIN customers c ON c.id = a.customer_id
		WHERE a.broadcast_id = $1 ORDER BY a.answered_at, a.customer_id`, broadcastID)
	if err != nil {
		return nil, fmt.Errorf("list poll answers: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PollAnswer, error) {
		var a domain.PollAnswer
		return a, r.Scan(&a.CustomerID, &a.FirstName, &a.Option, &a.At)
	})
	if err != nil {
		return nil, fmt.Errorf("list poll answers: %w", mapErr(err))
	}
	return out, nil
}

// ListCustomerPollAnswers lists a customer's answers with their question.
func (t *tx) ListCustomerPollAnswers(ctx context.Context, customerID int64) ([]domain.CustomerPollAnswer, error) {
	rows, err := t.tx.Query(ctx, `SELECT b.text, coalesce(b.options[a.option + 1], ''), a.answered_at
		FROM poll_answers a JOIN broadcasts b ON b.id = a.broadcast_id
		WHERE a.customer_id = $1 ORDER BY a.answered_at, a.broadcast_id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list customer poll answers: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.CustomerPollAnswer, error) {
		var a domain.CustomerPollAnswer
		return a, r.Scan(&a.Question, &a.Answer, &a.At)
	})
	if err != nil {
		return nil, fmt.Errorf("list customer poll answers: %w", mapErr(err))
	}
	return out, nil
}
