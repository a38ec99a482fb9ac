package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Enqueue adds a message to the outbox. A row left to the background
// sender is a deferred write (its id is not returned): a purchase's
// reactions queue the customer's message without a round trip of its own.
// A claimed row is written at once, for its id.
func (t *tx) Enqueue(ctx context.Context, m domain.OutMessage, claim bool) (int64, error) {
	if claim {
		if err := t.Hold(ctx, &m); err != nil {
			return 0, err
		}
		if err := t.tx.flush(ctx); err != nil {
			return 0, fmt.Errorf("enqueue: %w", err)
		}
		return m.ID, nil
	}
	now := t.now()
	notBefore := m.NotBefore
	if notBefore.IsZero() {
		notBefore = now
	}
	b := &pgx.Batch{}
	// A staff member who blocked the bot is not written to (their alerts,
	// digests, reports) until the mark goes; a customer's mark is looked
	// at by the flows, which tell the person acting.
	var undelivered []byte
	var inquiry, feedback int64
	if u := m.Undelivered; u != nil {
		var err error
		if undelivered, err = json.Marshal(map[string]any{"chat_id": u.ChatID, "payload": u.Payload, "about": u.About}); err != nil {
			return 0, fmt.Errorf("enqueue: %w", err)
		}
		inquiry, feedback = u.Inquiry, u.Feedback
	}
	b.Queue(`INSERT INTO outbox (chat_id, payload, not_before, created_at, about_customer_id, about_customer_ids, about_feedback_id,
			undelivered, answers_inquiry_id, answers_feedback_id)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
		WHERE NOT EXISTS (SELECT 1 FROM staff WHERE chat_id = $1 AND unreachable_at IS NOT NULL)`,
		m.ChatID, []byte(m.Payload), notBefore, now, about(m), alsoAbout(m), nullable(m.AboutFeedback),
		undelivered, nullable(inquiry), nullable(feedback))
	t.tx.Defer(b)
	return 0, nil
}

// Awaits says whether a pending message of the chat holds match (see
// domain.OutboxWriter); the chat's pending rows are few (outbox_chat_queue).
func (t *tx) Awaits(ctx context.Context, chatID int64, match []byte) (bool, error) {
	var found bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox
		WHERE chat_id = $1 AND num_nulls(sent_at, dropped_at) = 2 AND payload @> $2::jsonb)`, chatID, match).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("outbox awaits: %w", err)
	}
	return found, nil
}

// WithdrawAwaiting takes back the chat's pending rows holding match,
// unless a sender holds them (a lease is transport time: now()).
func (t *tx) WithdrawAwaiting(ctx context.Context, chatID int64, match []byte, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE outbox SET dropped_at = $3, last_error = '`+withdrawnError+`', payload = '{}', payloads = NULL, undelivered = NULL
		WHERE chat_id = $1 AND `+chatPending+` AND payload @> $2::jsonb
		  AND (claimed_until IS NULL OR claimed_until < now())`, chatID, match, t.stamp(at))
	return mapErr(err)
}

// holdOutbox writes a held row ($4: the lease, wall-clock time) and says
// whether a message of the chat due by then is pending, other than the
// rows this transaction holds (written by it, xmin, with a lease: a
// notice it queued for the background sender still goes first). The
// check reads the snapshot from before the insert, so the row itself is
// not in it; a row another transaction has not committed yet is not
// either: written concurrently, either may go first. The transaction's
// own rows were told by their ids, which the statement then had to wait
// for: a round trip of its own on every update that answers.
const holdOutbox = `INSERT INTO outbox (chat_id, payload, not_before, claimed_until, created_at, about_customer_id, about_customer_ids)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	RETURNING id, NOT EXISTS (SELECT 1 FROM outbox e
		WHERE e.chat_id = $1 AND num_nulls(e.sent_at, e.dropped_at) = 2 -- chatPending
		  AND e.not_before <= $3
		  AND NOT (e.xmin = pg_current_xact_id()::xid AND e.claimed_until IS NOT NULL))`

