-- 0078: a live promotion's announcement (/promo's "Tell the members")
-- names the promotion, so that stopping or cancelling it takes back
-- what of the announcement has not gone yet: nobody is invited to
-- points that no longer run. Other broadcasts leave it NULL.
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS promotion text;
CREATE INDEX IF NOT EXISTS broadcasts_promotion ON broadcasts (promotion) WHERE promotion IS NOT NULL;
