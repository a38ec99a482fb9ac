-- 0008: the checkout asks for the soonest expiry among one card's open
-- lots. With only (card_id) and (expires_at) to choose from, the planner
-- walked the shop-wide expiry index in date order, filtering on the card:
-- for a card with no expiring lot that read every promo lot of the shop,
-- on every purchase. (card_id, expires_at) answers it from the card's own
-- entries, and serves every other per-card lot lookup as before.
DROP INDEX point_lots_open;
CREATE INDEX point_lots_open ON point_lots (card_id, expires_at) WHERE remaining > 0;
