-- 0020: a broadcast's final report is pushed to its sender once. The job
-- that pushes it claims the broadcast by setting reported_at (business
-- clock), so several replicas never report one twice. Broadcasts already
-- finished when this runs count as reported: their owners saw them.
ALTER TABLE broadcasts ADD COLUMN reported_at timestamptz;
UPDATE broadcasts b SET reported_at = b.created_at
 WHERE NOT EXISTS (SELECT 1 FROM outbox o
                    WHERE o.broadcast_id = b.id AND o.sent_at IS NULL AND o.dropped_at IS NULL);
CREATE INDEX broadcasts_unreported ON broadcasts (id) WHERE reported_at IS NULL;
