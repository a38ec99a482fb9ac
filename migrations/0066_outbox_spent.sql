-- 0066: the leases of a message that ended in no failure of its own: a
-- 429 that put it off (Telegram's pace, not the message) and a lease
-- given back unsent (its chat's earlier message not out yet). attempts
-- stays the lease fence; attempts - spent are the failures that decide
-- the back-off and when to give up, so a message of a busy chat is not
-- dropped on its first 5xx after ten 429s.
ALTER TABLE outbox ADD COLUMN spent int NOT NULL DEFAULT 0;
