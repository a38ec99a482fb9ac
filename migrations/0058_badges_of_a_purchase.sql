-- 0058: a badge a purchase earned (first purchase, visits, streak,
-- birthday visit) keeps the purchase, so a cancellation or a full return
-- of it takes the badge back (and its points, as far as they are left);
-- the next purchase may earn it again.
ALTER TABLE badge_awards ADD COLUMN purchase_id bigint REFERENCES purchases(id);
CREATE INDEX badge_awards_purchase ON badge_awards (purchase_id) WHERE purchase_id IS NOT NULL;
