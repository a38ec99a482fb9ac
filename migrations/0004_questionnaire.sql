-- 0004: questionnaire answers with their history, and the derived facts
-- segments are built on ("has a child under 3", "car older than 8 years").

CREATE TABLE answers (
    id            bigserial PRIMARY KEY,
    customer_id   bigint NOT NULL REFERENCES customers(id),
    question_id   text NOT NULL,
    value         jsonb,                 -- NULL when skipped
    skipped       boolean NOT NULL DEFAULT false,
    answered_at   timestamptz NOT NULL,
    superseded_at timestamptz            -- a changed answer keeps the old row
);
CREATE UNIQUE INDEX answers_current ON answers (customer_id, question_id) WHERE superseded_at IS NULL;
CREATE INDEX answers_customer ON answers (customer_id, answered_at);

CREATE TABLE facts (
    customer_id bigint NOT NULL REFERENCES customers(id),
    name        text NOT NULL,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, name)
);
CREATE INDEX facts_name_value ON facts (name, value);

-- Sections a customer was offered (after joining, after the first
-- purchase, by a nudge): only those can be continued from /profile.
CREATE TABLE section_offers (
    customer_id bigint NOT NULL REFERENCES customers(id),
    section     text NOT NULL,
    offered_at  timestamptz NOT NULL,
    completed_at timestamptz,
    PRIMARY KEY (customer_id, section)
);
