package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/loyaltybot/loyaltybot/domain"
)

// SetTopicChoice upserts a customer's explicit choice for a topic. The
// write is deferred: it goes out with the transaction's next statement or
// its COMMIT, not in a round trip of its own (a tap on /topics is then the
// chat's read, the choices' read and the reply with COMMIT).
func (t *tx) SetTopicChoice(_ context.Context, customerID int64, topic string, on bool, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO topic_subscriptions (customer_id, topic, subscribed, changed_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (customer_id, topic) DO UPDATE SET subscribed = EXCLUDED.subscribed, changed_at = EXCLUDED.changed_at`,
		customerID, topic, on, at)
	t.tx.Defer(b)
	return nil
}

// withdrawQueued drops the chat's ($1) pending broadcast messages (of
// topic $3; any, when $3 is empty) and marketing nudges of customer $2
// (of rules $4; any, when $3 is empty), at $5, unless a sender holds them
// (a lease is transport time: now()); the nudges become skipped.
const withdrawQueued = `WITH gone AS (
UPDATE outbox o SET dropped_at = $5, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
 WHERE o.chat_id = $1 AND ` + chatPending + `
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
   AND (o.broadcast_id IN (SELECT b.id FROM broadcasts b WHERE $3 = '' OR b.topic = $3)
        OR o.nudge_id IN (SELECT n.id FROM nudges n WHERE n.customer_id = $2 AND n.marketing AND n.outcome = 'sent'
                           AND ($3 = '' OR n.rule = ANY($4))))
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipOptedOut + `' WHERE id IN (SELECT nudge_id FROM gone)`

// withdrawBonus takes back, at $2, what is left on the card of the bonus
// of each marketing nudge of customer $1 withdrawn (withdrawQueued, the
// statement before, or withdrawReplenished: recorded as done, a nudge
// skipped as done when found has no bonus; or at an erasure): the customer was never told
// of it, and a bonus of an offer they refused must not stay (nor a
// reminder name it later). Its
// lot is emptied and a ledger row of the points left written, once per
// nudge.
const withdrawBonus = `WITH w AS (
SELECT n.id, n.rule, g.card_id, l.id AS lot_id, l.remaining
  FROM nudges n
  JOIN ledger g ON g.idempotency_key = 'nudge:' || n.id
  JOIN point_lots l ON l.ledger_id = g.id
 WHERE n.customer_id = $1 AND n.outcome = 'skipped'
   AND n.reason IN ('` + domain.SkipOptedOut + `', '` + domain.SkipDone + `', '` + domain.SkipErased + `', '` + domain.SkipSwitchedOff + `')
   AND n.points > 0 AND l.remaining > 0
   AND NOT EXISTS (SELECT 1 FROM ledger x WHERE x.idempotency_key = 'nudge-withdrawn:' || n.id)
),
lots AS (UPDATE point_lots l SET remaining = 0 FROM w WHERE l.id = w.lot_id)
INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, created_at)
SELECT card_id, '` + string(domain.LedgerNudgeWithdrawn) + `', -remaining, rule, 'nudge-withdrawn:' || id, $2 FROM w
ON CONFLICT (idempotency_key) DO NOTHING`

// cancelledError marks an outbox row of a broadcast its sender cancelled
// before the row went.
const cancelledError = "cancelled"

// CancelBroadcast drops the broadcast's rows not sent yet, unless a
// sender holds them (a lease is transport time: now()); when it took
// back any, the broadcast records the cancel (its poll closes).
func (t *tx) CancelBroadcast(ctx context.Context, id int64, at time.Time) (int, error) {
	var n int
	// The broadcast's row first: a broadcast job queueing its audience
	// at its time (QueueLatecomers) has committed its rows before the
	// statement below reads them, or finds the broadcast taken back.
	if _, err := t.tx.Exec(ctx, `SELECT 1 FROM broadcasts WHERE id = $1 FOR UPDATE`, id); err != nil {
		return 0, fmt.Errorf("cancel broadcast %d: %w", id, mapErr(err))
	}
	err := t.tx.QueryRow(ctx, `WITH c AS (
		UPDATE outbox o SET dropped_at = $2, last_error = '`+cancelledError+`', payload = '{}', payloads = NULL
		 WHERE o.broadcast_id = $1 AND `+chatPending+` AND (o.claimed_until IS NULL OR o.claimed_until < now())
		RETURNING o.id),
		b AS (UPDATE broadcasts SET cancelled_at = coalesce(cancelled_at, $2), audience_at = coalesce(audience_at, $2)
		 WHERE id = $1 AND (EXISTS (SELECT 1 FROM c) OR audience_at IS NULL))
		SELECT count(*) FROM c`, id, t.stamp(at)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("cancel broadcast %d: %w", id, mapErr(err))
	}
	return n, nil
}

// CancelPromotionBroadcasts drops the rows not sent yet of the broadcasts
// announcing the promotion, as CancelBroadcast does.
func (t *tx) CancelPromotionBroadcasts(ctx context.Context, promotion string, at time.Time) (int, error) {
	// Nor does one whose time has not come reach anyone more at its time.
	// Their rows first, as CancelBroadcast: a broadcast job queueing one
	// at its time (QueueLatecomers) has committed its rows before the
	// statement below reads them.
	if _, err := t.tx.Exec(ctx, `SELECT 1 FROM broadcasts WHERE promotion = $1 FOR UPDATE`, promotion); err != nil {
		return 0, fmt.Errorf("cancel the announcements of %s: %w", promotion, mapErr(err))
	}
	tag, err := t.tx.Exec(ctx, `WITH b AS (UPDATE broadcasts SET audience_at = coalesce(audience_at, $2)
		WHERE promotion = $1 AND audience_at IS NULL)
		UPDATE outbox o SET dropped_at = $2, last_error = '`+cancelledError+`', payload = '{}', payloads = NULL
		WHERE o.broadcast_id IN (SELECT b.id FROM broadcasts b WHERE b.promotion = $1) AND `+chatPending+`
		  AND (o.claimed_until IS NULL OR o.claimed_until < now())`, promotion, t.stamp(at))
	if err != nil {
		return 0, fmt.Errorf("cancel the announcements of %s: %w", promotion, mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}

// withdrawnError marks an outbox row taken back before it went: the
// customer opted out of it or erased their data.
const withdrawnError = "withdrawn"

// WithdrawQueued takes back what was queued for the chat and not sent.
func (t *tx) WithdrawQueued(_ context.Context, customerID, chatID int64, topic string, rules []string, at time.Time) error {
	if chatID == 0 {
		return nil
	}
	if rules == nil {
		rules = []string{}
	}
	b := &pgx.Batch{}
	b.Queue(withdrawQueued, chatID, customerID, topic, rules, at)
	b.Queue(withdrawBonus, customerID, t.stamp(at))
	t.tx.Defer(b)
	return nil
}

// ListTopicChoices lists a customer's explicit topic choices. Asked for
// the chat's customer right after an OpenChat that read them along
// (domain.ReadTopicChoices), with nothing run in between, it answers
// with those, once.
func (t *tx) ListTopicChoices(ctx context.Context, customerID int64) (map[string]bool, error) {
	if c := t.openChoices; c != nil && t.openChoicesOf == customerID && t.tx.issued == t.openAt {
		t.openChoices = nil
		return c, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT topic, subscribed FROM topic_subscriptions WHERE customer_id = $1`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list topic choices: %w", mapErr(err))
	}
	out, err := scanTopicChoices(rows)
	if err != nil {
		return nil, fmt.Errorf("list topic choices: %w", mapErr(err))
	}
	return out, nil
}

// scanTopicChoices reads rows of (topic, subscribed) into a map.
func scanTopicChoices(rows pgx.Rows) (map[string]bool, error) {
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var topic string
		var on bool
		if err := rows.Scan(&topic, &on); err != nil {
			return nil, err
		}
		out[topic] = on
	}
	return out, rows.Err()
}

// audienceWhere selects the customers c a broadcast reaches ($1 topic,
// ” for none; $2 the topic's default): members with the marketing
// consent, neither erased nor unreachable, subscribed to the topic.
const audienceWhere = `c.joined_at IS NOT NULL AND c.marketing AND c.erased_at IS NULL
	AND c.unreachable_at IS NULL AND c.chat_id IS NOT NULL
	AND ($1 = '' OR coalesce((SELECT s.subscribed FROM topic_subscriptions s
		WHERE s.customer_id = c.id AND s.topic = $1), $2))`

// CountAudience counts a broadcast's recipients, set-based.
func (t *tx) CountAudience(ctx context.Context, a domain.Audience) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM customers c WHERE `+audienceWhere, a.Topic, a.TopicDefault).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count audience: %w", mapErr(err))
	}
	return n, nil
}

// queueBroadcast writes one outbox row per recipient in one statement:
// the payload of the customer's language (the default one when theirs is
// not offered), addressed to their chat.
const queueBroadcast = `INSERT INTO outbox (chat_id, payload, not_before, created_at, broadcast_id)
	SELECT c.chat_id, jsonb_set($3::jsonb -> (CASE WHEN c.language = ANY($4) THEN c.language ELSE $5 END),
	                            '{chat_id}', to_jsonb(c.chat_id)), $6, $7, $8
	  FROM customers c
	 WHERE ` + audienceWhere + `
	ON CONFLICT DO NOTHING`

// QueueBroadcast records the broadcast and queues its messages.
func (t *tx) QueueBroadcast(ctx context.Context, b *domain.Broadcast, a domain.Audience, p domain.BroadcastPayloads) error {
	if _, ok := p.ByLanguage[p.Default]; !ok {
		return fmt.Errorf("queue broadcast: no payload in the default language %q", p.Default)
	}
	langs := make([]string, 0, len(p.ByLanguage))
	for l := range p.ByLanguage {
		langs = append(langs, l)
	}
	// One scheduled for later takes its audience again at its time
	// (QueueLatecomers): audience_at stays NULL until then.
	if err := t.tx.QueryRow(ctx, `INSERT INTO broadcasts (id, staff_id, topic, text, photo, queued, not_before, created_at, options,
		payloads, default_language, promotion, audience_at)
		VALUES (coalesce($7, nextval('broadcasts_id_seq')), $1, $2, $3, $4, 0, $5, $6, $8, $9, $10, nullif($11, ''),
		        CASE WHEN $5::timestamptz <= $6::timestamptz THEN $6::timestamptz END) RETURNING id`,
		b.StaffID, b.Topic, b.Text, b.Photo, b.NotBefore, b.CreatedAt, nullID(b.ID), options(b.Options),
		p.ByLanguage, p.Default, b.Promotion).Scan(&b.ID); err != nil {
		return fmt.Errorf("insert broadcast: %w", mapErr(err))
	}
	tag, err := t.tx.Exec(ctx, queueBroadcast, a.Topic, a.TopicDefault, p.ByLanguage, langs, p.Default,
		b.NotBefore, b.CreatedAt, b.ID)
	if err != nil {
		return fmt.Errorf("queue broadcast: %w", mapErr(err))
	}
	b.Queued = int(tag.RowsAffected())
	if _, err := t.tx.Exec(ctx, `UPDATE broadcasts SET queued = $2 WHERE id = $1`, b.ID, b.Queued); err != nil {
		return fmt.Errorf("queue broadcast: %w", mapErr(err))
	}
	return nil
}

// claimDueAudiences marks, at $1, up to $2 broadcasts whose time has come
// and whose audience was not taken at it as taken, and returns those
// still to go out (not cancelled, their messages kept by language);
// SKIP LOCKED and the audience_at re-check let replicas run it at once.
const claimDueAudiences = `UPDATE broadcasts b SET audience_at = $1
 WHERE b.audience_at IS NULL AND b.id IN (
       SELECT f.id FROM broadcasts f
        WHERE f.audience_at IS NULL AND f.not_before <= $1
        ORDER BY f.not_before, f.id LIMIT $2 FOR UPDATE SKIP LOCKED)
RETURNING b.id, b.topic, b.cancelled_at IS NULL AND b.payloads IS NOT NULL AND b.payloads ? b.default_language`

// ClaimDueAudiences claims the scheduled broadcasts whose time has come.
func (t *tx) ClaimDueAudiences(ctx context.Context, at time.Time, limit int) ([]domain.Broadcast, error) {
	rows, err := t.tx.Query(ctx, claimDueAudiences, t.stamp(at), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due audiences: %w", mapErr(err))
	}
	type due struct {
		b    domain.Broadcast
		goes bool
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (due, error) {
		var d due
		return d, r.Scan(&d.b.ID, &d.b.Topic, &d.goes)
	})
	if err != nil {
		return nil, fmt.Errorf("claim due audiences: %w", mapErr(err))
	}
	var out []domain.Broadcast
	for _, d := range all {
		if d.goes {
			out = append(out, d.b)
		}
	}
	return out, nil
}

// queueLatecomers queues broadcast $3's message, due at its time, for
// every customer of its audience ($1, $2 as in audienceWhere) who has
// none: joined or subscribed after it was scheduled. A message of it
// taken back when the customer opted out goes again, for they are back
// in; one sent, blocked, failed or cancelled stays as it is (one row per
// customer and broadcast: nothing goes twice). Only new rows add to the
// broadcast's count.
const queueLatecomers = `WITH q AS (
INSERT INTO outbox AS o (chat_id, payload, not_before, created_at, broadcast_id)
SELECT c.chat_id, jsonb_set(b.payloads -> (CASE WHEN c.language <> '' AND b.payloads ? c.language THEN c.language ELSE b.default_language END),
                            '{chat_id}', to_jsonb(c.chat_id)), b.not_before, $4, b.id
  FROM broadcasts b, customers c
 WHERE b.id = $3 AND ` + audienceWhere + `
ON CONFLICT (broadcast_id, chat_id) WHERE broadcast_id IS NOT NULL DO UPDATE
   SET dropped_at = NULL, last_error = '', payload = EXCLUDED.payload
 WHERE o.sent_at IS NULL AND o.dropped_at IS NOT NULL AND o.last_error = '` + withdrawnError + `'
RETURNING (o.xmax = 0) AS added)
UPDATE broadcasts SET queued = queued + (SELECT count(*) FROM q WHERE added) WHERE id = $3
RETURNING (SELECT count(*) FROM q)`

// QueueLatecomers queues a scheduled broadcast, at its time, for its
// audience then that has no message of it.
func (t *tx) QueueLatecomers(ctx context.Context, id int64, a domain.Audience, at time.Time) (int, error) {
	var n int
	if err := t.tx.QueryRow(ctx, queueLatecomers, a.Topic, a.TopicDefault, id, t.stamp(at)).Scan(&n); err != nil {
		return 0, fmt.Errorf("queue broadcast %d at its time: %w", id, mapErr(err))
	}
	return n, nil
}

// relanguageQueued puts the broadcast messages pending for chat $1, and
// not held by a sender, in language $2 (the default one when the
// broadcast was not written in it).
const relanguageQueued = `UPDATE outbox o
   SET payload = jsonb_set(b.payloads -> (CASE WHEN b.payloads ? $2 THEN $2 ELSE b.default_language END),
                           '{chat_id}', to_jsonb(o.chat_id))
  FROM broadcasts b
 WHERE o.chat_id = $1 AND ` + chatPending + ` AND (o.claimed_until IS NULL OR o.claimed_until < now())
   AND b.id = o.broadcast_id AND b.payloads IS NOT NULL AND b.payloads ? b.default_language`

// relanguageHeld puts a message queued to wait in every language
// (outbox.payloads: a rating request, a nudge) in language $2.
const relanguageHeld = `UPDATE outbox o SET payload = jsonb_set(o.payloads -> $2, '{chat_id}', to_jsonb(o.chat_id))
 WHERE o.chat_id = $1 AND ` + chatPending + ` AND (o.claimed_until IS NULL OR o.claimed_until < now())
   AND o.payloads ? $2`

// RelanguageQueued puts the broadcasts queued for a chat, and the
// messages held for it (a rating request, a nudge), in its new language:
// two statements, one round trip.
func (t *tx) RelanguageQueued(ctx context.Context, chatID int64, lang string) error {
	b := &pgx.Batch{}
	b.Queue(relanguageQueued, chatID, lang)
	b.Queue(relanguageHeld, chatID, lang)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("relanguage queued: %w", mapErr(err))
	}
	return nil
}

// payloadsJSON is a message's payloads by language as a jsonb value
// (NULL when none).
func payloadsJSON(p map[string]json.RawMessage) []byte {
	if len(p) == 0 {
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil // raw messages the renderer made: they marshal
	}
	return b
}

// FindBroadcast loads a broadcast.
func (t *tx) FindBroadcast(ctx context.Context, id int64) (*domain.Broadcast, error) {
	b := &domain.Broadcast{ID: id}
	var ends *time.Time
	err := t.tx.QueryRow(ctx, `SELECT staff_id, topic, text, photo, queued, not_before, created_at, options,
		cancelled_at IS NOT NULL, coalesce(promotion, ''),
		promotion IS NOT NULL AND EXISTS (SELECT 1 FROM live_promotions l
			WHERE 'live-' || l.id = b.promotion AND l.stopped_at IS NOT NULL),
		(SELECT l.ends_at FROM live_promotions l WHERE 'live-' || l.id = b.promotion)
		FROM broadcasts b WHERE id = $1`, id).Scan(&b.StaffID, &b.Topic, &b.Text, &b.Photo, &b.Queued, &b.NotBefore, &b.CreatedAt, &b.Options,
		&b.Cancelled, &b.Promotion, &b.PromotionStopped, &ends)
	if err != nil {
		return nil, mapErr(err)
	}
	if ends != nil {
		b.PromotionEnds = *ends
	}
	return b, nil
}

// BroadcastProgress counts the broadcast's outbox rows by state. A row
// dropped because the person blocked the bot (the sender's 403, or a
// message dropped behind it) counts as blocked; one taken back before it
// went (the person opted out or erased their data) as withdrawn; any
// other drop as failed.
func (t *tx) BroadcastProgress(ctx context.Context, id int64) (domain.BroadcastProgress, error) {
	var p domain.BroadcastProgress
	// Once reported, the counts kept then: the retention job deletes the
	// rows a month after they went.
	err := t.tx.QueryRow(ctx, `SELECT b.queued,
		coalesce(b.final_sent, count(o.id) FILTER (WHERE o.sent_at IS NOT NULL)),
		coalesce(b.final_blocked, count(o.id) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error LIKE 'blocked%')),
		coalesce(b.final_failed, count(o.id) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error NOT LIKE 'blocked%'
		                                                AND o.last_error <> $2 AND o.last_error <> $3)),
		CASE WHEN b.final_sent IS NULL THEN count(o.id) FILTER (WHERE o.sent_at IS NULL AND o.dropped_at IS NULL) ELSE 0 END,
		coalesce(b.final_withdrawn, count(o.id) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error = $2)),
		coalesce(b.final_cancelled, count(o.id) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error = $3)),
		b.audience_at IS NULL
		FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id
		WHERE b.id = $1 GROUP BY b.id`, id, withdrawnError, cancelledError).
		Scan(&p.Queued, &p.Sent, &p.Blocked, &p.Failed, &p.Pending, &p.Withdrawn, &p.Cancelled, &p.Waiting)
	if err != nil {
		return p, fmt.Errorf("broadcast progress: %w", mapErr(err))
	}
	return p, nil
}

// claimFinished sets reported_at on the broadcasts with nothing pending;
// SKIP LOCKED and the reported_at re-check let replicas run it at once.
const claimFinished = `UPDATE broadcasts b SET reported_at = $1
 WHERE b.reported_at IS NULL AND b.id IN (
       SELECT f.id FROM broadcasts f
        WHERE f.reported_at IS NULL AND f.audience_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM outbox o
                           WHERE o.broadcast_id = f.id AND o.sent_at IS NULL AND o.dropped_at IS NULL)
        ORDER BY f.id LIMIT $2 FOR UPDATE SKIP LOCKED)
RETURNING b.id, b.staff_id`

// ClaimFinishedBroadcasts claims the finished broadcasts for their report.
func (t *tx) ClaimFinishedBroadcasts(ctx context.Context, at time.Time, limit int) ([]domain.FinishedBroadcast, error) {
	rows, err := t.tx.Query(ctx, claimFinished, at, limit)
	if err != nil {
		return nil, fmt.Errorf("claim finished broadcasts: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.FinishedBroadcast, error) {
		var f domain.FinishedBroadcast
		return f, r.Scan(&f.ID, &f.StaffID)
	})
	if err != nil {
		return nil, fmt.Errorf("claim finished broadcasts: %w", mapErr(err))
	}
	for i := range out {
		p, err := t.BroadcastProgress(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Progress = p
		if _, err := t.tx.Exec(ctx, `UPDATE broadcasts SET final_sent = $2, final_blocked = $3, final_failed = $4,
			final_withdrawn = $5, final_cancelled = $6 WHERE id = $1`, out[i].ID, p.Sent, p.Blocked, p.Failed, p.Withdrawn,
			p.Cancelled); err != nil {
			return nil, fmt.Errorf("claim finished broadcasts: %w", mapErr(err))
		}
	}
	return out, nil
}
