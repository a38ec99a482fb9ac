package flows_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// chatTrips records the round trips of each chat update's transaction,
// by connection: from the batch that locks the chat's conversation to
// the one that commits or rolls back. Everything else the bot runs
// (storing updates, marking messages sent, jobs) is left out.
type chatTrips struct {
	mu   sync.Mutex
	open map[*pgx.Conn]*updateTx
	done []updateTx
}

// updateTx is one update's transaction: its chat and a line per round
// trip, the statements' first words.
type updateTx struct {
	chat  int64
	trips []string
}

func newChatTrips() *chatTrips { return &chatTrips{open: map[*pgx.Conn]*updateTx{}} }

func (c *chatTrips) trip(conn *pgx.Conn, queries []*pgx.QueuedQuery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tx := c.open[conn]
	var words []string
	end := false
	for _, q := range queries {
		sql := strings.Join(strings.Fields(q.SQL), " ")
		if tx == nil && strings.Contains(sql, "FROM conversations WHERE chat_id = $1 FOR UPDATE") {
			if id, ok := q.Arguments[0].(int64); ok {
				tx = &updateTx{chat: id}
				c.open[conn] = tx
			}
		}
		if s := strings.ToLower(sql); s == "commit" || s == "rollback" {
			end = true
		}
		if len(sql) > 40 {
			sql = sql[:40]
		}
		words = append(words, sql)
	}
	if tx == nil {
		return
	}
	tx.trips = append(tx.trips, strings.Join(words, " | "))
	if end {
		c.done = append(c.done, *tx)
		delete(c.open, conn)
	}
}

// take returns the transactions of chat's updates finished since the
// last take.
func (c *chatTrips) take(chat int64) []updateTx {
	c.mu.Lock()
	defer c.mu.Unlock()
	var mine, rest []updateTx
	for _, tx := range c.done {
		if tx.chat == chat {
			mine = append(mine, tx)
		} else {
			rest = append(rest, tx)
		}
	}
	c.done = rest
	return mine
}

func (c *chatTrips) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.trip(conn, []*pgx.QueuedQuery{{SQL: d.SQL, Arguments: d.Args}})
	return ctx
}
func (c *chatTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *chatTrips) TraceBatchStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.trip(conn, d.Batch.QueuedQueries)
	return ctx
}
func (c *chatTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *chatTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// TestEverydayUpdatesRoundTrips holds the round trips to PostgreSQL of
// the updates a shop sees most, each a hand-off between the bot and the
// database on both sides of the socket: on a two-core machine they are
// most of what an update costs beyond its statements. The first round
// trip reads the chat (locked), the customer with their card and the
// staff record; the last writes the reply, marks the update handled and
// commits.
func TestEverydayUpdatesRoundTrips(t *testing.T) {
	t.Parallel()
	trips := newChatTrips()
	h := bottest.NewTraced(t, trips, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 911, "Boris")
	anna := joinConsenting(t, h, 121, "Anna")
	buy(t, anna, cashier) // the first purchase: a referral, badges, the profile's offer
	anna.Send("/topics")
	h.Settle()
	trips.take(anna.U.ID)
	trips.take(cashier.U.ID)

	check := func(what string, c *bottest.Chat, want int) {
		t.Helper()
		h.Settle()
		txs := trips.take(c.U.ID)
		if len(txs) != 1 {
			t.Errorf("%s: %d transactions of chat %d, want 1: %+v", what, len(txs), c.U.ID, txs)
			return
		}
		if got := len(txs[0].trips); got != want {
			t.Errorf("%s: %d round trips, want %d:\n  %s", what, got, want, strings.Join(txs[0].trips, "\n  "))
		}
	}
	anna.Send("/card")
	check("/card", anna, 2)
	anna.Send("/topics")
	check("/topics (the chat with the choices, then the reply)", anna, 2)
	anna.Tap("⬜ Kids' products")
	check("a tap on /topics (the chat with the choices, then the reply)", anna, 2)

	scan(t, anna, cashier) // the customer's /card, then the cashier opens its link
	check("a scanned card (the quote, the staff's notes)", cashier, 4)
	cashier.Send("1000")
	check("the amount (the quote)", cashier, 3)
	cashier.Tap("➕ Accrue +30")
	check("accrue (the quote)", cashier, 3)
	cashier.Tap("✅ Confirm")
	check("confirm (the card locked and read, then the purchase)", cashier, 3)
	if got := balance(t, h, 121); got != 100+30+30 {
		t.Fatalf("balance %d after two purchases, want 160:\n%s", got, cashier.Transcript())
	}
}
