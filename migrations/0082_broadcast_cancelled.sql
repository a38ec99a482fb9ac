-- 0082: a broadcast its sender (or an owner) cancelled records when, so
-- that its poll closes: a customer who got it before the cancel and taps
-- an answer afterwards is told so, and nothing is recorded. Broadcasts
-- cancelled before take the time of their first message taken back, or
-- once those rows are gone, of their report (an announcement's messages
-- taken back by stopping its promotion do not count: that is no cancel
-- of the broadcast).
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
UPDATE broadcasts b SET cancelled_at = c.at
  FROM (SELECT o.broadcast_id, min(o.dropped_at) AS at FROM outbox o
         WHERE o.broadcast_id IS NOT NULL AND o.last_error = 'cancelled' GROUP BY o.broadcast_id) c
 WHERE c.broadcast_id = b.id AND b.cancelled_at IS NULL AND b.promotion IS NULL;
UPDATE broadcasts SET cancelled_at = reported_at
 WHERE cancelled_at IS NULL AND promotion IS NULL AND final_cancelled > 0;
