-- 0077: a message to staff may name several customers (the evening
-- digest lists the questions nobody answered, each with its asker's
-- name and words). The others beside about_customer_id are kept here, so
-- that the erasure of any of them withdraws the message while it still
-- waits, as 0072 does for a message about one.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS about_customer_ids bigint[];
CREATE INDEX IF NOT EXISTS outbox_about_several ON outbox USING gin (about_customer_ids)
    WHERE about_customer_ids IS NOT NULL AND sent_at IS NULL AND dropped_at IS NULL;
