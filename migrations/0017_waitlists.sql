-- 0017: waitlists, "tell me when it is back" (issue 9). Staff make a list
-- for an item that ran out; its w_<code> deep link puts customers on it;
-- marking it back in stock closes it. Times are business time, written
-- from the injected clock (no DEFAULT now()).
CREATE TABLE waitlists (
    id            bigserial PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    photo_file_id text NOT NULL,                    -- '' when none
    store_id      bigint REFERENCES stores(id),     -- NULL: an owner's list, every store
    created_by    bigint NOT NULL REFERENCES staff(id),
    created_at    timestamptz NOT NULL,
    closed_at     timestamptz,
    closed_by     bigint REFERENCES staff(id)
);

CREATE INDEX waitlists_open ON waitlists (store_id) WHERE closed_at IS NULL;

-- Who waits: only ids and when they joined. Erasing a customer deletes
-- their rows.
CREATE TABLE waitlist_entries (
    waitlist_id bigint NOT NULL REFERENCES waitlists(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    joined_at   timestamptz NOT NULL,
    PRIMARY KEY (waitlist_id, customer_id)
);

CREATE INDEX waitlist_entries_customer ON waitlist_entries (customer_id);