// holdPlan pins the plan of holdOutbox's check (see Hold).
const holdPlan = `SELECT set_config('enable_seqscan', 'off', true)`

// Hold adds a message the caller sends right after commit (see
// domain.OutboxWriter). The row is a deferred write: it goes out with the
// next statement or with COMMIT, which sets m's ID and Held.
func (t *tx) Hold(ctx context.Context, m *domain.OutMessage) error {
	now := t.now()
	if m.NotBefore.IsZero() {
		m.NotBefore = now
	}
	// The lease is transport time: the wall clock, as in Claim. One for
	// the transaction's rows, which tells them apart when the COMMIT's
	// answer is lost (Outbox.Held); to the microsecond, as stored.
	if t.lease.IsZero() {
		t.lease = time.Now().Add(domain.HoldLease).Round(0).Truncate(time.Microsecond)
	}
	m.Lease, m.Attempts = t.lease, 0
	// The check's plan is made with sequential scans off and the setting
	// put back right after (both ride with the statements around it, no
	// round trip of their own): a plan cached while the outbox was a page
	// long read the whole table once it held a backlog.
	b := &pgx.Batch{}
	b.Queue(holdPlan)
	b.Queue(holdOutbox, m.ChatID, []byte(m.Payload), m.NotBefore, m.Lease, now, about(*m), alsoAbout(*m)).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&m.ID, &m.Held); err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
		return nil
	})
	b.Queue(`SELECT set_config('enable_seqscan', 'on', true)`)
	t.tx.Defer(b)
	return nil
}

// about is the row's about_customer_id: NULL for a message about nobody.
func about(m domain.OutMessage) *int64 {
	if m.About == 0 {
		return nil
	}
	return &m.About
}

// alsoAbout is the row's about_customer_ids: NULL for none.
func alsoAbout(m domain.OutMessage) []int64 {
	if len(m.AlsoAbout) == 0 {
		return nil
	}
	return m.AlsoAbout
}

// Outbox returns the outbox queue.
func (db *DB) Outbox() domain.Outbox { return &outbox{pool: db.pool, now: db.now, marks: db.marks} }

// outbox is the queue. A row is due when the business clock has reached
// its not_before (a nudge's time) and the wall clock its retry_at (a 429's
// retry_after, in Telegram's seconds); a sender's lease (claimed_until)
// is wall-clock time too.
type outbox struct {
	pool  *pgxpool.Pool
	now   func() time.Time
	marks *sentMarks
}

func scanOut(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close()
}) ([]domain.OutMessage, error) {
	defer rows.Close()
	var out []domain.OutMessage
	for rows.Next() {
		var m domain.OutMessage
		var payload []byte
		if err := rows.Scan(&m.ID, &m.ChatID, &payload, &m.NotBefore, &m.Attempts, &m.Failures, &m.Moved); err != nil {
			return nil, err
		}
		m.Payload = payload
		out = append(out, m)
	}
	return out, rows.Err()
}

// chatPending is how a statement that reads one chat's queue says
// "neither sent nor dropped": num_nulls(sent_at, dropped_at) = 2, the
// predicate of outbox_chat_queue (migration 0034) and of no other index,
// so the chat's index is the only one such a statement can use, whatever
// the statistics. A walk of every chat's due messages says it as
// sent_at IS NULL AND dropped_at IS NULL, outbox_due's predicate; a
// statement by id, as unsentByID, which no index's predicate matches.
const chatPending = `num_nulls(sent_at, dropped_at) = 2`

// firstPending holds when pending row o is the first pending message of
// its chat (by not_before, then id): no earlier one is still to be sent
// or dropped, so o may go. It is a correlated subquery that reads the
// head of the chat's queue (outbox_chat_queue, one index entry), not an
// anti-join: a queue table's statistics are often stale (thousands of
// rows written since the last analyze), and with an estimate of one row
// the planner joined against the whole index (150 ms and 90,000 buffers
// per claim at an 11,000-message backlog, measured under load).
const firstPending = `o.id = (SELECT e.id FROM outbox e
	WHERE e.chat_id = o.chat_id AND num_nulls(e.sent_at, e.dropped_at) = 2 -- chatPending
	ORDER BY e.chat_id, e.not_before, e.id LIMIT 1)`

