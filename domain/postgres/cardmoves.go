package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// CreateCardMove stores a move link by the hash of its token; the
// customer's earlier unused links stop working.
func (t *tx) CreateCardMove(ctx context.Context, m *domain.CardMove, hash []byte) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM card_moves WHERE customer_id = $1 AND used_at IS NULL`, m.CustomerID); err != nil {
		return fmt.Errorf("create card move: %w", mapErr(err))
	}
	err := t.tx.QueryRow(ctx, `INSERT INTO card_moves (token_hash, customer_id, created_by, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, hash, m.CustomerID, m.CreatedBy, m.ExpiresAt, t.now()).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("create card move: %w", mapErr(err))
	}
	return nil
}

// TakeCardMove locks a move link by token hash, and first its customer:
// two links of one customer (two managers at one moment) claimed at once
// queue on the customer, and the second finds its link gone with the
// first's MarkCardMoveUsed (ErrNotFound) rather than moving the card on.
func (t *tx) TakeCardMove(ctx context.Context, hash []byte) (*domain.CardMove, error) {
	var customerID int64
	if err := t.tx.QueryRow(ctx, `SELECT customer_id FROM card_moves WHERE token_hash = $1`, hash).Scan(&customerID); err != nil {
		return nil, mapErr(err)
	}
	if _, err := t.tx.Exec(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, customerID); err != nil {
		return nil, mapErr(err)
	}
	var m domain.CardMove
	var used *time.Time
	err := t.tx.QueryRow(ctx, `SELECT id, customer_id, created_by, expires_at, used_at FROM card_moves
		WHERE token_hash = $1 FOR UPDATE`, hash).Scan(&m.ID, &m.CustomerID, &m.CreatedBy, &m.ExpiresAt, &used)
	if err != nil {
		return nil, mapErr(err)
	}
	m.UsedAt = deref(used)
	return &m, nil
}

// MarkCardMoveUsed spends a move link, and drops its customer's other
// unused ones: the card has moved.
func (t *tx) MarkCardMoveUsed(ctx context.Context, id int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `WITH used AS (UPDATE card_moves SET used_at = $2 WHERE id = $1 RETURNING customer_id)
		DELETE FROM card_moves m USING used WHERE m.customer_id = used.customer_id AND m.used_at IS NULL AND m.id <> $1`, id, at)
	return mapErr(err)
}

// MoveCustomerAccount points the customer at another Telegram account
// and chat, drops the old chat's conversation (a flow the old account
// had begun acted for this customer) and sends what waits for the old
// chat to the new one; a staff member's old chat keeps its conversation
// and its staff messages, and only the customer's own go.
func (t *tx) MoveCustomerAccount(ctx context.Context, customerID, telegramID, chatID int64) error {
	var oldChat *int64
	err := t.tx.QueryRow(ctx, `WITH old AS (SELECT chat_id FROM customers WHERE id = $1 FOR UPDATE)
		UPDATE customers c SET telegram_id = $2, chat_id = $3, unreachable_at = NULL
		FROM old WHERE c.id = $1 RETURNING old.chat_id`, customerID, telegramID, chatID).Scan(&oldChat)
	if err != nil {
		return fmt.Errorf("move customer %d: %w", customerID, mapErr(err))
	}
	if oldChat == nil || *oldChat == chatID {
		return nil
	}
	var staff bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE chat_id = $1 AND revoked_at IS NULL)`,
		*oldChat).Scan(&staff); err != nil {
		return mapErr(err)
	}
	// What waits for the old chat (a nudge or a visit's rating held by
	// the quiet hours) is the customer's: it goes to the new one. A row
	// a sender holds now is on its way and goes where it was going (a
	// lease is wall-clock time, as the senders set it, not business
	// time); should it not go after all (a 429, a failure, the lease
	// given back), it goes to the new chat then (moved_to, see
	// Outbox.PutOff and Release). A wait Telegram set for the old chat
	// (a 429's retry_at) is that chat's: it does not come along to hold
	// up the new chat's queue, the answer to the link behind it; nor do
	// the old chat's failures (spent = attempts), which one error in the
	// new chat would have made too many (the sender's maxAttempts). A
	// staff member's chat keeps its flow and its staff messages: only
	// what is the customer's own (their nudges, rating requests and
	// broadcasts) follows the card.
	// A row still held for a chat the card left before the old one
	// (moved_to is the old chat: the card moves on again) goes to the
	// new chat too, not to the old one it has left as well.
	// One statement for all: a row a sender gives back while the move
	// runs (the move waits for it) is either moved or marked as it is
	// then, never seen held by one statement and given back by the next
	// and so left behind in the old chat.
	// A scheduled broadcast's message taken back when they opted out
	// comes along too: should they opt in again before its time, it is
	// the one that goes (QueueLatecomers), not a second one counted
	// beside it as opted out.
	held := `(chat_id <> $1 OR claimed_until >= now())`
	move := `UPDATE outbox SET chat_id = CASE WHEN ` + held + ` THEN chat_id ELSE $2 END,
			payload = CASE WHEN ` + held + ` THEN payload ELSE jsonb_set(payload, '{chat_id}', to_jsonb($2::bigint)) END,
			retry_at = CASE WHEN ` + held + ` THEN retry_at END,
			spent = CASE WHEN ` + held + ` THEN spent ELSE attempts END,
			moved_to = CASE WHEN ` + held + ` THEN $2::bigint END
			WHERE ((chat_id = $1 AND (num_nulls(sent_at, dropped_at) = 2
				OR sent_at IS NULL AND last_error = '` + withdrawnError + `'
				   AND broadcast_id IN (SELECT b.id FROM broadcasts b WHERE b.audience_at IS NULL)
				   AND NOT EXISTS (SELECT 1 FROM outbox y WHERE y.broadcast_id = outbox.broadcast_id AND y.chat_id = $2)))
			   OR (moved_to = $1 AND num_nulls(sent_at, dropped_at) = 2))`
	steps := []stmt{{`DELETE FROM conversations WHERE chat_id = $1`, []any{*oldChat}}, {move, []any{*oldChat, chatID}}}
	if staff {
		own := ` AND (broadcast_id IS NOT NULL
				OR nudge_id IN (SELECT id FROM nudges WHERE customer_id = $3)
				OR id IN (SELECT outbox_id FROM feedback_requests WHERE customer_id = $3))`
		steps = []stmt{{move + own, []any{*oldChat, chatID, customerID}}}
	}
	for _, st := range steps {
		if _, err := t.tx.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("move customer %d: %w", customerID, mapErr(err))
		}
	}
	return nil
}

// RetireAccount records an account a member moved away from.
func (t *tx) RetireAccount(ctx context.Context, accountHash []byte, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO erased_accounts (telegram_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		accountHash, t.stamp(at))
	return mapErr(err)
}
