-- 0031: the per-member facts /stats counts, kept in the narrow
-- customer_activity row.
--
-- The report hashed a million wide customers rows against
-- customer_activity and cards, and the completed questionnaire sections
-- against the customers again: on 2 cores that was most of its time. Each
-- member's row now also holds what the report counts them by: the store
-- they joined at, since when they are a member (NULL before onboarding
-- completes and after an erasure, so neither is counted), whether the
-- chat reaches them, the marketing consent, how many questionnaire
-- sections they completed, and the card's balance. The report reads this
-- one narrow table (a single pass, no join); triggers keep every field
-- exact in the transaction that changes its source, whoever writes it
-- (the chat, the POS API, the CLI, jobs, or plain SQL):
--   customers (insert; store, joined, chat, blocked, consent, erased),
--   cards (balance), section_offers (completed), purchases (as in 0028).
-- Each trigger touches only the one member's row, which the writer's
-- transaction owns already (the customer, their card), so nothing waits on
-- a shop-wide counter. Bulk loaders that turn the triggers off (the seeds)
-- call customer_activity_rebuild() at the end.

-- What the row must hold, from the source tables: the rebuild reads it,
-- and the tests compare the maintained rows against it. Per customer, so
-- that one customer's row (customer_activity_heal) reads that customer's
-- few index entries: their card, their offers (section_offers_customer)
-- and their card's live purchases (purchases_card_live).
CREATE VIEW customer_activity_source AS
SELECT c.id AS customer_id,
       c.joined_store_id AS store_id,
       CASE WHEN c.erased_at IS NULL THEN c.joined_at END AS member_since,
       c.chat_id IS NOT NULL AND c.unreachable_at IS NULL AS reachable,
       c.marketing,
       o.n::smallint AS sections_done,
       coalesce(k.balance, 0) AS balance,
       p.first_purchase_at,
       p.last_purchase_at,
       p.n::int AS purchases
  FROM customers c
  LEFT JOIN cards k ON k.customer_id = c.id
 CROSS JOIN LATERAL (SELECT count(*) AS n FROM section_offers s
                      WHERE s.customer_id = c.id AND s.completed_at IS NOT NULL) o
 CROSS JOIN LATERAL (SELECT min(created_at) AS first_purchase_at, max(created_at) AS last_purchase_at, count(*) AS n
                       FROM purchases WHERE card_id = k.id AND cancelled_at IS NULL) p;

DROP TABLE customer_activity;

-- One row per customer (every customer, from their first insert). A bit
-- of free space on each page lets the purchase's update stay on the page
-- (no index covers an updated column, so the updates are HOT).
CREATE TABLE customer_activity (
    customer_id       bigint PRIMARY KEY REFERENCES customers(id),
    store_id          bigint,
    member_since      timestamptz,
    reachable         boolean NOT NULL DEFAULT false,
    marketing         boolean NOT NULL DEFAULT false,
    sections_done     smallint NOT NULL DEFAULT 0 CHECK (sections_done >= 0),
    balance           bigint NOT NULL DEFAULT 0,
    first_purchase_at timestamptz,
    last_purchase_at  timestamptz,
    purchases         integer NOT NULL DEFAULT 0 CHECK (purchases >= 0)
) WITH (fillfactor = 90);

-- customer_activity_rebuild fills the table from the source tables, for
-- this migration and for loaders that wrote with the triggers off: what
-- customer_activity_source says, computed for everyone at once (hash
-- aggregates of the offers and the purchases rather than a million index
-- lookups: a minute instead of two on the seeded million; the tests check
-- that the two agree).
CREATE FUNCTION customer_activity_rebuild() RETURNS void LANGUAGE sql AS $$
    TRUNCATE customer_activity;
    INSERT INTO customer_activity (customer_id, store_id, member_since, reachable, marketing, sections_done,
                                   balance, first_purchase_at, last_purchase_at, purchases)
    SELECT c.id, c.joined_store_id, CASE WHEN c.erased_at IS NULL THEN c.joined_at END,
           c.chat_id IS NOT NULL AND c.unreachable_at IS NULL, c.marketing, coalesce(o.n, 0),
           coalesce(k.balance, 0), p.first, p.last, coalesce(p.n, 0)
      FROM customers c
      LEFT JOIN cards k ON k.customer_id = c.id
      LEFT JOIN (SELECT customer_id, count(*) AS n FROM section_offers
                  WHERE completed_at IS NOT NULL GROUP BY customer_id) o ON o.customer_id = c.id
      LEFT JOIN (SELECT card_id, min(created_at) AS first, max(created_at) AS last, count(*) AS n
                   FROM purchases WHERE cancelled_at IS NULL GROUP BY card_id) p ON p.card_id = k.id;
$$;

