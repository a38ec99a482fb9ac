package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// lockConversation locks the chat's conversation and returns it. It
// takes a row lock and writes no new row version: an upsert whose no-op
// update locked the row (as before) wrote one on every update, and with
// the save a second, and walking those HOT chains showed in PostgreSQL's
// profile under the chat load.
const lockConversation = `SELECT flow, step, data, updated_at FROM conversations WHERE chat_id = $1 FOR UPDATE`

// createConversation makes the chat's conversation, for its first update.
// A concurrent first update of the same chat makes the insert wait for
// that one's commit and then do nothing; lockConversation, the next
// statement, reads with a snapshot taken after the wait and finds the row.
const createConversation = `INSERT INTO conversations (chat_id, updated_at) VALUES ($1, $2) ON CONFLICT (chat_id) DO NOTHING`

// customerWithCard reads the chat's customer with their card, if any (a
// card per customer: cards.customer_id is unique). Nearly half of a
// shop's updates are /card, which needs nothing else; the join costs the
// others one index probe.
const customerWithCard = `SELECT ` + customerColumns + `, card_id, card_number, card_balance, card_created_at
	FROM customers LEFT JOIN LATERAL (
		SELECT id AS card_id, number AS card_number, balance AS card_balance, created_at AS card_created_at
		FROM cards WHERE cards.customer_id = customers.id) k ON true
	WHERE telegram_id = $1`

// customerCardRow is a row of customerWithCard.
type customerCardRow struct {
	customerRow
	CardID        *int64     `db:"card_id"`
	CardNumber    *string    `db:"card_number"`
	CardBalance   *int64     `db:"card_balance"`
	CardCreatedAt *time.Time `db:"card_created_at"`
}

// card is the customer's card, nil when they have none.
func (r customerCardRow) card() *domain.Card {
	if r.CardID == nil {
		return nil
	}
	return &domain.Card{ID: *r.CardID, CustomerID: r.ID, Number: deref(r.CardNumber),
		Balance: deref(r.CardBalance), CreatedAt: deref(r.CardCreatedAt)}
}

// LockConversation creates the chat's row if needed and locks it until the
// transaction ends: go-telegram/bot-style concurrent handlers and several
// replicas then handle one chat's updates one at a time.
func (t *tx) LockConversation(ctx context.Context, chatID int64) (*domain.Conversation, error) {
	st, err := t.openChat(ctx, chatID, nil, 0)
	if err != nil {
		return nil, err
	}
	return st.Conversation, nil
}

// OpenChat locks the conversation and reads the customer and the staff
// member in one round trip: three statements in one batch, where they
// were three round trips on every update. They stay three statements:
// each reads with a snapshot taken after the one before, so the lookups
// see what a handler of the same chat committed while this one waited
// for the lock (one statement would read with the snapshot from before
// the wait, and miss, say, the customer that handler had just created).
func (t *tx) OpenChat(ctx context.Context, chatID, telegramID int64, also domain.ChatReads) (*domain.ChatState, error) {
	return t.openChat(ctx, chatID, &telegramID, also)
}

// chatCardExpiry reads the expiry facts of the card of the customer
// Telegram user $1 is (ReadCardExpiry), and its held welcome bonus, as
// FindCardWithExpiry does by the customer.
// The card is found once, its facts read by its id.
var chatCardExpiry = `SELECT f.*, ` + heldOf("(k.id)") + ` FROM (SELECT k.id FROM customers c JOIN cards k ON k.customer_id = c.id
	WHERE c.telegram_id = $1) k CROSS JOIN LATERAL (SELECT ` + expiryFactsOf("(k.id)") + `) f`

// chatTopicChoices reads the topic choices of the customer Telegram user
// $1 is (ReadTopicChoices), as ListTopicChoices does by the customer.
const chatTopicChoices = `SELECT topic, subscribed FROM topic_subscriptions
	WHERE customer_id = (SELECT id FROM customers WHERE telegram_id = $1)`

