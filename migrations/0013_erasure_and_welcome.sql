-- 0013: a welcome bonus once per person, and erasure that leaves no copy.
-- Erasing a member keeps a salted hash of their Telegram account beside
-- the one of their phone (erased_phones), so a new typed number after an
-- erasure earns no second welcome bonus.

CREATE TABLE erased_accounts (
    telegram_hash bytea PRIMARY KEY,
    erased_at     timestamptz NOT NULL
);

-- A welcome bonus waiting for the first purchase: the member typed a
-- phone number, which nobody verified, instead of sharing their contact.
-- The purchase credits it (a promo lot valid valid_days from then, 0: no
-- own expiry) and deletes the row, in its own transaction.
CREATE TABLE held_welcome (
    card_id    bigint PRIMARY KEY REFERENCES cards(id),
    points     bigint NOT NULL CHECK (points > 0),
    valid_days int NOT NULL CHECK (valid_days >= 0),
    held_at    timestamptz NOT NULL
);
