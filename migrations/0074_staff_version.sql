-- 0074: a staff record counts its (re)hirings and moves. Rehiring reuses
-- the row (same Telegram id), so a question asked about the person
-- before ("Revoke Boris?") must know it is about the record that was,
-- not the one hired again since.
ALTER TABLE staff ADD COLUMN version bigint NOT NULL DEFAULT 1;
