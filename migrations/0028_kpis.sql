-- 0028: owners' KPIs (/stats) and staff KPIs.
--
-- Who signed a customer up: a join through a cashier's own link
-- (s_<store>_<cashier>) names the cashier, so /stats staff can count the
-- cards each one issued and how those customers come back.
ALTER TABLE customers ADD COLUMN signed_up_by bigint REFERENCES staff(id);
CREATE INDEX customers_signed_up_by ON customers (signed_up_by, joined_at) WHERE signed_up_by IS NOT NULL;

-- A materialized aggregate of each customer's purchases (live ones only):
-- the first and the last, and how many. Lifecycle (active, sleeping, lost),
-- the repeat-purchase rate and the cohort table read it instead of every
-- purchase a shop ever had. Triggers keep it exact in the transaction that
-- writes the purchase or cancels it: one small upsert on the money path
-- (the card is locked there already, so it never waits), and a recount of
-- the one card's live purchases, from its covering index, on a cancellation.
CREATE TABLE customer_activity (
    customer_id       bigint PRIMARY KEY REFERENCES customers(id),
    first_purchase_at timestamptz,
    last_purchase_at  timestamptz,
    purchases         integer NOT NULL CHECK (purchases >= 0)
);

CREATE FUNCTION customer_activity_purchase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cancelled_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO customer_activity AS a (customer_id, first_purchase_at, last_purchase_at, purchases)
    VALUES (NEW.customer_id, NEW.created_at, NEW.created_at, 1)
    ON CONFLICT (customer_id) DO UPDATE
       SET first_purchase_at = least(a.first_purchase_at, EXCLUDED.first_purchase_at),
           last_purchase_at  = greatest(a.last_purchase_at, EXCLUDED.last_purchase_at),
           purchases         = a.purchases + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_activity_purchase AFTER INSERT ON purchases
    FOR EACH ROW EXECUTE FUNCTION customer_activity_purchase();

CREATE FUNCTION customer_activity_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_activity a
       SET first_purchase_at = s.first, last_purchase_at = s.last, purchases = s.n
      FROM (SELECT min(created_at) AS first, max(created_at) AS last, count(*)::int AS n
              FROM purchases WHERE card_id = NEW.card_id AND cancelled_at IS NULL) s
     WHERE a.customer_id = NEW.customer_id;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_activity_cancel AFTER UPDATE OF cancelled_at ON purchases
    FOR EACH ROW WHEN (OLD.cancelled_at IS NULL AND NEW.cancelled_at IS NOT NULL)
    EXECUTE FUNCTION customer_activity_cancel();

INSERT INTO customer_activity (customer_id, first_purchase_at, last_purchase_at, purchases)
SELECT customer_id, min(created_at), max(created_at), count(*)
  FROM purchases WHERE cancelled_at IS NULL GROUP BY customer_id;

-- Points that move without a purchase (welcome, bonuses, nudges, goodwill,
-- expiry) by time, for the period's points; earned and redeemed points
-- come from the period's purchases, so the money path's ledger rows
-- (earn, redeem, reversal) pay for no entry here.
CREATE INDEX ledger_kpi_time ON ledger (created_at) WHERE kind NOT IN ('earn', 'redeem', 'reversal');

-- The period's purchases by time, for every store at once. Purchases
-- are written in time order, so a BRIN index (a few dozen kilobytes for
-- ten million rows) finds a month's pages; the (store, time) B-tree leads
-- with the store, so the planner reads it as scattered and scanned the
-- whole table instead. Nearly free on the money path: an insert into the
-- newest, not yet summarized range writes nothing to it.
CREATE INDEX purchases_time_brin ON purchases USING brin (created_at);

-- The period's nudges for the report's uplift summary, by due time.
CREATE INDEX nudges_due ON nudges (due_at);
