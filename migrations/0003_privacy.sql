-- 0003: the customer's privacy controls. Erasing a customer keeps a salted
-- hash of their phone, so re-joining with the same number is a fresh
-- membership without a second welcome bonus.

ALTER TABLE customers ADD COLUMN erased_at timestamptz;

CREATE TABLE erased_phones (
    phone_hash bytea PRIMARY KEY,
    erased_at  timestamptz NOT NULL DEFAULT now()
);
