package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// badgeFile is one [badges.<id>] table: a change to a built-in badge or
// a badge of the owner's own. Absent keys keep the defaults.
type badgeFile struct {
	Kind    *string           `toml:"kind"`
	Enabled *bool             `toml:"enabled"`
	Emoji   *string           `toml:"emoji"`
	Title   map[string]string `toml:"title"`
	Count   *int              `toml:"count"`
	Section *string           `toml:"section"`
	Fact    *string           `toml:"fact"`
	Points  *int64            `toml:"points"`
}

// rewardFile is one [[rewards]] prize of the road map.
type rewardFile struct {
	ID     string            `toml:"id"`
	Title  map[string]string `toml:"title"`
	Points int64             `toml:"points"`
	Stamps int               `toml:"stamps"` // instead of points: that many stamps of [stamps]
}

// stampsFile is the [stamps] table: a stamp card beside the points.
type stampsFile struct {
	Enabled   bool  `toml:"enabled"`
	MinAmount int64 `toml:"min_amount"` // minor units: the smallest receipt that earns a stamp
	Since     any   `toml:"since"`      // "2026-12-01" or a TOML date: purchases before earn none
}

// leaderboardFile is the [leaderboard] table.
type leaderboardFile struct {
	Enabled *bool   `toml:"enabled"`
	Metric  *string `toml:"metric"`
}

// referralFile is the [referral] table.
type referralFile struct {
	Enabled       *bool  `toml:"enabled"`
	ReferrerBonus *int64 `toml:"referrer_bonus"`
	FriendBonus   *int64 `toml:"friend_bonus"`
}

// gamification overlays the file's [badges.<id>], [[rewards]],
// [leaderboard] and [referral] on the defaults.
func (f *businessFile) gamification() (domain.Gamification, error) {
	g := domain.DefaultGamification()
	for _, id := range slices.Sorted(maps.Keys(f.Badges)) {
		bf := f.Badges[id]
		i := slices.IndexFunc(g.Badges, func(b domain.Badge) bool { return b.ID == id })
		if i < 0 {
			if bf.Kind == nil {
				return g, &domain.FieldError{Field: "badges." + id + ".kind", Problem: "a badge of your own needs a kind: " + fmt.Sprint(domain.BadgeKinds)}
			}
			g.Badges = append(g.Badges, domain.Badge{ID: id, Enabled: true, Emoji: "🏅"})
			i = len(g.Badges) - 1
		}
		bf.apply(&g.Badges[i])
	}
	for _, r := range f.Rewards {
		g.Rewards = append(g.Rewards, domain.RewardItem{ID: r.ID, Title: r.Title, Points: r.Points, Stamps: r.Stamps})
	}
	if st := f.Stamps; st != nil {
		g.Stamps = domain.StampsConfig{Enabled: st.Enabled, MinAmount: st.MinAmount}
		since, err := f.stampsSince(st.Since)
		if err != nil {
			return g, err
		}
		g.Stamps.Since = since
	}
	if lb := f.Leaderboard; lb != nil {
		setPtr(&g.Leaderboard.Enabled, lb.Enabled)
		setPtr(&g.Leaderboard.Metric, lb.Metric)
	}
	if r := f.Referral; r != nil {
		setPtr(&g.Referral.Enabled, r.Enabled)
		setPtr(&g.Referral.ReferrerBonus, r.ReferrerBonus)
		setPtr(&g.Referral.FriendBonus, r.FriendBonus)
	}
	// A referral badge the owner wrote, with the invite program off,
	// nobody could earn, and its hint points at a missing /invite. The
	// built-in one left unwritten is only not offered.
	for _, b := range g.Badges {
		if _, written := f.Badges[b.ID]; written && b.Enabled && b.Kind == domain.BadgeReferral && !g.Referral.Enabled {
			return g, &domain.FieldError{Field: "badges." + b.ID, Problem: "a referral badge needs the invite program: [referral] enabled = true, or enabled = false for the badge"}
		}
	}
	return g, nil
}

// apply sets what the table sets.
func (bf badgeFile) apply(b *domain.Badge) {
	if bf.Kind != nil {
		b.Kind = domain.BadgeKind(*bf.Kind)
	}
	setPtr(&b.Enabled, bf.Enabled)
	setPtr(&b.Emoji, bf.Emoji)
	setPtr(&b.Count, bf.Count)
	setPtr(&b.Section, bf.Section)
	setPtr(&b.Fact, bf.Fact)
	setPtr(&b.Points, bf.Points)
	if bf.Title != nil {
		b.Title = bf.Title
	}
}

// setPtr sets *dst to *src when the file set it.
func setPtr[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// stampsTable is the stamp card's config table, for errors.
const stampsTable = "stamps"

// stampsSince reads [stamps] since: a date, from midnight in the first
// store's time zone (the business's day), or nothing.
func (f *businessFile) stampsSince(v any) (time.Time, error) {
	day := ""
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case string:
		day = strings.TrimSpace(v)
	case time.Time:
		day = v.Format("2006-01-02")
	}
	loc := time.UTC
	if len(f.Stores) > 0 {
		if l, err := time.LoadLocation(f.Stores[0].TimeZone); err == nil {
			loc = l
		}
	}
	t, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}, &domain.FieldError{Field: stampsTable + ".since", Problem: fmt.Sprintf("write a date like 2026-12-01, got %v", v)}
	}
	return t, nil
}
