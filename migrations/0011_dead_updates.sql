-- 0011: updates set aside. An update PostgreSQL cannot store (jsonb
-- refuses some text), one whose handling failed even to say "something
-- went wrong", and one left unhandled so long that acting on it now would
-- surprise people (a cashier's day-old Confirm) lands here with the reason,
-- and intake moves on: one bad update never blocks everyone else's.
-- The payload is the raw bytes as received (bytea takes anything). It is a
-- copy of what the person sent: erasure and retention must cover it too.
CREATE TABLE dead_updates (
    update_id bigint PRIMARY KEY,
    chat_id   bigint NOT NULL DEFAULT 0,
    payload   bytea NOT NULL,
    reason    text NOT NULL,
    failed_at timestamptz NOT NULL -- from the application's clock
);
CREATE INDEX dead_updates_chat ON dead_updates (chat_id);
