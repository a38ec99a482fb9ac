-- 0084: a card that moves on again while a message for an account it
-- left is still held by a sender (outbox.moved_to names the account it
-- moved to before) re-points that message to the new account
-- (MoveCustomerAccount): the move finds such rows by moved_to, which
-- only the few rows held at a move carry.
CREATE INDEX IF NOT EXISTS outbox_moved_to ON outbox (moved_to)
    WHERE moved_to IS NOT NULL AND num_nulls(sent_at, dropped_at) = 2;
