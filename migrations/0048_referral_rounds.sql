-- 0048: a void referral completes again. A cashier who cancels a friend's
-- first purchase to ring it up again, or a friend who brings everything
-- back and buys later, must not lose the invite for good. A referral is
-- void when the friend's card has no purchase left standing, and the
-- next first purchase completes it again: a round each time, its bonus
-- credits and take-backs keyed by the round, each side given back only
-- what a void took from it (so the bonuses never add up to more than one).
-- The void looks the referral up by the friend, no longer by the purchase.
ALTER TABLE referrals ADD COLUMN rounds int NOT NULL DEFAULT 0;
UPDATE referrals SET rounds = 1 WHERE completed_at IS NOT NULL;
DROP INDEX referrals_purchase;
