-- 0010: each chat's messages go out in order, one at a time, and what was
-- sent does not stay readable.
--
-- A sender takes a message only when no earlier message of its chat (by
-- not_before, then id) is still pending, so a message put off after a 429
-- (retry_at) holds back its own chat and no other. This index answers
-- "is anything earlier pending in this chat?" and finds a chat's queue.
CREATE INDEX outbox_chat_queue ON outbox (chat_id, not_before, id)
    WHERE sent_at IS NULL AND dropped_at IS NULL;

-- Sent and dropped messages keep their metadata (chat, times, attempts,
-- last error) but not their content: an invite link, an export document
-- or a customer's details must not sit in the outbox after delivery.
UPDATE outbox SET payload = '{}' WHERE sent_at IS NOT NULL OR dropped_at IS NOT NULL;
