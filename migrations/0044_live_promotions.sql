-- 0044: promotions started from the chat.
--
-- An owner or a manager starts a promotion for the hours ahead (/promo:
-- it rains, the café is empty, double points until closing), or plans
-- one for a later day, without editing the config. A purchase it multiplied records "live-<id>" in
-- purchases.promotion, as a config promotion records its id. Stopping
-- one early keeps the row (stopped_at), so the owners' numbers and the
-- customers' histories still name it.
CREATE TABLE live_promotions (
    id         bigserial PRIMARY KEY,
    multiplier int NOT NULL CHECK (multiplier BETWEEN 2 AND 10),
    min_amount bigint NOT NULL DEFAULT 0 CHECK (min_amount >= 0), -- the smallest receipt, minor units
    store_id   bigint REFERENCES stores(id), -- NULL: every store
    title      jsonb NOT NULL,               -- per language: {"en": "…", "ru": "…"}
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    created_by bigint NOT NULL REFERENCES staff(id),
    stopped_at timestamptz,
    stopped_by bigint REFERENCES staff(id),
    reported_at timestamptz,                -- its result went to whoever started it
    CHECK (ends_at > starts_at)
);
-- The register asks for those running now: the few not stopped and not
-- ended yet.
CREATE INDEX live_promotions_open ON live_promotions (ends_at) WHERE stopped_at IS NULL;
-- The report job looks for the ended ones not reported yet.
CREATE INDEX live_promotions_unreported ON live_promotions (ends_at) WHERE reported_at IS NULL;
-- A promotion's result sums its purchases: the few that have one.
CREATE INDEX purchases_promotion ON purchases (promotion) WHERE promotion IS NOT NULL;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('customer_view', 'export', 'points_adjust', 'card_move', 'promotion'));
