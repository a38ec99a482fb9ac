-- 0060: a happy customer asked to review the store on the map (Yandex
-- Maps, Google Maps, 2GIS: the store's review_url), once in a while, so
-- the shop's public rating grows with its content customers while the
-- unhappy ones reach the owners. Counted in /stats.
CREATE TABLE review_invites (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    store_id    bigint NOT NULL REFERENCES stores(id),
    invited_at  timestamptz NOT NULL
);
CREATE INDEX review_invites_customer ON review_invites (customer_id, store_id, invited_at DESC);
CREATE INDEX review_invites_time ON review_invites (invited_at);
