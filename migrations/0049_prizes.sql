-- 0049: prizes of the road map given at the register.
--
-- [[rewards]] promised "a free coffee for 150 points", but the register
-- had no way to give one: a cashier could only ring up a purchase and pay
-- part of it with points, capped and at the point's money value. Now the
-- cashier taps the prize on the scanned card; its points are paid (ledger
-- kind 'prize', the row's reason the prize's id) and the prize is kept
-- here for the shop's numbers. The lots that paid it are kept with it, so
-- a cancellation gives the points back where they came from, expiry and
-- all.
CREATE TABLE prizes_given (
    id              bigserial PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,          -- "g…", for staff and the POS
    card_id         bigint NOT NULL REFERENCES cards(id),
    customer_id     bigint NOT NULL REFERENCES customers(id),
    store_id        bigint NOT NULL REFERENCES stores(id),
    staff_id        bigint REFERENCES staff(id),   -- NULL: the POS API
    source          text NOT NULL,
    reward          text NOT NULL,                 -- the [[rewards]] id
    points          bigint NOT NULL CHECK (points > 0),
    idempotency_key text NOT NULL UNIQUE,
    lot_ids         bigint[] NOT NULL,
    lot_points      bigint[] NOT NULL,
    created_at      timestamptz NOT NULL,
    cancelled_at    timestamptz,
    cancelled_by    bigint REFERENCES staff(id)
);
CREATE INDEX prizes_given_card ON prizes_given (card_id, created_at);
-- /stats: the prizes of a period, by store.
CREATE INDEX prizes_given_time ON prizes_given (created_at);
-- /today: what a cashier gave since the shift began.
CREATE INDEX prizes_given_staff_time ON prizes_given (staff_id, created_at) WHERE staff_id IS NOT NULL;

-- The points of a prize are counted with the prizes, not as credits
-- without a purchase (a cancellation's row gives points back).
DROP INDEX ledger_kpi_time;
CREATE INDEX ledger_kpi_time ON ledger (created_at) WHERE kind NOT IN ('earn', 'redeem', 'reversal', 'return', 'prize');
