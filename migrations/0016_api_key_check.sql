-- 0016: a revoked POS key stops at once. The API keeps each key's store in
-- memory (it never changes) and checks that the key is still active in the
-- request's own transaction, with its first statement, so the check costs
-- no round trip. This function fails that transaction when the key is
-- revoked or unknown (SQLSTATE LB401: the API answers 401).
CREATE FUNCTION check_api_key(hash bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = hash AND revoked_at IS NULL) THEN
        RAISE EXCEPTION 'POS API key revoked or unknown' USING ERRCODE = 'LB401';
    END IF;
END
$$;
