-- 0030: a customer's badges, read in every purchase's transaction (the
-- badge checks), found by the customer instead of scanning every award:
-- the unique key leads with the badge, so it cannot answer.
CREATE INDEX badge_awards_customer ON badge_awards (customer_id);
