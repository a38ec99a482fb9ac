-- 0055: a purchase may earn more than one stamp of the stamp card (three
-- coffees, three stamps): the cashier sets the count at the register, the
-- POS sends "stamps". Most purchases earn the one stamp of the default,
-- so the card's count stays read from purchases_card_live alone (a live
-- purchase of at least the minimum is one stamp) and the few purchases
-- of another count are added from a small index of those alone.
ALTER TABLE purchases ADD COLUMN stamps smallint NOT NULL DEFAULT 1 CHECK (stamps BETWEEN 0 AND 50);
CREATE INDEX purchases_card_stamps ON purchases (card_id) INCLUDE (created_at, amount, stamps)
    WHERE cancelled_at IS NULL AND stamps <> 1;
