-- 0051: a welcome bonus that a typed phone's first purchase paid goes
-- back on hold when that purchase is cancelled or returned in full and
-- no other purchase of the card stands (the same rule as a referral's,
-- 0048): buying to earn it and bringing everything back earns nothing,
-- and a cashier who cancels the purchase to ring it up again loses the
-- customer nothing. The bonus held again is paid under a new key, one
-- round more.
ALTER TABLE held_welcome ADD COLUMN round int NOT NULL DEFAULT 1 CHECK (round >= 1);