-- customer_activity_heal writes one customer's row from the source tables
-- when a trigger finds it missing (a customer a loader wrote with the
-- triggers off and no rebuild after).
CREATE FUNCTION customer_activity_heal(customer bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO customer_activity (customer_id, store_id, member_since, reachable, marketing, sections_done,
                                   balance, first_purchase_at, last_purchase_at, purchases)
    SELECT customer_id, store_id, member_since, reachable, marketing, sections_done,
           balance, first_purchase_at, last_purchase_at, purchases
      FROM customer_activity_source WHERE customer_id = customer
        ON CONFLICT (customer_id) DO NOTHING;
$$;

SELECT customer_activity_rebuild();

-- A customer's own facts: at insert, and whenever one the report counts
-- changes (the WHEN clause lets every other update pass untouched).
CREATE FUNCTION customer_activity_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_activity
       SET store_id = NEW.joined_store_id,
           member_since = CASE WHEN NEW.erased_at IS NULL THEN NEW.joined_at END,
           reachable = NEW.chat_id IS NOT NULL AND NEW.unreachable_at IS NULL,
           marketing = NEW.marketing
     WHERE customer_id = NEW.id;
    IF NOT FOUND THEN
        PERFORM customer_activity_heal(NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_activity_customer_insert AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_activity_customer();

CREATE TRIGGER customer_activity_customer_update
    AFTER UPDATE OF joined_store_id, joined_at, chat_id, unreachable_at, marketing, erased_at ON customers
    FOR EACH ROW WHEN (OLD.joined_store_id IS DISTINCT FROM NEW.joined_store_id
                    OR OLD.joined_at IS DISTINCT FROM NEW.joined_at
                    OR (OLD.chat_id IS NULL) <> (NEW.chat_id IS NULL)
                    OR (OLD.unreachable_at IS NULL) <> (NEW.unreachable_at IS NULL)
                    OR OLD.marketing <> NEW.marketing
                    OR (OLD.erased_at IS NULL) <> (NEW.erased_at IS NULL))
    EXECUTE FUNCTION customer_activity_customer();

-- The card's balance, after the ledger trigger moved it.
CREATE FUNCTION customer_activity_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_activity SET balance = NEW.balance WHERE customer_id = NEW.customer_id;
    IF NOT FOUND THEN
        PERFORM customer_activity_heal(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_activity_balance_insert AFTER INSERT ON cards
    FOR EACH ROW WHEN (NEW.balance <> 0) EXECUTE FUNCTION customer_activity_balance();

CREATE TRIGGER customer_activity_balance_update AFTER UPDATE OF balance ON cards
    FOR EACH ROW WHEN (OLD.balance <> NEW.balance) EXECUTE FUNCTION customer_activity_balance();

-- Completed questionnaire sections: recounted from the customer's few
-- offers (section_offers_customer covers them) when one is completed,
-- reopened or deleted (an erasure deletes them all).
CREATE FUNCTION customer_activity_sections() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cust bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.customer_id ELSE NEW.customer_id END;
BEGIN
    UPDATE customer_activity
       SET sections_done = (SELECT count(*) FROM section_offers o
                             WHERE o.customer_id = cust AND o.completed_at IS NOT NULL)
     WHERE customer_id = cust;
    IF NOT FOUND THEN
        PERFORM customer_activity_heal(cust);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_activity_sections_insert AFTER INSERT ON section_offers
    FOR EACH ROW WHEN (NEW.completed_at IS NOT NULL) EXECUTE FUNCTION customer_activity_sections();

CREATE TRIGGER customer_activity_sections_update AFTER UPDATE OF completed_at ON section_offers
    FOR EACH ROW WHEN ((OLD.completed_at IS NULL) <> (NEW.completed_at IS NULL))
    EXECUTE FUNCTION customer_activity_sections();

CREATE TRIGGER customer_activity_sections_delete AFTER DELETE ON section_offers
    FOR EACH ROW WHEN (OLD.completed_at IS NOT NULL) EXECUTE FUNCTION customer_activity_sections();

-- A purchase: the row exists since the customer's insert, so one update
-- (0028 upserted, as a first purchase made the row then).
CREATE OR REPLACE FUNCTION customer_activity_purchase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cancelled_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    UPDATE customer_activity AS a
       SET first_purchase_at = least(a.first_purchase_at, NEW.created_at),
           last_purchase_at  = greatest(a.last_purchase_at, NEW.created_at),
           purchases         = a.purchases + 1
     WHERE a.customer_id = NEW.customer_id;
    IF NOT FOUND THEN
        PERFORM customer_activity_heal(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;

-- A cancellation recounts the card's live purchases (as in 0028).
CREATE OR REPLACE FUNCTION customer_activity_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_activity a
       SET first_purchase_at = s.first, last_purchase_at = s.last, purchases = s.n
      FROM (SELECT min(created_at) AS first, max(created_at) AS last, count(*)::int AS n
              FROM purchases WHERE card_id = NEW.card_id AND cancelled_at IS NULL) s
     WHERE a.customer_id = NEW.customer_id;
    IF NOT FOUND THEN
        PERFORM customer_activity_heal(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;

ANALYZE customer_activity;
