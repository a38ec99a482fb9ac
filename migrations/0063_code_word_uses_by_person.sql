-- 0063: a code word's use keeps the salted hashes of the member's Telegram
-- account and phone (as erased_accounts and erased_phones do), so a
-- member who erased their data and joined again cannot use the same word
-- a second time. Uses from before have none: they stay keyed by customer.
ALTER TABLE code_word_uses ADD COLUMN account_hash bytea, ADD COLUMN phone_hash bytea;
CREATE INDEX code_word_uses_account ON code_word_uses (code_word_id, account_hash) WHERE account_hash IS NOT NULL;
CREATE INDEX code_word_uses_phone ON code_word_uses (code_word_id, phone_hash) WHERE phone_hash IS NOT NULL;
