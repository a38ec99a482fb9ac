-- A member's question to the shop, written in the chat outside any step:
-- it goes to the owners and the store's managers, the first to answer
-- (or to mark it as needing none) handles it, and the thread goes on
-- both ways through the bot. The text is the customer's: erased with
-- their data, given in their data export.
CREATE TABLE inquiries (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    store_id    bigint REFERENCES stores(id),          -- where they shop; NULL: the business as a whole
    text        text NOT NULL,
    created_at  timestamptz NOT NULL,
    handled_by  bigint REFERENCES staff(id),
    handled_at  timestamptz,
    resolution  text NOT NULL DEFAULT ''
);
CREATE INDEX inquiries_customer ON inquiries (customer_id, created_at);
-- The evening digest's questions nobody answered yet.
CREATE INDEX inquiries_open ON inquiries (created_at) WHERE handled_by IS NULL;
