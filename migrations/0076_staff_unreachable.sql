-- 0076: a staff member who blocked the bot is marked as a customer is
-- (Telegram's 403, or their my_chat_member update), so that alerts stop
-- going to them and the owners see it in the staff list; the mark goes
-- when they write again or unblock the bot. The partial index keeps the
-- outbox's check of the mark a probe of an all but empty index.
ALTER TABLE staff ADD COLUMN IF NOT EXISTS unreachable_at timestamptz;
CREATE INDEX IF NOT EXISTS staff_unreachable_chat ON staff (chat_id) WHERE unreachable_at IS NOT NULL;
