-- 0070: a message queued to wait (a rating request or a nudge held for
-- the quiet hours or the customer's own window) keeps its text in every
-- language of the business, so a member who switches language meanwhile
-- gets it in the new one, as a scheduled broadcast does
-- (broadcasts.payloads). NULL for a message that goes at once.
ALTER TABLE outbox ADD COLUMN payloads jsonb;
