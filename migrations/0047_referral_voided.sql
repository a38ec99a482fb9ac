-- 0047: a referral whose completing purchase is cancelled, or returned in
-- full, is void: the bonuses it paid are taken back (as far as they are
-- still on the cards) and it does not complete again. A cancellation or
-- a full return looks it up by the purchase.
ALTER TABLE referrals ADD COLUMN voided_at timestamptz;
CREATE INDEX referrals_purchase ON referrals (purchase_id) WHERE purchase_id IS NOT NULL;
