-- 0059: code words. An owner announces a word ("AUTUMN") in a post or on
-- a flyer; a member who writes it to the bot (or opens its p_ link) gets
-- its points once, while it runs and while uses are left. Someone who
-- writes it before joining gets them when they join.
CREATE TABLE code_words (
    id          bigserial PRIMARY KEY,
    word        text NOT NULL,           -- as customers see it (upper case)
    word_key    text NOT NULL,           -- the key it is found by
    points      bigint NOT NULL CHECK (points > 0),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    max_uses    integer NOT NULL DEFAULT 0 CHECK (max_uses >= 0), -- 0: no limit
    uses        integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_by  bigint NOT NULL REFERENCES staff(id),
    created_at  timestamptz NOT NULL,
    stopped_at  timestamptz,
    stopped_by  bigint REFERENCES staff(id),
    CHECK (ends_at > starts_at)
);
-- The newest word of a key is the one a member's message finds.
CREATE INDEX code_words_key ON code_words (word_key, id DESC);

CREATE TABLE code_word_uses (
    code_word_id bigint NOT NULL REFERENCES code_words(id),
    customer_id  bigint NOT NULL REFERENCES customers(id),
    used_at      timestamptz NOT NULL,
    at_join      boolean NOT NULL DEFAULT false, -- written before joining: a new member the word brought
    PRIMARY KEY (code_word_id, customer_id)
);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('customer_view', 'export', 'points_adjust', 'card_move', 'promotion', 'customer_message', 'code_word'));
