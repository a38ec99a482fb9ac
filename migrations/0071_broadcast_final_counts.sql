-- 0071: a broadcast's final counts, kept when its report is claimed: the
-- retention job deletes its outbox rows 30 days after they went, and
-- "📊 Progress" (a poll keeps it for good) must still say what was sent.
ALTER TABLE broadcasts
    ADD COLUMN final_sent integer,
    ADD COLUMN final_blocked integer,
    ADD COLUMN final_failed integer,
    ADD COLUMN final_withdrawn integer,
    ADD COLUMN final_cancelled integer;
UPDATE broadcasts b SET
    final_sent = c.sent, final_blocked = c.blocked, final_failed = c.failed, final_withdrawn = c.withdrawn,
    final_cancelled = 0
  FROM (SELECT o.broadcast_id,
               count(*) FILTER (WHERE o.sent_at IS NOT NULL) AS sent,
               count(*) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error LIKE 'blocked%') AS blocked,
               count(*) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error NOT LIKE 'blocked%' AND o.last_error <> 'withdrawn') AS failed,
               count(*) FILTER (WHERE o.dropped_at IS NOT NULL AND o.last_error = 'withdrawn') AS withdrawn
          FROM outbox o WHERE o.broadcast_id IS NOT NULL GROUP BY o.broadcast_id) c
 WHERE c.broadcast_id = b.id AND b.reported_at IS NOT NULL;
