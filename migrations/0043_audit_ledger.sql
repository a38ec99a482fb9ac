-- 0043: a point correction's audit entry names its ledger row.
--
-- The ledger keeps "staff N" as an adjustment's reason (it is
-- append-only and outlives an erasure, so the customer-facing reason,
-- which may be personal, lives in the audit entry that an erasure
-- trims). With the row's id on the entry, the owner's ledger export can
-- show who corrected the points and why, without matching by time.
ALTER TABLE audit_log ADD COLUMN ledger_id bigint REFERENCES ledger(id);
CREATE INDEX audit_log_ledger ON audit_log (ledger_id) WHERE ledger_id IS NOT NULL;
