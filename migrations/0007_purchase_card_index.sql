-- 0007: what a checkout reads about a card's past (first purchase, last
-- purchase, rolling 365-day spend) comes from one covering index of the
-- card's live purchases, read without touching the table once vacuum has
-- marked the pages visible. The per-customer partial index of 0005 goes:
-- a card belongs to one customer, and the planner combined that index
-- (every live purchase of the shop) with the card's in a bitmap AND, a
-- scan that grew with the whole table on every purchase.
DROP INDEX purchases_customer;
CREATE INDEX purchases_card_live ON purchases (card_id, created_at) INCLUDE (amount)
    WHERE cancelled_at IS NULL;
