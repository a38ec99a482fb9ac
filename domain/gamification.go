package domain

import (
	"fmt"
	"regexp"
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
}

// RewardItem is a prize of the road map: something a customer can take
// for points at the register ("a free coffee" for 150 points). /rewards
// shows how far each is.
type RewardItem struct {
	ID     string
	Title  map[string]string // per language
	Points int64
}

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

// leaderboardTable is the config table of the leaderboard, for errors.
const leaderboardTable = "leaderboard"

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
		case r.Points < 1 || r.Points > 1_000_000:
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
	return nil
}
