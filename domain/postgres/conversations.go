package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// lockConversation creates the chat's conversation if it has none and
// locks it, returning it, in one statement (it was an insert and a
// select FOR UPDATE, on every update). The no-op update on conflict is
// what locks an existing row and returns it; it waits for a concurrent
// first insert of the same chat and then sees it, where DO NOTHING and a
// separate select could not, in one statement.
const lockConversation = `INSERT INTO conversations (chat_id, updated_at) VALUES ($1, $2)
	ON CONFLICT (chat_id) DO UPDATE SET updated_at = conversations.updated_at
	RETURNING flow, step, data, updated_at`

// LockConversation creates the chat's row if needed and locks it until the
// transaction ends: go-telegram/bot-style concurrent handlers and several
// replicas then handle one chat's updates one at a time.
func (t *tx) LockConversation(ctx context.Context, chatID int64) (*domain.Conversation, error) {
	c := &domain.Conversation{ChatID: chatID}
	var data []byte
	err := t.tx.QueryRow(ctx, lockConversation, chatID, t.now()).Scan(&c.Flow, &c.Step, &data, &c.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("lock conversation: %w", mapErr(err))
	}
	if err := decodeConversation(c, data); err != nil {
		return nil, err
	}
	return c, nil
}

// OpenChat locks the conversation and reads the customer and the staff
// member in one round trip: three statements in one batch, where they
// were three round trips on every update. They stay three statements:
// each reads with a snapshot taken after the one before, so the lookups
// see what a handler of the same chat committed while this one waited
// for the lock (one statement would read with the snapshot from before
// the wait, and miss, say, the customer that handler had just created).
func (t *tx) OpenChat(ctx context.Context, chatID, telegramID int64) (*domain.ChatState, error) {
	st := &domain.ChatState{Conversation: &domain.Conversation{ChatID: chatID}}
	c := st.Conversation
	var data []byte
	b := &pgx.Batch{}
	b.Queue(lockConversation, chatID, t.now()).QueryRow(func(row pgx.Row) error {
		return row.Scan(&c.Flow, &c.Step, &data, &c.UpdatedAt)
	})
	b.Queue(`SELECT `+customerColumns+` FROM customers WHERE telegram_id = $1`, telegramID).Query(func(rows pgx.Rows) error {
		r, err := pgx.CollectRows(rows, pgx.RowToStructByName[customerRow])
		if len(r) == 1 {
			st.Customer = r[0].domain()
		}
		return err
	})
	b.Queue(`SELECT `+staffColumns+` FROM staff WHERE telegram_id = $1`, telegramID).Query(func(rows pgx.Rows) error {
		r, err := pgx.CollectRows(rows, pgx.RowToStructByName[staffRow])
		if len(r) == 1 {
			s := r[0].domain()
			st.Staff = &s
		}
		return err
	})
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("open chat %d: %w", chatID, mapErr(err))
	}
	if err := decodeConversation(c, data); err != nil {
		return nil, err
	}
	return st, nil
}

// decodeConversation reads the conversation's data column into c.
func decodeConversation(c *domain.Conversation, data []byte) error {
	if err := json.Unmarshal(data, &c.Data); err != nil {
		return fmt.Errorf("conversation of chat %d: decode data: %w", c.ChatID, err)
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	return nil
}

// SaveConversation stores the chat's flow, step and answers. The write
// is deferred: it goes out with the transaction's next statement (the
// replies' outbox rows) or its COMMIT, not in a round trip of its own.
func (t *tx) SaveConversation(ctx context.Context, c *domain.Conversation) error {
	data, err := json.Marshal(c.Data)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(`UPDATE conversations SET flow = $2, step = $3, data = $4,
		updated_at = $5 WHERE chat_id = $1`, c.ChatID, c.Flow, c.Step, data, t.now())
	t.tx.Defer(b)
	return nil
}