// claimOutbox leases up to $1 due rows for $2 seconds; $3 is the
// business clock's now.
const claimOutbox = `UPDATE outbox SET claimed_until = now() + $2 * interval '1 second', attempts = attempts + 1
		WHERE id = ANY(ARRAY(
			SELECT o.id FROM outbox o
			 WHERE o.sent_at IS NULL AND o.dropped_at IS NULL AND o.not_before <= $3
			   AND (o.retry_at IS NULL OR o.retry_at <= now())
			   AND (o.claimed_until IS NULL OR o.claimed_until < now())
			   AND ` + firstPending + `
			 ORDER BY o.not_before, o.id
			 LIMIT $1
			 FOR UPDATE SKIP LOCKED))
		RETURNING id, chat_id, payload, not_before, attempts, attempts - spent, moved_to IS NOT NULL`

// claimPlan pins the claim's plan to a walk of the due rows in order
// (outbox_due), which stops after limit rows: with statistics taken when
// the queue was short, the planner would rather read the whole backlog
// and sort it, checking every row's chat (60,000 pages for a claim of 8
// at 20,000 messages; 150 pages walking the index). The rows found are
// then updated by id (the ARRAY is computed once), not joined. With
// these settings a generic plan is as good as a custom one, and the
// statements run it (plan_cache_mode): left to choose, PostgreSQL planned
// the mark-sent and release statements anew on every call (a generic
// plan's estimate for an array of ids looks dearer than a custom one's),
// 0.11 ms of planning for every 0.14 ms of marking under the chat load
// (TestSenderStatementsArePlannedOnce). JIT is off: should a plan ever
// need a node these settings disable, its cost (disable_cost, 1e10)
// would cross jit_above_cost, and a claim of a few rows compiled itself
// for 350 ms (measured; the plan tests fail on such a cost).
const claimPlan = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
	set_config('enable_sort', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
	set_config('jit', 'off', true)`

// Claim leases due rows that are first pending in their chat, oldest
// first, skipping rows another sender holds. A chat whose first message is
// leased or put off has nothing to claim: its order is kept.
func (o *outbox) Claim(ctx context.Context, limit int, hold time.Duration) ([]domain.OutMessage, error) {
	var ms []domain.OutMessage
	asked := time.Now()
	err := o.pinned(ctx, func(b *pgx.Batch) {
		b.Queue(claimOutbox, limit, hold.Seconds(), o.now()).Query(func(rows pgx.Rows) error {
			var err error
			ms, err = scanOut(rows)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	leasedAt(ms, asked)
	return ms, nil
}

// leasedAt records when the rows' leases were asked for.
func leasedAt(ms []domain.OutMessage, asked time.Time) {
	for i := range ms {
		ms[i].LeasedAt = asked
	}
}

// pinned runs the statement queue adds in a transaction of its own with
// the plan settings of claimPlan, in one round trip (BEGIN, the settings,
// the statement, COMMIT). The sender's statements run this way: each
// reads the due rows or one chat's queue through its index whatever the
// statistics, and with the settings in force whenever it is planned, a
// cached plan is one made with them.
func (o *outbox) pinned(ctx context.Context, queue func(*pgx.Batch)) error {
	return pinned(ctx, o.pool, queue)
}

func pinned(ctx context.Context, pool *pgxpool.Pool, queue func(*pgx.Batch)) error {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(claimPlan)
	queue(b)
	b.Queue(`COMMIT`)
	return pool.SendBatch(ctx, b).Close()
}

// claimChat leases for $3 seconds the due messages of chat $1 before row
// $2 ($4: the business clock's now) that nobody holds, from the chat's
// first pending message on and up to the first one it cannot take: the
// run it leases is unbroken, so nothing of it can go before a message
// ahead of it.
//
// The run is read first (queue: the chat's due rows in order, open while
// each so far is free and before $2), and only its open rows are locked.
// A look that can take nothing (the chat's first message is leased or
// put off) locks nothing: when it locked every free row of the chat
// before checking the run, a worker's failing look held the reply
// behind a notice locked at the very moment the notice's sender, having
// marked it sent, looked at the chat; both came back empty and the reply
// waited for the background sender's next round (TestFailingChatClaim-
// LocksNothing).
//
// A row is taken only when this statement locks it (SKIP LOCKED:
// another sender's claim, release or mark of it is not waited for), and
// the lock checks the row again as it is now (changed since the
// snapshot: sent, leased): a row the snapshot shows free but another
// transaction holds locked or has taken ends the run like a leased one.
// Skipping it alone let a worker lease the chat's second message while
// the background sender was leasing its first, and the two were sent at
// once, out of order. The chat's queue is read through
// outbox_chat_queue (the chat leads it), the open rows by id, whatever
// the statistics say.
const claimChat = `WITH queue AS MATERIALIZED (
	SELECT o.id, row_number() OVER w AS n,
	       bool_and(o.id < $2 AND (o.retry_at IS NULL OR o.retry_at <= now())
	                AND (o.claimed_until IS NULL OR o.claimed_until < now())) OVER w AS open
	  FROM outbox o
	 WHERE o.chat_id = $1 AND num_nulls(o.sent_at, o.dropped_at) = 2 -- chatPending
	   AND o.not_before <= $4 -- what is not due comes after all that is
	WINDOW w AS (ORDER BY o.chat_id, o.not_before, o.id)
), locked AS MATERIALIZED (
	SELECT o.id FROM outbox o
	 WHERE o.id = ANY(ARRAY(SELECT id FROM queue WHERE open))
	   AND o.chat_id = $1 AND num_nulls(o.sent_at, o.dropped_at) = 2 -- chatPending
	   AND o.not_before <= $4
	   AND (o.retry_at IS NULL OR o.retry_at <= now())
	   AND (o.claimed_until IS NULL OR o.claimed_until < now())
	 FOR UPDATE SKIP LOCKED
), run AS ( -- the open rows up to the first not locked (an aggregate: no sort)
	SELECT q.id FROM queue q
	 WHERE q.open AND q.n < coalesce((SELECT min(x.n) FROM queue x
	                                   WHERE x.open AND x.id NOT IN (SELECT id FROM locked)), 9223372036854775807)
)
UPDATE outbox SET claimed_until = now() + $3 * interval '1 second', attempts = attempts + 1
	WHERE id = ANY(ARRAY(SELECT id FROM run))
	RETURNING id, chat_id, payload, not_before, attempts, attempts - spent, moved_to IS NOT NULL`

// ClaimChat leases the chat's earlier messages for its worker (see
// domain.Outbox).
func (o *outbox) ClaimChat(ctx context.Context, chatID, before int64, hold time.Duration) ([]domain.OutMessage, error) {
	var ms []domain.OutMessage
	asked := time.Now()
	err := o.pinned(ctx, func(b *pgx.Batch) {
		b.Queue(claimChat, chatID, before, hold.Seconds(), o.now()).Query(func(rows pgx.Rows) error {
			var err error
			ms, err = scanOut(rows)
			return err
		})
	})
	if err != nil {
		return nil, markUnavailable(fmt.Errorf("claim chat outbox: %w", err))
	}
	leasedAt(ms, asked)
	slices.SortFunc(ms, func(a, b domain.OutMessage) int {
		if c := a.NotBefore.Compare(b.NotBefore); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return ms, nil
}

// heldOutbox reads chat $1's pending rows under lease $2, in order,
// through outbox_chat_queue (the chat leads it). They are under that
// lease still: none is Moved (a row a sender holds goes where it was
// going).
const heldOutbox = `SELECT id, chat_id, payload, not_before, attempts, attempts - spent, false FROM outbox
	WHERE chat_id = $1 AND num_nulls(sent_at, dropped_at) = 2 -- chatPending
	  AND claimed_until = $2
	ORDER BY chat_id, not_before, id`

// Held finds the rows a transaction held with lease (see domain.Outbox).
func (o *outbox) Held(ctx context.Context, chatID int64, lease time.Time) ([]domain.OutMessage, error) {
	var ms []domain.OutMessage
	err := o.pinned(ctx, func(b *pgx.Batch) {
		b.Queue(heldOutbox, chatID, lease).Query(func(rows pgx.Rows) error {
			var err error
			ms, err = scanOut(rows)
			return err
		})
	})
	if err != nil {
		return nil, markUnavailable(fmt.Errorf("held outbox rows: %w", err))
	}
	for i := range ms {
		ms[i].Lease = lease
	}
	return ms, nil
}

// unsentByID says "neither sent nor dropped" in a statement that finds
// its rows by id. Spelled so that it does not imply the partial indexes'
// predicate (sent_at IS NULL AND dropped_at IS NULL), the primary key is
// the only index such a statement can use. The queue starts empty and
// grows faster than it is analyzed, and a plan cached while it was tiny
// walked a whole partial index to find two rows by id (1.7 ms per reply
// under the chat load, when workers still read their replies back).
const unsentByID = `coalesce(sent_at, dropped_at) IS NULL`

// takeOutbox renews the lease of row $1 claimed at attempt $2 for $3
// seconds, if it is still first pending in its chat.
const takeOutbox = `UPDATE outbox o SET claimed_until = now() + $3 * interval '1 second'
		WHERE o.id = $1 AND o.attempts = $2 AND o.claimed_until IS NOT NULL
		  AND coalesce(o.sent_at, o.dropped_at) IS NULL -- unsentByID
		  AND ` + firstPending

// Take renews the caller's lease, fenced by attempts, if the row is still
// first pending in its chat.
func (o *outbox) Take(ctx context.Context, m domain.OutMessage, hold time.Duration) (bool, error) {
	var taken bool
	err := o.pinned(ctx, func(b *pgx.Batch) {
		b.Queue(takeOutbox, m.ID, m.Attempts, hold.Seconds()).Exec(func(tag pgconn.CommandTag) error {
			taken = tag.RowsAffected() == 1
			return nil
		})
	})
	if err != nil {
		return false, markUnavailable(fmt.Errorf("take outbox row %d: %w", m.ID, err))
	}
	return taken, nil
}

// MarkSent records a delivered message and scrubs its payload, in one
// statement with the other marks made meanwhile (sentMarks); it returns
// once the row is marked.
func (o *outbox) MarkSent(ctx context.Context, id int64) error {
	return o.marks.mark(ctx, id)
}

// PutOff sets a wall-clock retry_at (Telegram's retry_after, a backoff),
// kept apart from not_before, the business time the message became due
// and its place in its chat's order, and releases the lease.
func (o *outbox) PutOff(ctx context.Context, m domain.OutMessage, after time.Duration, reason string) error {
	return o.putOff(ctx, m, after, reason, 0)
}

// Throttle is PutOff for Telegram's 429: the lease is no failure. The
// wait is the chat's, not the message's: the chat's other messages
// queued now wait it out too, so that should this one be withdrawn (a
// cancelled visit's rating request, a broadcast called off) the next
// does not go at once and meet another 429. Their order is kept by
// not_before as before; a row a sender holds is left to it.
func (o *outbox) Throttle(ctx context.Context, m domain.OutMessage, after time.Duration, reason string) error {
	if err := o.putOff(ctx, m, after, reason, 1); err != nil {
		return err
	}
	// The chat's rows that nobody else is writing (SKIP LOCKED): those
	// are being sent, moved or withdrawn, and waiting on them, in
	// whatever order another statement locks them, could deadlock
	// (with the bot-wide wait every sender throttles at once).
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET retry_at = greatest(retry_at, now() + $3 * interval '1 second')
		WHERE id IN (SELECT id FROM outbox WHERE chat_id = $1 AND id <> $2 AND `+chatPending+`
		  AND (claimed_until IS NULL OR claimed_until < now()) ORDER BY id FOR UPDATE SKIP LOCKED)`, m.ChatID, m.ID, after.Seconds())
	return markUnavailable(err)
}

