-- 0072: a message to staff that names one customer (a low-rating alert,
-- a question passed on, a velocity alert…) says whom it is about, so
-- that her erasure withdraws it while it still waits (a 429, a
-- not_before) instead of letting it go out with her name. The erasure
-- looks the rows up by customer among the unsent ones: a small index,
-- whose predicate no statement of the sender's can match.
ALTER TABLE outbox ADD COLUMN about_customer_id bigint;
CREATE INDEX outbox_about ON outbox (about_customer_id)
    WHERE about_customer_id IS NOT NULL AND sent_at IS NULL AND dropped_at IS NULL;
