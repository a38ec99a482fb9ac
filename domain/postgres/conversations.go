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
	if err := json.Unmarshal(data, &c.Data); err != nil {
		return nil, fmt.Errorf("lock conversation: decode data: %w", err)
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	return c, nil
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
