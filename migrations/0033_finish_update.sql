-- 0033: an update is marked handled by a statement that needs no answer.
--
-- The end of an update's transaction marks the update handled; a
-- duplicate (a redelivery, a replay, another replica's copy) finds it
-- handled and must roll back. The mark was a query whose answer the bot
-- waited for before sending COMMIT: a round trip of its own on every
-- update. finish_update answers by failing instead, so the mark goes out
-- with COMMIT, and a duplicate's commit fails with LB409 (the transaction
-- rolls back, nothing of it stays). LB404: the update was never stored.
CREATE FUNCTION finish_update(update bigint, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE updates SET processed_at = at WHERE update_id = update AND processed_at IS NULL;
    IF FOUND THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM updates WHERE update_id = update) THEN
        RAISE EXCEPTION 'update % was handled already', update USING ERRCODE = 'LB409';
    END IF;
    RAISE EXCEPTION 'update % is not stored', update USING ERRCODE = 'LB404';
END $$;
