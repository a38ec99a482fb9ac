-- 0025: gamification. Badges earned (one row per badge, customer and
-- occurrence; a sole badge, the biggest receipt of a store's month, has
-- one holder per occurrence), the opt-in leaderboard (asked once; a
-- pseudonym, never the phone), members' referral codes and the friends
-- who came through them (once per friend). Times are business time from
-- the injected clock.
CREATE TABLE badge_awards (
    id          bigserial PRIMARY KEY,
    badge       text NOT NULL,                -- the config's badge id: never renamed
    customer_id bigint NOT NULL REFERENCES customers(id),
    occurrence  text NOT NULL DEFAULT '',     -- '' once; a year; '<store>:<YYYY-MM>'
    sole        boolean NOT NULL DEFAULT false,
    points      bigint NOT NULL DEFAULT 0,
    awarded_at  timestamptz NOT NULL,
    UNIQUE (badge, customer_id, occurrence)
);
CREATE UNIQUE INDEX badge_awards_sole ON badge_awards (badge, occurrence) WHERE sole;

CREATE TABLE leaderboard (
    customer_id bigint PRIMARY KEY REFERENCES customers(id),
    opted_in    boolean NOT NULL DEFAULT false,
    alias       text NOT NULL DEFAULT '',     -- the pseudonym shown; '' when not on the board
    asked_at    timestamptz NOT NULL,
    changed_at  timestamptz NOT NULL
);

CREATE TABLE referral_codes (
    customer_id bigint PRIMARY KEY REFERENCES customers(id),
    code        text NOT NULL UNIQUE,
    phone_hash  bytea,                        -- salted: the member's phone when the link was last shown
    created_at  timestamptz NOT NULL
);

CREATE TABLE referrals (
    friend_id    bigint PRIMARY KEY REFERENCES customers(id),
    referrer_id  bigint NOT NULL REFERENCES customers(id),
    joined_at    timestamptz NOT NULL,
    refused      text NOT NULL DEFAULT '',    -- why no bonus: same_phone, member_before
    completed_at timestamptz,                 -- the friend's first purchase paid both
    purchase_id  bigint REFERENCES purchases(id)
);
CREATE INDEX referrals_referrer ON referrals (referrer_id);
