-- 0039: manual point corrections in the audit log.
--
-- An owner or a manager may now add or take back points by hand, with a
-- reason the customer reads (ledger kind 'adjust'). Each correction is
-- audited with the signed points and the reason in detail, beside the
-- cards viewed and the exports made.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('customer_view', 'export', 'points_adjust'));
