-- 0006: (store, receipt id) uniqueness is already enforced by the
-- purchase's idempotency key ("pos:<store>:<receipt id>"); the second
-- unique index only cost every purchase an index insertion.
ALTER TABLE purchases DROP CONSTRAINT purchases_store_id_receipt_id_key;
