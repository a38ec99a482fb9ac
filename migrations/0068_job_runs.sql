-- 0068: a job that sends something once per tick records the tick it
-- ran for: replicas' cron ticks fire milliseconds apart, and the advisory
-- lock only keeps two runs from overlapping, so the evening digest went
-- out once per replica.
CREATE TABLE job_runs (
    job        text NOT NULL,
    occurrence timestamptz NOT NULL,   -- the tick, to the nearest minute (business time)
    ran_at     timestamptz NOT NULL,
    PRIMARY KEY (job, occurrence)
);
