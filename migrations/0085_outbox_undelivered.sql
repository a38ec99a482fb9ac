-- 0085: a staff member's words to a customer (an answer to a question or
-- a rating, a message of their own) carry the notice its writer gets
-- should the customer turn out to have blocked the bot (the 403 drops
-- the message), scrubbed once the row is sent or dropped, and the
-- question or rating they answer, kept: that thread waits again after
-- the 403 unless a reply to it ever reached the customer, which the
-- drop looks up by these small partial indexes.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS undelivered jsonb;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS answers_inquiry_id bigint;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS answers_feedback_id bigint;
CREATE INDEX IF NOT EXISTS outbox_answers_inquiry ON outbox (answers_inquiry_id)
    WHERE answers_inquiry_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_answers_feedback ON outbox (answers_feedback_id)
    WHERE answers_feedback_id IS NOT NULL;
