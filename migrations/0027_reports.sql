-- 0027: what owners and managers read about customers, and the trace of
-- who read it. Staff notes are short remarks the register keeps about a
-- customer ("prefers oat milk"); they are personal data and go with an
-- erasure. The audit log records every customer card viewed and every
-- export made, so the owners see who looked at the customer base; it names
-- the customer by id only (an erased customer's rows stay anonymous).
-- Weekly reports remember the week they were sent for, so a second tick
-- in the same week (another replica, a restart, a busy cron spec) sends
-- nothing twice. Every time is business time from the injected clock.
CREATE TABLE staff_notes (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    staff_id    bigint NOT NULL REFERENCES staff(id),
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL
);
CREATE INDEX staff_notes_customer ON staff_notes (customer_id, created_at DESC);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES staff(id),
    action      text NOT NULL CHECK (action IN ('customer_view', 'export')),
    customer_id bigint REFERENCES customers(id),   -- a card viewed
    detail      text NOT NULL DEFAULT '',          -- what was exported, with or without personal data
    at          timestamptz NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at DESC);

CREATE TABLE weekly_reports (
    week_start timestamptz PRIMARY KEY,
    sent_at    timestamptz NOT NULL
);

-- The weekly series read purchases of every store by time.
CREATE INDEX purchases_created ON purchases (created_at);
