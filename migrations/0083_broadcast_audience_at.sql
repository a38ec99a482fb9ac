-- 0083: a scheduled broadcast goes to its audience at its time: whoever
-- is subscribed and consenting then and had no message of it queued when
-- it was scheduled gets one queued at that time (the broadcast job), and
-- audience_at records that it was done (NULL: not yet). Broadcasts that
-- went at once, were reported, cancelled or whose time has passed count
-- as done.
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS audience_at timestamptz;
UPDATE broadcasts SET audience_at = coalesce(reported_at, cancelled_at, created_at)
 WHERE audience_at IS NULL
   AND (not_before <= created_at OR reported_at IS NOT NULL OR cancelled_at IS NOT NULL OR not_before <= now());
CREATE INDEX IF NOT EXISTS broadcasts_audience_due ON broadcasts (not_before) WHERE audience_at IS NULL;
