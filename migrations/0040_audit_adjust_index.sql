-- 0040: the customer card lists the customer's newest point corrections.
--
-- They are audit entries; the log's only index is by time, and it grows
-- with every card viewed. This one finds a customer's corrections
-- without reading the rest.
CREATE INDEX audit_log_adjust ON audit_log (customer_id, at DESC) WHERE action = 'points_adjust';
