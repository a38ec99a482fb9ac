-- 0052: a discount or gift a nudge promised is used at the register.
--
-- The message said "show this message at the register (offer no. 42)",
-- and nothing kept the same message from being shown twice, nor told the
-- cashier what the customer had been promised. Now the scanned card lists
-- the customer's open offers and the cashier marks one used: when, by
-- whom (NULL: the POS), at which store.
ALTER TABLE nudges
    ADD COLUMN offer_used_at timestamptz,
    ADD COLUMN offer_used_by bigint REFERENCES staff(id),
    ADD COLUMN offer_used_store bigint REFERENCES stores(id);
-- A scan reads the customer's open offers.
CREATE INDEX nudges_open_offers ON nudges (customer_id, send_at DESC)
    WHERE outcome = 'sent' AND offer IN ('discount', 'gift') AND offer_used_at IS NULL;
