-- 0009: one clock. Business time comes from the application's injected
-- clock, never from the database's now(): the columns below lose their
-- DEFAULT now(), so a statement that forgets to pass the time fails loudly
-- instead of quietly stamping the database's time (which tests and the
-- playground cannot move).
--
-- Transport-only times stay on the wall clock: a sender's lease on a row
-- (claimed_until) and a Telegram retry (retry_at, new here) are about
-- Telegram's seconds, not about the business. A 429's retry_after used to
-- move not_before, which the business clock now owns (a nudge is due at a
-- business time); retry_at takes that job.

ALTER TABLE stores        ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE customers     ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE consents      ALTER COLUMN at         DROP DEFAULT;
ALTER TABLE cards         ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE ledger        ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE conversations ALTER COLUMN updated_at DROP DEFAULT;
ALTER TABLE updates       ALTER COLUMN received_at DROP DEFAULT;
ALTER TABLE outbox        ALTER COLUMN not_before DROP DEFAULT;
ALTER TABLE outbox        ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE staff         ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE invites       ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE purchases     ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE point_lots    ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE api_keys      ALTER COLUMN created_at DROP DEFAULT;
ALTER TABLE erased_phones ALTER COLUMN erased_at  DROP DEFAULT;
ALTER TABLE facts         ALTER COLUMN updated_at DROP DEFAULT;

ALTER TABLE outbox ADD COLUMN retry_at timestamptz; -- wall clock: after a 429 or an outage
