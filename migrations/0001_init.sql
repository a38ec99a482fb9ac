-- 0001: the foundation: stores, customers with consents, cards, the points
-- ledger with a balance that can never go negative, conversation state,
-- the update inbox and the message outbox.

CREATE TABLE stores (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    timezone   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id               bigserial PRIMARY KEY,
    telegram_id      bigint UNIQUE,            -- NULL once the Telegram link is cut
    chat_id          bigint,
    first_name       text NOT NULL DEFAULT '',
    phone            text,
    language         text NOT NULL DEFAULT '',
    joined_store_id  bigint REFERENCES stores(id),
    joined_at        timestamptz,              -- NULL until onboarding completes
    marketing        boolean NOT NULL DEFAULT false,
    unreachable_at   timestamptz,              -- set on 403 "blocked by the user"
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_phone_uniq ON customers (phone) WHERE phone IS NOT NULL;

-- Every consent given or withdrawn is a row: the current state is the newest
-- row per kind; the history is the proof.
CREATE TABLE consents (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    kind        text NOT NULL CHECK (kind IN ('personal_data', 'marketing')),
    version     text NOT NULL,
    granted     boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_customer ON consents (customer_id, kind, at DESC);

CREATE TABLE cards (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL UNIQUE REFERENCES customers(id),
    number      text NOT NULL UNIQUE CHECK (number ~ '^[1-9][0-9]{7}$'),
    balance     bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The ledger is append-only. Each row moves the card balance by amount: a
-- BEFORE trigger locks the card and computes balance_after, an AFTER trigger
-- applies the amount (AFTER, so a row skipped by ON CONFLICT DO NOTHING
-- moves nothing). The CHECK on cards.balance refuses any row that would
-- overdraw the card, whoever writes it.
CREATE TABLE ledger (
    id              bigserial PRIMARY KEY,
    card_id         bigint NOT NULL REFERENCES cards(id),
    kind            text NOT NULL,
    amount          bigint NOT NULL CHECK (amount <> 0),
    reason          text NOT NULL DEFAULT '',
    idempotency_key text NOT NULL UNIQUE,
    expires_at      timestamptz,
    balance_after   bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_card ON ledger (card_id, id DESC);

CREATE FUNCTION ledger_lock_card() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current bigint;
BEGIN
    SELECT balance INTO current FROM cards WHERE id = NEW.card_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'card % not found', NEW.card_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    NEW.balance_after := current + NEW.amount;
    RETURN NEW;
END $$;

CREATE TRIGGER ledger_lock_card BEFORE INSERT ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_lock_card();

CREATE FUNCTION ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cards SET balance = balance + NEW.amount WHERE id = NEW.card_id;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_apply AFTER INSERT ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_apply();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only' USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- One conversation per chat: the flow, the step id and the answers so far.
CREATE TABLE conversations (
    chat_id    bigint PRIMARY KEY,
    flow       text NOT NULL DEFAULT '',
    step       text NOT NULL DEFAULT '',
    data       jsonb NOT NULL DEFAULT '{}',
    message_id bigint NOT NULL DEFAULT 0,      -- the bot message a step edits in place
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every update is stored before it is handled, so none is lost when the
-- process dies, and a second delivery of the same update_id is ignored.
CREATE TABLE updates (
    update_id    bigint PRIMARY KEY,
    chat_id      bigint NOT NULL DEFAULT 0,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
CREATE INDEX updates_pending ON updates (update_id) WHERE processed_at IS NULL;

-- Messages to send, written in the same transaction as the change that
-- caused them; a sender claims rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    chat_id     bigint NOT NULL,
    payload     jsonb NOT NULL,
    not_before  timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,                -- a sender holds the row until then
    attempts    int NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    sent_at     timestamptz,
    dropped_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE sent_at IS NULL AND dropped_at IS NULL;
