-- 0069: a rating request keeps the id of its message, so that a visit
-- rated meanwhile (through /feedback) or cancelled before the request
-- goes out (held for the quiet hours) takes the request back.
ALTER TABLE feedback_requests ADD COLUMN outbox_id bigint;
