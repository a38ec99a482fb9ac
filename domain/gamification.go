package domain

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Gamification is what keeps customers coming back for the fun of it:
// badges for what they did, a road map to the next prize, an opt-in
// leaderboard and rewards for bringing friends. All of it is data in the
// business config ([badges.<id>], [[rewards]], [leaderboard],
// [referral]); DefaultGamification is what a config that says nothing
// gets.
type Gamification struct {
	Badges      []Badge
	Rewards     []RewardItem
	Leaderboard LeaderboardConfig
	Referral    ReferralConfig
	Stamps      StampsConfig
}

// StampsConfig is the [stamps] table: a stamp card beside the points.
// Each purchase that stands, of at least MinAmount, made since Since (if
// set), is a stamp; a prize of [[rewards]] with stamps = N is given for N
// of them ("the 10th coffee free"). Stamps are counted, not stored: a
// cancelled or returned purchase is no stamp, a cancelled prize gives
// its stamps back.
type StampsConfig struct {
	Enabled   bool
	MinAmount int64     // minor units; 0: any purchase
	Since     time.Time // purchases before it are no stamps; zero: all
}

// RewardItem is a prize of the road map: something a customer can take
// for points at the register ("a free coffee" for 150 points). /rewards
// shows how far each is.
type RewardItem struct {
	ID     string
	Title  map[string]string // per language
	Points int64
	// Stamps, when not 0, is what the prize takes instead of points: that
	// many stamps of the stamp card (StampsConfig).
	Stamps int
}

// ByStamps reports whether the prize is paid with stamps, not points.
func (r RewardItem) ByStamps() bool { return r.Stamps > 0 }

// TitleIn is the reward's title in lang, else its id.
func (r RewardItem) TitleIn(lang string) string {
	if s := r.Title[lang]; s != "" {
		return s
	}
	return r.ID
}

// LeaderboardConfig is the [leaderboard] table: whether /top exists and
// what it ranks by when the customer has not picked.
type LeaderboardConfig struct {
	Enabled bool
	Metric  string // LeaderVisits (also when empty) or LeaderPoints
}

// ReferralConfig is the [referral] table: the points a member and the
// friend they brought each get with the friend's first purchase.
type ReferralConfig struct {
	Enabled       bool
	ReferrerBonus int64
	FriendBonus   int64
}

// Leaderboard metrics.
const (
	LeaderVisits = "visits" // days with a purchase this month
	LeaderPoints = "points" // points earned on purchases this month
)

// DefaultGamification: the built-in badges (DefaultBadges), no prizes
// (they are the owner's to name), the leaderboard on and ranked by visits,
// and 100 points each for a referral.
func DefaultGamification() Gamification {
	return Gamification{
		Badges:      DefaultBadges(),
		Leaderboard: LeaderboardConfig{Enabled: true, Metric: LeaderVisits},
		Referral:    ReferralConfig{Enabled: true, ReferrerBonus: 100, FriendBonus: 100},
	}
}

// leaderboardTable and stampsTable are config tables, for errors.
const (
	leaderboardTable = "leaderboard"
	stampsTable      = "stamps"
)

var rewardID = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// Validate checks the gamification config against the rest of the
// business config (languages, questionnaire sections).
func (g *Gamification) Validate(b *Business) error {
	if err := validateBadges(g.Badges, b); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, r := range g.Rewards {
		f := fmt.Sprintf("rewards[%d]", i)
		switch {
		case !rewardID.MatchString(r.ID):
			return &FieldError{Field: f + ".id", Problem: fmt.Sprintf("%q must be 1-24 lower-case letters, digits or '_'", r.ID)}
		case seen[r.ID]:
			return &FieldError{Field: f + ".id", Problem: fmt.Sprintf("%q is used twice", r.ID)}
		case r.Stamps != 0 && r.Points != 0:
			return &FieldError{Field: f + ".stamps", Problem: "a prize takes points or stamps, not both"}
		case r.Stamps != 0 && !g.Stamps.Enabled:
			return &FieldError{Field: f + ".stamps", Problem: "needs the stamp card: [stamps] enabled = true"}
		case r.Stamps < 0 || r.Stamps > 1000:
			return &FieldError{Field: f + ".stamps", Problem: fmt.Sprintf("must be between 1 and 1000, got %d", r.Stamps)}
		case r.Stamps == 0 && (r.Points < 1 || r.Points > 1_000_000):
			return &FieldError{Field: f + ".points", Problem: fmt.Sprintf("must be between 1 and 1000000, got %d", r.Points)}
		}
		seen[r.ID] = true
		for _, l := range b.Languages {
			if r.Title[l] == "" {
				return &FieldError{Field: f + ".title." + l, Problem: "must not be empty (every offered language needs a title)"}
			}
		}
	}
	if m := g.Leaderboard.Metric; m != "" && m != LeaderVisits && m != LeaderPoints {
		return &FieldError{Field: leaderboardTable + ".metric", Problem: fmt.Sprintf("must be %q or %q, got %q", LeaderVisits, LeaderPoints, m)}
	}
	for _, b := range []struct {
		field string
		v     int64
	}{{"referrer_bonus", g.Referral.ReferrerBonus}, {"friend_bonus", g.Referral.FriendBonus}} {
		if b.v < 0 || b.v > 1_000_000 {
			return &FieldError{Field: "referral." + b.field, Problem: fmt.Sprintf("must be between 0 and 1000000, got %d", b.v)}
		}
	}
	if m := g.Stamps.MinAmount; m < 0 || m > b.Program.MaxReceipt {
		return &FieldError{Field: stampsTable + ".min_amount", Problem: fmt.Sprintf("must be between 0 and the largest receipt (%d), got %d", b.Program.MaxReceipt, m)}
	}
	if g.Stamps.Enabled && !slices.ContainsFunc(g.Rewards, RewardItem.ByStamps) {
		return &FieldError{Field: stampsTable, Problem: "a stamp card needs a prize for its stamps: a [[rewards]] with stamps = N"}
	}
	return nil
}
