-- 0014: a phone shared with Telegram's contact button is the account's own
-- number; a typed one is anyone's guess. Remember which, so a member who
-- shares her own number takes it back from someone who typed it. The
-- unused message_id of conversations goes too (buttons carry a nonce).

ALTER TABLE customers ADD COLUMN phone_verified boolean NOT NULL DEFAULT false;
ALTER TABLE conversations DROP COLUMN message_id;
