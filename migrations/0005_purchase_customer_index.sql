-- 0005: the checkout counts a customer's purchases (a first purchase
-- unlocks profile sections); without this index that is a scan of every
-- purchase, on every purchase.
CREATE INDEX purchases_customer ON purchases (customer_id) WHERE cancelled_at IS NULL;
