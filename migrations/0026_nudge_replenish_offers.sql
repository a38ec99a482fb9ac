-- 0026: replenishment reminders, and the offer type of each nudge.
--
-- A replenishment is due a few days before a customer would run out of
-- what they bought in a category: the category's typical cycle (config),
-- or the customer's own median gap between purchases in it. Both depend on
-- the customer's last live purchase in the category, and the median on
-- their whole history there, so a query over purchases cannot be bounded
-- by time (a walk by time per store, like win-back's, covers only cycles
-- known in advance; a GIN index on categories finds every purchase of a
-- category ever, the whole history again, every minute). Instead this
-- table keeps, per customer and category, the last live purchase and the
-- customer's rhythm. It is config-free: the reaction to every purchase
-- and cancellation with categories rewrites the rows of that purchase's
-- categories from the card's own purchases (purchases_card_live), a
-- statement deferred to the commit. The rule's query then walks two
-- small index ranges: per configured category the purchases that reach
-- the end of their cycle within the window (replenishments_category),
-- and the customers whose own rhythm ends within it
-- (replenishments_personal). Days are whole days of 24 hours.
CREATE TABLE replenishments (
    customer_id  bigint NOT NULL REFERENCES customers(id),
    category     text NOT NULL,
    purchase_id  bigint NOT NULL REFERENCES purchases(id),  -- the last live purchase in the category
    bought_at    timestamptz NOT NULL,                      -- its time
    visits       int NOT NULL,   -- purchases in the category at least half a day apart
    median_days  int,            -- the median gap between them, whole days (NULL: one visit)
    personal_at  timestamptz,    -- bought_at + median_days: when they would run out by their own rhythm
    PRIMARY KEY (customer_id, category)
);
CREATE INDEX replenishments_category ON replenishments (category, bought_at);
CREATE INDEX replenishments_personal ON replenishments (personal_at) WHERE personal_at IS NOT NULL;

-- The purchases so far. Gaps under half a day are one visit; the median is
-- percentile_disc over whole days, an integer (the lower middle).
INSERT INTO replenishments (customer_id, category, purchase_id, bought_at, visits, median_days, personal_at)
SELECT customer_id, category, purchase_id, bought_at, visits, median_days,
       bought_at + median_days * interval '24 hours'
  FROM (SELECT customer_id, category,
               (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS purchase_id, max(created_at) AS bought_at,
               1 + count(*) FILTER (WHERE gap >= 1) AS visits,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap >= 1) AS median_days
          FROM (SELECT p.customer_id, c.category, p.id, p.created_at,
                       round(extract(epoch FROM p.created_at - lag(p.created_at)
                             OVER (PARTITION BY p.card_id, c.category ORDER BY p.created_at, p.id)) / 86400)::int AS gap
                  FROM purchases p CROSS JOIN LATERAL (SELECT DISTINCT unnest(p.categories) AS category) c
                 WHERE p.cancelled_at IS NULL) h
         GROUP BY customer_id, category) a;

-- The offer a nudge carried ('' none; points, discount, gift): with the
-- attribution's converted_at, which offer a customer responds to.
ALTER TABLE nudges ADD COLUMN offer text NOT NULL DEFAULT '';
