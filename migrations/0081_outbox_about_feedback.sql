-- 0081: a low-rating alert says which rating it is about, so that an
-- owner or a manager who blocked the bot and writes again is sent the
-- alerts that never reached them (dropped on the 403, or never queued
-- while they were marked) and not those they had.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS about_feedback_id bigint;
CREATE INDEX IF NOT EXISTS outbox_about_feedback ON outbox (about_feedback_id, chat_id)
    WHERE about_feedback_id IS NOT NULL;
