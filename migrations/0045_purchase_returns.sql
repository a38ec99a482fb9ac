-- 0045: returns of part of a purchase, on any day after it.
--
-- A customer brings back one item of three, a week later. The shop
-- refunds it, and the points follow: the points the purchase earned are
-- taken back in proportion to what was returned, and the points paid
-- with it are given back in the same proportion (to the lots they came
-- from). A return of all that is left of a purchase cancels it.
--
-- purchases keeps what stands after the returns (amount, points_earned,
-- points_redeemed), so every sum of purchases (the tier's spend, /stats,
-- /today, the promotions' results, the exports) counts what the customer
-- kept, with no change to those queries; the returned_* columns keep what
-- went back, so the receipt as rung up is amount + returned_amount.
ALTER TABLE purchases
    ADD COLUMN returned_amount bigint NOT NULL DEFAULT 0 CHECK (returned_amount >= 0),
    ADD COLUMN returned_earned bigint NOT NULL DEFAULT 0 CHECK (returned_earned >= 0),
    ADD COLUMN returned_redeemed bigint NOT NULL DEFAULT 0 CHECK (returned_redeemed >= 0),
    -- Nothing stands of a purchase returned in full.
    DROP CONSTRAINT purchases_amount_check,
    ADD CONSTRAINT purchases_amount_check CHECK (amount > 0 OR (amount = 0 AND returned_amount > 0));

CREATE TABLE purchase_returns (
    id              bigserial PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,          -- "r_…", for staff and the POS
    purchase_id     bigint NOT NULL REFERENCES purchases(id),
    card_id         bigint NOT NULL REFERENCES cards(id),
    store_id        bigint NOT NULL REFERENCES stores(id), -- the purchase's
    staff_id        bigint REFERENCES staff(id),   -- NULL: the POS API
    source          text NOT NULL,
    return_ref      text,                          -- the POS's own id of the return
    idempotency_key text NOT NULL UNIQUE,
    request_hash    text NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0), -- minor units returned
    points_taken    bigint NOT NULL CHECK (points_taken >= 0),  -- of those the purchase earned
    points_given    bigint NOT NULL CHECK (points_given >= 0),  -- of those paid with it
    points_short    bigint NOT NULL CHECK (points_short >= 0),  -- earned ones spent already: kept from the refund
    refund          bigint NOT NULL CHECK (refund >= 0),        -- money to pay back, minor units
    created_at      timestamptz NOT NULL
);
CREATE INDEX purchase_returns_purchase ON purchase_returns (purchase_id);
-- /today: what a cashier returned since the shift began.
CREATE INDEX purchase_returns_staff_time ON purchase_returns (staff_id, created_at) WHERE staff_id IS NOT NULL;

-- The points a return moves are the purchase's own, as a cancellation's
-- are: the owners' report counts them with the purchase, not as credits
-- without one.
DROP INDEX ledger_kpi_time;
CREATE INDEX ledger_kpi_time ON ledger (created_at) WHERE kind NOT IN ('earn', 'redeem', 'reversal', 'return');
