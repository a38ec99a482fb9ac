-- 0012: failed card lookups, counted per POS key, cashier and card number
-- in fixed windows, so that every replica refuses a guesser alike. The
-- application writes window_start from its clock; rows of windows that
-- ended are purged as new failures come in.
CREATE TABLE lookup_failures (
    scope        text        NOT NULL,
    subject      text        NOT NULL,
    window_start timestamptz NOT NULL,
    failures     integer     NOT NULL CHECK (failures > 0),
    PRIMARY KEY (scope, subject, window_start)
);
CREATE INDEX lookup_failures_window ON lookup_failures (window_start);
