-- 0020: broadcast reports and polls. A broadcast's final report is
-- pushed to its sender once. The job
-- that pushes it claims the broadcast by setting reported_at (business
-- clock), so several replicas never report one twice. Broadcasts already
-- finished when this runs count as reported: their owners saw them.
ALTER TABLE broadcasts ADD COLUMN reported_at timestamptz;
UPDATE broadcasts b SET reported_at = b.created_at
 WHERE NOT EXISTS (SELECT 1 FROM outbox o
                    WHERE o.broadcast_id = b.id AND o.sent_at IS NULL AND o.dropped_at IS NULL);
CREATE INDEX broadcasts_unreported ON broadcasts (id) WHERE reported_at IS NULL;

-- A broadcast can be a one-question poll: its answer options, in order
-- (none: not a poll), and one answer per customer, which they may change.
-- Erasing a customer deletes their answers.
ALTER TABLE broadcasts ADD COLUMN options text[] NOT NULL DEFAULT '{}';
CREATE TABLE poll_answers (
    broadcast_id bigint NOT NULL REFERENCES broadcasts(id),
    customer_id  bigint NOT NULL REFERENCES customers(id),
    option       smallint NOT NULL,
    answered_at  timestamptz NOT NULL,
    PRIMARY KEY (broadcast_id, customer_id)
);
CREATE INDEX poll_answers_customer ON poll_answers (customer_id);
