-- 0029: indexes that keep the nudge rules' evaluation fast on a million
-- members and ten million purchases (docs/performance.md has the plans).
--
-- The live purchases by time, with the card and the customer, so the
-- welcome and win-back rules walk a window of purchases without reading
-- the table.
CREATE INDEX purchases_live_time ON purchases (created_at) INCLUDE (card_id, customer_id)
    WHERE cancelled_at IS NULL;
-- A card's last live purchase (the win-back's occurrence) read from the
-- card's index alone: the same keys as 0007, the id carried along.
DROP INDEX purchases_card_live;
CREATE INDEX purchases_card_live ON purchases (card_id, created_at) INCLUDE (amount, id)
    WHERE cancelled_at IS NULL;
-- "Not interested" is looked up for every due customer; the tiny index of
-- declined nudges answers without visiting the nudges themselves.
CREATE INDEX nudges_declined ON nudges (customer_id, rule) WHERE declined_at IS NOT NULL;
-- A member's questionnaire sections and whether each is complete, read
-- without the table: the profile reminder asks it of a month's joiners,
-- the onboarding's profile step of a week's.
CREATE INDEX section_offers_customer ON section_offers (customer_id, section) INCLUDE (completed_at);
-- A win-back's second step starts from the first step's recent nudges.
CREATE INDEX nudges_rule_due ON nudges (rule, due_at) INCLUDE (occurrence) WHERE outcome = 'sent';
