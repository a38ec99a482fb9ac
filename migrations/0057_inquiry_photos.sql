-- 0057: a question to the shop may be a photo ("do you have this?"),
-- with or without words: Telegram's file_id of it, which the bot sends on
-- to the owners. Erased with the question.
ALTER TABLE inquiries ADD COLUMN photo text NOT NULL DEFAULT '';