func (o *outbox) putOff(ctx context.Context, m domain.OutMessage, after time.Duration, reason string, spent int) error {
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET retry_at = CASE WHEN moved_to IS NULL THEN now() + $3 * interval '1 second' END,
		claimed_until = NULL, last_error = $4, spent = CASE WHEN moved_to IS NULL THEN least(spent + $5, attempts) ELSE attempts END,
		`+followMove+`
		WHERE id = $1 AND attempts = $2 AND `+unsentByID,
		m.ID, m.Attempts, after.Seconds(), reason, spent)
	return markUnavailable(err)
}

// followMove sends a row whose card moved to another Telegram account
// while a sender held it (MoveCustomerAccount set moved_to) to the new
// chat, as its lease ends without the message going: it was not shown
// in the old chat, and goes where the card is now. The old chat's wait
// (a 429's retry_at) stays behind with the old chat, and so do its
// failures: the statements that follow a move set spent to attempts, so
// the new chat's first failure is the message's first (attempts stays
// the lease's fence).
const followMove = `chat_id = coalesce(moved_to, chat_id),
	payload = CASE WHEN moved_to IS NULL THEN payload ELSE jsonb_set(payload, '{chat_id}', to_jsonb(moved_to)) END,
	moved_to = NULL`

// releaseOutbox gives back the leases of rows $1 claimed at attempts $2
// (in the same order), a row whose card moved meanwhile to its new chat.
const releaseOutbox = `UPDATE outbox o SET claimed_until = NULL,
	spent = CASE WHEN moved_to IS NULL THEN least(spent + 1, attempts) ELSE attempts END, ` + followMove + `
	WHERE o.id = ANY($1) AND o.attempts = ($2::int[])[array_position($1::bigint[], o.id)]
	  AND ` + unsentByID

// Release gives back the caller's leases, fenced by attempts.
func (o *outbox) Release(ctx context.Context, ms []domain.OutMessage) error {
	if len(ms) == 0 {
		return nil
	}
	ids, attempts := make([]int64, len(ms)), make([]int32, len(ms))
	for i, m := range ms {
		ids[i], attempts[i] = m.ID, int32(m.Attempts)
	}
	// Pinned as the claim is: a generic plan cached while the outbox was
	// a few rows long would read the whole table for a few ids.
	err := o.pinned(ctx, func(b *pgx.Batch) { b.Queue(releaseOutbox, ids, attempts) })
	return markUnavailable(err)
}

// Drop gives up on a row and scrubs its payload; a row whose card moved
// while it was held (moved_to) goes to the new chat instead: what the
// old chat refused (a 403 of the account the card left) was not shown.
// It is fenced by attempts, as PutOff is: a drop that lands after the
// caller's lease lapsed and another sender took the row over (which may
// have delivered it or put it off for a retry) changes nothing.
func (o *outbox) Drop(ctx context.Context, m domain.OutMessage, reason string) error {
	_, err := o.pool.Exec(ctx, `WITH old AS (SELECT id, undelivered, answers_inquiry_id, answers_feedback_id FROM outbox
			WHERE id = $1 AND undelivered IS NOT NULL AND $5),
		gone AS (UPDATE outbox SET dropped_at = CASE WHEN moved_to IS NULL THEN $4::timestamptz END,
		claimed_until = NULL, last_error = $3,
		retry_at = CASE WHEN moved_to IS NULL THEN retry_at END,
		payloads = CASE WHEN moved_to IS NULL THEN NULL ELSE payloads END,
		undelivered = CASE WHEN moved_to IS NULL THEN NULL ELSE undelivered END,
		spent = CASE WHEN moved_to IS NULL THEN spent ELSE attempts END,
		chat_id = coalesce(moved_to, chat_id),
		payload = CASE WHEN moved_to IS NULL THEN '{}' ELSE jsonb_set(payload, '{chat_id}', to_jsonb(moved_to)) END,
		moved_to = NULL
		WHERE id = $1 AND attempts = $2 AND `+unsentByID+` RETURNING id, dropped_at)`+bounce, m.ID, m.Attempts, reason, o.now(),
		strings.HasPrefix(reason, blockedError))
	return markUnavailable(err)
}

// blockedError begins the reason of a message dropped after a 403.
const blockedError = "blocked"

// bounce follows CTEs old (the rows about to be dropped with an
// undelivered notice, as they were) and gone (the rows the statement
// updated: id, dropped_at): each row dropped queues its notice to its
// writer, unless the writer blocked the bot too or was revoked since
// (what became of a customer is no longer theirs to hear), and the
// question or rating it answered waits again, unless someone closed it
// otherwise since or a reply to it reached the customer
// (domain.Undelivered). $4 is the business time.
const bounce = `,
	bounced AS (SELECT old.* FROM old JOIN gone USING (id) WHERE gone.dropped_at IS NOT NULL),
	notice AS (INSERT INTO outbox (chat_id, payload, not_before, created_at, about_customer_id)
		SELECT (b.undelivered->>'chat_id')::bigint, b.undelivered->'payload', $4, $4, nullif((b.undelivered->>'about')::bigint, 0)
		FROM bounced b WHERE NOT EXISTS (SELECT 1 FROM staff
			WHERE chat_id = (b.undelivered->>'chat_id')::bigint AND (unreachable_at IS NOT NULL OR revoked_at IS NOT NULL))),
	inquiry AS (UPDATE inquiries i SET handled_by = NULL, handled_at = NULL, resolution = '', answered = false
		FROM bounced b WHERE i.id = b.answers_inquiry_id AND i.resolution = '` + domain.ResolutionReplied + `'
		  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.answers_inquiry_id = i.id AND x.sent_at IS NOT NULL))
	UPDATE feedback f SET handled_by = NULL, handled_at = NULL, resolution = '', answered = false
		FROM bounced b WHERE f.id = b.answers_feedback_id AND f.resolution = '` + domain.ResolutionReplied + `'
		  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.answers_feedback_id = f.id AND x.sent_at IS NOT NULL)`

// MarkUnreachable flags the chat's customer and staff member and drops
// what was queued for it and is due. What waits for a later time (a
// scheduled broadcast, a nudge held for the quiet hours) stays: the
// person may come back with /start before then, and if not, its own
// 403 drops it when it comes due. A staff member's words dropped so are
// reported to them (bounce).
func (o *outbox) MarkUnreachable(ctx context.Context, chatID int64) error {
	at := o.now()
	if _, err := o.pool.Exec(ctx, `WITH s AS (UPDATE staff SET unreachable_at = $2
			WHERE chat_id = $1 AND unreachable_at IS NULL)
		UPDATE customers SET unreachable_at = $2
		WHERE chat_id = $1 AND unreachable_at IS NULL`, chatID, at); err != nil {
		return fmt.Errorf("mark unreachable: %w", err)
	}
	_, err := o.pool.Exec(ctx, `WITH old AS (SELECT id, undelivered, answers_inquiry_id, answers_feedback_id FROM outbox
			WHERE chat_id = $1 AND `+chatPending+` AND not_before <= $2 AND undelivered IS NOT NULL),
		gone AS (UPDATE outbox SET dropped_at = $2, last_error = '`+blockedError+`', payload = '{}', payloads = NULL, undelivered = NULL
		WHERE chat_id = $1 AND `+chatPending+` AND not_before <= $2
		  AND (claimed_until IS NULL OR claimed_until < now()) RETURNING id, dropped_at)`+strings.Replace(bounce, "$4", "$2", -1),
		chatID, at)
	return err
}

// Pending counts rows due and neither sent nor dropped.
func (o *outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL
		AND not_before <= $1`, o.now()).Scan(&n)
	return n, err
}
