-- 0022: the nudge engine. Every due nudge is one row, unique per (rule,
-- customer, occurrence), written in the transaction that queues its
-- message (an outbox row pointing at it, at most one per nudge): however
-- often a rule is evaluated, by however many replicas, a customer gets an
-- occurrence once. Held-out and capped customers are rows too, so the
-- report compares the sent group with a true control group. Times are
-- business time from the injected clock.
CREATE TABLE nudges (
    id               bigserial PRIMARY KEY,
    rule             text NOT NULL,
    customer_id      bigint NOT NULL REFERENCES customers(id),
    occurrence       text NOT NULL,              -- '' once per customer; a year, a purchase id, a date
    marketing        boolean NOT NULL,
    outcome          text NOT NULL CHECK (outcome IN ('sent', 'held_out', 'skipped')),
    reason           text NOT NULL DEFAULT '',   -- why skipped
    due_at           timestamptz NOT NULL,       -- when the engine found it due
    send_at          timestamptz NOT NULL,       -- out of quiet hours
    attribute_until  timestamptz NOT NULL,
    points           bigint NOT NULL DEFAULT 0,  -- the bonus credited with it
    clicked_at       timestamptz,
    click            text NOT NULL DEFAULT '',   -- the first button tapped
    declined_at      timestamptz,                -- "not interested": the rule stops for them
    converted_at     timestamptz,
    purchase_id      bigint REFERENCES purchases(id),
    revenue          bigint NOT NULL DEFAULT 0,  -- purchases within the window, minor units
    UNIQUE (rule, customer_id, occurrence)
);
-- Attribution looks up the customer's latest nudge on every purchase.
CREATE INDEX nudges_customer ON nudges (customer_id, due_at DESC) WHERE outcome <> 'skipped';
-- The frequency cap looks for a recent marketing nudge.
CREATE INDEX nudges_customer_marketing ON nudges (customer_id, send_at DESC) WHERE marketing AND outcome = 'sent';

ALTER TABLE outbox ADD COLUMN nudge_id bigint REFERENCES nudges(id);
CREATE UNIQUE INDEX outbox_nudge ON outbox (nudge_id) WHERE nudge_id IS NOT NULL;

-- The customer's own window for messages (/settings), minutes after local
-- midnight; NULL: the store's quiet hours alone.
ALTER TABLE customers ADD COLUMN contact_from smallint;
ALTER TABLE customers ADD COLUMN contact_to smallint;

-- Rules by joining date (onboarding, profile reminders) and by birthday.
CREATE INDEX customers_joined ON customers (joined_at) WHERE joined_at IS NOT NULL;
CREATE INDEX facts_month_day ON facts (name, substr(value, 6, 5));
