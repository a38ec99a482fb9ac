-- 0037: an update is marked handled through the primary key, always.
--
-- finish_update (0033) looked its update up by update_id AND
-- processed_at IS NULL, a condition updates_chat_pending (chat_id,
-- update_id; 0032) answers too, read whole. With updates_pending (0001)
-- gone (0036), once an autovacuum found nothing in flight the plan
-- cached for the function read all of updates_chat_pending for each
-- update: under the chat load by polling, six minutes in, 470–590 pages
-- a call instead of 10, and the rate halved until the next vacuum. The
-- handled test is written so that it does not imply the index's
-- predicate, which leaves the primary key the only index that answers.
CREATE OR REPLACE FUNCTION finish_update(update bigint, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE updates SET processed_at = at WHERE update_id = update AND num_nulls(processed_at) = 1;
    IF FOUND THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM updates WHERE update_id = update) THEN
        RAISE EXCEPTION 'update % was handled already', update USING ERRCODE = 'LB409';
    END IF;
    RAISE EXCEPTION 'update % is not stored', update USING ERRCODE = 'LB404';
END $$;
