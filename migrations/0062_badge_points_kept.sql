-- 0062: the points of a badge taken back with its purchase that the card
-- no longer held (spent already) are remembered, so the badge earned
-- again pays only the rest: a purchase rung up and voided after its
-- points were spent cannot pay a badge twice.
CREATE TABLE badge_points_kept (
    customer_id bigint NOT NULL REFERENCES customers(id),
    badge       text NOT NULL,
    occurrence  text NOT NULL DEFAULT '',
    points      bigint NOT NULL CHECK (points > 0),
    PRIMARY KEY (customer_id, badge, occurrence)
);
