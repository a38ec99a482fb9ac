-- 0079: a return that takes a receipt under its promotion's minimum
-- ("×2 on receipts from 1,000": 100 of 1,000 brought back) leaves the
-- points at the usual rate, or under another promotion that ran then
-- and multiplies what stays: promotion names that one from then on
-- (NULL: none), so the promotions' results count what stands, and
-- lapsed_promotion keeps the one it was rung up under, which later
-- returns reckon with (their shares are of the whole receipt). NULL
-- while no return did so.
ALTER TABLE purchases ADD COLUMN IF NOT EXISTS lapsed_promotion text;
