-- 0041: moving a card to a new Telegram account.
--
-- A customer who lost their phone or their Telegram account asks the
-- shop; an owner or a manager makes a one-time link from the customer
-- card, and the new account that opens it takes the card. Only a hash of
-- the link's token is kept. The move is audited under whoever made the
-- link.
CREATE TABLE card_moves (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    customer_id bigint NOT NULL REFERENCES customers(id),
    created_by  bigint NOT NULL REFERENCES staff(id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX card_moves_unused ON card_moves (customer_id) WHERE used_at IS NULL;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('customer_view', 'export', 'points_adjust', 'card_move'));
