-- 0065: a broadcast keeps its message in each language it was written
-- in, so that a customer who changes their language before a scheduled
-- (or still sending) broadcast reaches them gets it in the new one.
ALTER TABLE broadcasts ADD COLUMN payloads jsonb;
ALTER TABLE broadcasts ADD COLUMN default_language text NOT NULL DEFAULT '';