// openChat is OpenChat, reading the people (and what also names) only
// when telegramID is set. A chat's first update takes a second round
// trip, which creates the conversation and then reads it all again,
// under the lock.
func (t *tx) openChat(ctx context.Context, chatID int64, telegramID *int64, also domain.ChatReads) (*domain.ChatState, error) {
	for _, create := range []bool{false, true} {
		st := &domain.ChatState{}
		var c *domain.Conversation
		var card *domain.Card
		var choices map[string]bool
		var expiry *domain.ExpiryFacts
		var data []byte
		b := &pgx.Batch{}
		if create {
			b.Queue(createConversation, chatID, t.now())
		}
		b.Queue(lockConversation, chatID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				c = &domain.Conversation{ChatID: chatID}
				if err := rows.Scan(&c.Flow, &c.Step, &data, &c.UpdatedAt); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if telegramID != nil {
			b.Queue(customerWithCard, *telegramID).Query(func(rows pgx.Rows) error {
				r, err := pgx.CollectRows(rows, pgx.RowToStructByName[customerCardRow])
				if len(r) == 1 {
					st.Customer = r[0].domain()
					card = r[0].card()
				}
				return err
			})
			b.Queue(`SELECT `+staffColumns+` FROM staff WHERE telegram_id = $1`, *telegramID).Query(func(rows pgx.Rows) error {
				r, err := pgx.CollectRows(rows, pgx.RowToStructByName[staffRow])
				if len(r) == 1 {
					s := r[0].domain()
					st.Staff = &s
				}
				return err
			})
			if also&domain.ReadLivePromotions != 0 {
				t.queueLive(b, t.now())
			}
			if also&domain.ReadCardExpiry != 0 {
				b.Queue(chatCardExpiry, *telegramID).Query(func(rows pgx.Rows) error {
					for rows.Next() {
						x, err := scanExpiryFacts(rows)
						if err != nil {
							return err
						}
						expiry = &x
					}
					return rows.Err()
				})
			}
			if also&domain.ReadTopicChoices != 0 {
				b.Queue(chatTopicChoices, *telegramID).Query(func(rows pgx.Rows) error {
					var err error
					choices, err = scanTopicChoices(rows)
					return err
				})
			}
		}
		if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, fmt.Errorf("open chat %d: %w", chatID, mapErr(err))
		}
		t.openCard, t.openChoices, t.openChoicesOf, t.openAt = card, choices, 0, t.tx.issued
		t.openExpiry = nil
		if card != nil {
			t.openExpiry = expiry
		}
		if choices != nil && st.Customer != nil {
			t.openChoicesOf = st.Customer.ID
		}
		if c == nil {
			continue
		}
		if err := json.Unmarshal(data, &c.Data); err != nil {
			return nil, fmt.Errorf("conversation of chat %d: decode data: %w", chatID, err)
		}
		if c.Data == nil {
			c.Data = map[string]string{}
		}
		t.remember(c)
		st.Conversation = c
		return st, nil
	}
	return nil, fmt.Errorf("open chat %d: the conversation was not created", chatID)
}

// SaveConversation stores the chat's flow, step and answers, when they
// changed since the transaction locked them (most updates, a /card or a
// menu tap, leave them as they were; updated_at then keeps the time of
// the last change). The write is deferred: it goes out with the
// transaction's next statement (the replies' outbox rows) or its COMMIT,
// not in a round trip of its own.
func (t *tx) SaveConversation(ctx context.Context, c *domain.Conversation) error {
	if was, ok := t.convs[c.ChatID]; ok && was.Flow == c.Flow && was.Step == c.Step && maps.Equal(was.Data, c.Data) {
		return nil
	}
	data, err := json.Marshal(c.Data)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	b := &pgx.Batch{}
	b.Queue(`UPDATE conversations SET flow = $2, step = $3, data = $4,
		updated_at = $5 WHERE chat_id = $1`, c.ChatID, c.Flow, c.Step, data, t.now())
	t.tx.Defer(b)
	t.remember(c)
	return nil
}

// remember keeps a copy of the conversation as the database now has it
// (locked or saved), which SaveConversation compares against.
func (t *tx) remember(c *domain.Conversation) {
	if t.convs == nil {
		t.convs = map[int64]domain.Conversation{}
	}
	t.convs[c.ChatID] = domain.Conversation{Flow: c.Flow, Step: c.Step, Data: maps.Clone(c.Data)}
}
