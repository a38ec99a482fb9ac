-- 0002: checkout at the register: staff and invites, purchases, point lots
-- (which credits are still on a card, so promo points are spent first and
-- each expires on time), and POS API keys.

CREATE TABLE staff (
    id          bigserial PRIMARY KEY,
    telegram_id bigint NOT NULL UNIQUE,
    chat_id     bigint NOT NULL,
    first_name  text NOT NULL DEFAULT '',
    role        text NOT NULL CHECK (role IN ('owner', 'manager', 'cashier')),
    store_id    bigint REFERENCES stores(id),     -- NULL: every store (owners)
    invited_by  bigint REFERENCES staff(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- One-time invitation links; only a hash of the token is kept.
CREATE TABLE invites (
    id         bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    role       text NOT NULL CHECK (role IN ('owner', 'manager', 'cashier')),
    store_id   bigint REFERENCES stores(id),
    created_by bigint REFERENCES staff(id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    bigint REFERENCES staff(id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchases (
    id              bigserial PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,
    card_id         bigint NOT NULL REFERENCES cards(id),
    customer_id     bigint NOT NULL REFERENCES customers(id),
    store_id        bigint NOT NULL REFERENCES stores(id),
    staff_id        bigint REFERENCES staff(id),  -- NULL for the POS API
    source          text NOT NULL CHECK (source IN ('bot', 'pos')),
    receipt_id      text,
    idempotency_key text NOT NULL UNIQUE,
    request_hash    text NOT NULL DEFAULT '',
    amount          bigint NOT NULL CHECK (amount > 0),
    currency        text NOT NULL,
    points_earned   bigint NOT NULL CHECK (points_earned >= 0),
    points_redeemed bigint NOT NULL CHECK (points_redeemed >= 0),
    categories      text[] NOT NULL DEFAULT '{}',
    flags           text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz,
    cancelled_by    bigint REFERENCES staff(id),
    UNIQUE (store_id, receipt_id)
);
CREATE INDEX purchases_card_time ON purchases (card_id, created_at);
CREATE INDEX purchases_staff_time ON purchases (staff_id, created_at) WHERE staff_id IS NOT NULL;
CREATE INDEX purchases_store_time ON purchases (store_id, created_at);

-- A lot is a credit still (partly) on a card. remaining is the only
-- mutable number; it moves only in the transaction that writes the ledger
-- row explaining why, with the card row locked.
CREATE TABLE point_lots (
    id         bigserial PRIMARY KEY,
    card_id    bigint NOT NULL REFERENCES cards(id),
    ledger_id  bigint NOT NULL REFERENCES ledger(id),
    kind       text NOT NULL CHECK (kind IN ('promo', 'regular')),
    amount     bigint NOT NULL CHECK (amount > 0),
    remaining  bigint NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX point_lots_open ON point_lots (card_id) WHERE remaining > 0;
CREATE INDEX point_lots_expiring ON point_lots (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;

-- Which lots paid a purchase, so a cancellation gives the same points back.
CREATE TABLE lot_uses (
    purchase_id bigint NOT NULL REFERENCES purchases(id),
    lot_id      bigint NOT NULL REFERENCES point_lots(id),
    points      bigint NOT NULL CHECK (points > 0),
    PRIMARY KEY (purchase_id, lot_id)
);

CREATE TABLE api_keys (
    id         bigserial PRIMARY KEY,
    store_id   bigint NOT NULL REFERENCES stores(id),
    key_hash   bytea NOT NULL UNIQUE,
    prefix     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Existing welcome bonuses become promo lots, so they are spendable.
INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
SELECT l.card_id, l.id, 'promo', l.amount, l.amount, l.expires_at, l.created_at
  FROM ledger l WHERE l.kind = 'welcome' AND l.amount > 0;
