package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestGamificationConfig: the example's badges, prizes, leaderboard and
// referral load over the built-in badges, and a mistake in any of them
// names its field.
func TestGamificationConfig(t *testing.T) {
	b, err := readBusiness("", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	g := b.Gamification
	if own, ok := g.Badge("regular_20"); !ok || own.Kind != domain.BadgeVisits || own.Count != 20 || own.Points != 200 || own.Title["en"] != "One of us" {
		t.Fatalf("the owner's badge: %+v", own)
	}
	if lr, ok := g.Badge("longest_receipt"); !ok || lr.Points != 100 || lr.Kind != domain.BadgeBiggestReceipt {
		t.Fatalf("the built-in badge changed by the example: %+v", lr)
	}
	if len(g.Badges) != len(domain.DefaultBadges())+1 || len(g.Rewards) != 2 || !g.Referral.Enabled || g.Referral.FriendBonus != 100 {
		t.Fatalf("gamification: %+v", g)
	}
	if b.Jobs[domain.JobBadges] != "10 0 * * *" {
		t.Fatalf("badges job %q", b.Jobs[domain.JobBadges])
	}
	base, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ from, to, want string }{
		{`kind = "visits"`, `kind = "visitz"`, "badges.regular_20.kind"},
		{`count = 20`, `count = 0`, "badges.regular_20.count"},
		{"[badges.longest_receipt]\npoints = 100", "[badges.longest_receipt]\npoints = -1", "badges.longest_receipt.points"},
		{"[badges.longest_receipt]", "[badges.newcomer]\ncount = 3\n\n[badges.longest_receipt]", "badges.newcomer.kind"},
		{"[badges.longest_receipt]", "[badges.about_you]\nkind = \"profile_complete\"\nsection = \"tea\"\n\n[badges.longest_receipt]", "badges.about_you.section"},
		{`ru = "Свой человек", en = "One of us",`, `en = "One of us",`, "badges.regular_20.title.ru"},
		{`en = "a free coffee", uz = "Bepul qahva"`, `uz = "Bepul qahva"`, "rewards[0].title.en"},
		{`, uz = "Bepul qahva"`, ``, "rewards[0].title.uz"},
		{"id = \"coffee\"\npoints = 150", "id = \"coffee\"\npoints = 0", "rewards[0].points"},
		{`id = "beans"`, `id = "coffee"`, "rewards[1].id"},
		{`metric = "visits"`, `metric = "money"`, "leaderboard.metric"},
		{`friend_bonus = 100`, `friend_bonus = -100`, "referral.friend_bonus"},
		{`badges = "10 0 * * *"`, `badges = "daily"`, "jobs.badges"},
	}
	for _, c := range cases {
		src := strings.Replace(string(base), c.from, c.to, 1)
		if src == string(base) {
			t.Fatalf("case %q does not apply to the example config", c.from)
		}
		path := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(path, []byte(src), 0o644)
		_, err := readBusiness(path, locales.Languages())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %v, want an error naming %s", c.to, err, c.want)
		}
	}
}
