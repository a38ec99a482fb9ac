package postgres

import (
	"context"
	"fmt"

	"github.com/loyaltybot/loyaltybot/domain"
)

// SaveUpdate stores an incoming update before anything else happens to it.
func (db *DB) SaveUpdate(ctx context.Context, updateID, chatID int64, payload []byte) (bool, error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO updates (update_id, chat_id, payload, received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (update_id) DO NOTHING`, updateID, chatID, payload, db.now())
	if err != nil {
		return false, fmt.Errorf("save update %d: %w", updateID, mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// PendingUpdates lists stored, unhandled updates, oldest first.
func (db *DB) PendingUpdates(ctx context.Context, limit int) ([]domain.RawUpdate, error) {
	rows, err := db.pool.Query(ctx, `SELECT update_id, chat_id, payload FROM updates
		WHERE processed_at IS NULL ORDER BY update_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending updates: %w", err)
	}
	defer rows.Close()
	var out []domain.RawUpdate
	for rows.Next() {
		var u domain.RawUpdate
		if err := rows.Scan(&u.UpdateID, &u.ChatID, &u.Payload); err != nil {
			return nil, fmt.Errorf("pending updates: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ClaimUpdate locks the update row; false when it was handled already.
func (t *tx) ClaimUpdate(ctx context.Context, updateID int64) (bool, error) {
	var processed bool
	err := t.tx.QueryRow(ctx, `SELECT processed_at IS NOT NULL FROM updates
		WHERE update_id = $1 FOR UPDATE`, updateID).Scan(&processed)
	if err != nil {
		return false, fmt.Errorf("claim update %d: %w", updateID, mapErr(err))
	}
	return !processed, nil
}

// MarkUpdateProcessed records that the update was handled.
func (t *tx) MarkUpdateProcessed(ctx context.Context, updateID int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE updates SET processed_at = $2 WHERE update_id = $1`, updateID, t.now())
	return mapErr(err)
}
