-- 0021: a customer may rate a store in general (/feedback), not only a
-- visit. Such a rating has no purchase and no cashier; a purchase still
-- has at most one rating (UNIQUE lets any number of NULLs through). A
-- second general rating of the same store within the change window
-- changes the first (the domain finds it by customer, store and time).
ALTER TABLE feedback ALTER COLUMN purchase_id DROP NOT NULL;
ALTER TABLE feedback ADD CONSTRAINT feedback_general_has_no_cashier
    CHECK (purchase_id IS NOT NULL OR staff_id IS NULL);
CREATE INDEX feedback_general ON feedback (customer_id, store_id, created_at DESC) WHERE purchase_id IS NULL;
