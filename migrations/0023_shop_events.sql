-- 0023: events from the business's online shop (POST /api/v1/events): a
-- customer abandoned a cart, viewed a product, placed an order. Nudge
-- rules of kind "event" react to them (a cart reminder two hours later
-- unless an order came). Idempotent on (store, event_id) like receipts;
-- request_hash tells a repeat from another body with the same id. Items
-- are kept as the shop sent them (sku, name, category, price in minor
-- units, quantity). Times are business time from the injected clock.
CREATE TABLE shop_events (
    id           bigserial PRIMARY KEY,
    store_id     bigint NOT NULL REFERENCES stores(id),
    event_id     text NOT NULL,
    customer_id  bigint NOT NULL REFERENCES customers(id),
    type         text NOT NULL CHECK (type IN ('cart_abandoned', 'product_viewed', 'order_placed')),
    items        jsonb NOT NULL DEFAULT '[]',
    occurred_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    request_hash text NOT NULL,
    UNIQUE (store_id, event_id)
);
-- A rule walks one type by time; whether something came after an event
-- is looked up per customer.
CREATE INDEX shop_events_type_time ON shop_events (type, occurred_at);
CREATE INDEX shop_events_customer_time ON shop_events (customer_id, occurred_at);
