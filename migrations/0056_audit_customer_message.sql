-- 0056: an owner's or a manager's own message to a customer (written
-- from the customer card) is in the audit log; its text is not kept.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('customer_view', 'export', 'points_adjust', 'card_move', 'promotion', 'customer_message'));
