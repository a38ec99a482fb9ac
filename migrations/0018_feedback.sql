-- 0018: ratings of visits and the requests that asked for them. One rating
-- per purchase; every time is business time from the injected clock.
CREATE TABLE feedback (
    id          bigserial PRIMARY KEY,
    purchase_id bigint NOT NULL UNIQUE REFERENCES purchases(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    store_id    bigint NOT NULL REFERENCES stores(id),
    staff_id    bigint REFERENCES staff(id),          -- the cashier; NULL for the POS API
    stars       smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    handled_by  bigint REFERENCES staff(id),          -- the owner or manager who answered first
    handled_at  timestamptz,
    resolution  text NOT NULL DEFAULT ''
);
CREATE INDEX feedback_created ON feedback (created_at);
CREATE INDEX feedback_customer ON feedback (customer_id);

-- "How was your visit?" requests, at most one per customer per period.
CREATE TABLE feedback_requests (
    purchase_id bigint PRIMARY KEY REFERENCES purchases(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    due_at      timestamptz NOT NULL
);
CREATE INDEX feedback_requests_customer ON feedback_requests (customer_id, due_at DESC);
