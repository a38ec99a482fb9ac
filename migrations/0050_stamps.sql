-- 0050: a stamp card beside the points ([stamps] in the business config).
--
-- Each purchase that stands (of at least the config's minimum) is a
-- stamp, and a prize of [[rewards]] with stamps = N is given for N of
-- them ("the 10th coffee free"). Stamps are counted, not stored: the
-- card's live purchases (purchases_card_live covers the count) less the
-- stamps of its prizes that stand. A prize takes points or stamps.
ALTER TABLE prizes_given
    ADD COLUMN stamps int NOT NULL DEFAULT 0 CHECK (stamps >= 0),
    DROP CONSTRAINT prizes_given_points_check,
    ADD CONSTRAINT prizes_given_points_check CHECK (points >= 0 AND (points > 0) <> (stamps > 0));
