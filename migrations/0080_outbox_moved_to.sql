-- 0080: a card that moves to another Telegram account takes the
-- messages waiting for its old chat along (MoveCustomerAccount). One a
-- sender holds at that moment is on its way and is left to it; should
-- it not go (a 429, a failure, the lease given back), it goes to the
-- chat named here, where the card is now, not to the account it left.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS moved_to bigint;
