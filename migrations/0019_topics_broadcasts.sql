-- 0019: topic subscriptions and owners' broadcasts. A customer's explicit
-- choice for a topic is a row; a topic never chosen follows its default in
-- the business config. A broadcast is one row, and its messages are outbox
-- rows that point at it, so its progress is counted from the outbox and a
-- restart continues from what is still pending. Times come from the
-- business clock (no DEFAULT now()).
CREATE TABLE topic_subscriptions (
    customer_id bigint NOT NULL REFERENCES customers(id),
    topic       text NOT NULL,
    subscribed  boolean NOT NULL,
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (customer_id, topic)
);

CREATE TABLE broadcasts (
    id          bigserial PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES staff(id),
    topic       text NOT NULL,               -- '': everyone with the marketing consent
    text        text NOT NULL,
    photo       text NOT NULL,               -- Telegram file_id, '' if none
    queued      int NOT NULL,
    not_before  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL
);

ALTER TABLE outbox ADD COLUMN broadcast_id bigint REFERENCES broadcasts(id);
-- Nobody gets one broadcast twice, whatever is retried.
CREATE UNIQUE INDEX outbox_broadcast_chat ON outbox (broadcast_id, chat_id) WHERE broadcast_id IS NOT NULL;
