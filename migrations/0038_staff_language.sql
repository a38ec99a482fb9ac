-- 0038: the language a staff member last talked to the bot in.
--
-- Alerts, digests, reports and relayed answers reach staff outside any
-- update of theirs. They were written in the person's language as a
-- customer, else the business default: an owner listed in the config
-- who never joined as a customer got every alert in the default
-- language while the bot answered their own messages in their
-- Telegram language. Each update of a staff member now records the
-- language it was answered in, when it changed; '' is not yet known.
ALTER TABLE staff ADD COLUMN language text NOT NULL DEFAULT '';
