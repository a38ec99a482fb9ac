-- 0046: the owners' report counts the returns made in its period
-- (/stats: how many, for how much, and the money paid back).
CREATE INDEX purchase_returns_time ON purchase_returns (created_at) INCLUDE (store_id, amount, refund);
