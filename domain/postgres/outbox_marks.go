package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sentMarks marks delivered outbox rows sent, many in one statement: the
// marks that arrive while one statement is under way go together in the
// next (group commit, done before PostgreSQL's own). Each caller still
// waits until its row is marked before it sends its chat's next message,
// so a crash resends nothing that was delivered; what it saves is a
// statement, a commit and a round trip for every message but one of each
// group: under the chat load every reply was a mark of its own, from
// every worker and sender at once. Marks made together also wait
// together: a statement waits only for a transaction holding one of its
// unsent rows, which is a lease statement (one short UPDATE) or a
// customer's erasure deleting their chat's queue (one update's
// transaction), never a long one.
type sentMarks struct {
	pool *pgxpool.Pool
	now  func() time.Time

	mu      sync.Mutex
	ids     []int64
	waiters []chan error
	busy    bool // a goroutine is marking; it takes what queues meanwhile
	batches int  // statements run, for tests
}

// markSentTimeout bounds one marking statement: the database away longer
// than that gives every waiter the error (the sender retries it).
const markSentTimeout = 30 * time.Second

// markSent marks the delivered rows $1 sent at $2 and scrubs them. A
// row an erasure dropped while the sender held it went all the same: it
// counts as sent, not also as withdrawn. Its
// rows are found through the primary key in id order, as Release's are,
// so the two never wait on each other's row locks in a cycle. Both run
// with claimPlan's settings (pinned): a generic plan cached while the
// outbox was a few rows long read the whole table instead, 4 ms and 664
// pages a mark under the chat load, and locked the rows in table order.
const markSent = `UPDATE outbox SET sent_at = $2, claimed_until = NULL, payload = '{}', payloads = NULL,
	undelivered = NULL, dropped_at = NULL
	WHERE id = ANY($1)`

// mark queues id and waits until the statement that marks it is done.
func (m *sentMarks) mark(ctx context.Context, id int64) error {
	done := make(chan error, 1)
	m.mu.Lock()
	m.ids = append(m.ids, id)
	m.waiters = append(m.waiters, done)
	if !m.busy {
		m.busy = true
		go m.run()
	}
	m.mu.Unlock()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run marks what is queued, again and again, until nothing is.
func (m *sentMarks) run() {
	for {
		m.mu.Lock()
		ids, waiters := m.ids, m.waiters
		m.ids, m.waiters = nil, nil
		if len(ids) == 0 {
			m.busy = false
			m.mu.Unlock()
			return
		}
		m.batches++
		m.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), markSentTimeout)
		err := pinned(ctx, m.pool, func(b *pgx.Batch) { b.Queue(markSent, ids, m.now()) })
		cancel()
		err = markUnavailable(err)
		for _, w := range waiters {
			w <- err
		}
	}
}
