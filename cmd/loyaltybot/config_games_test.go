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

// TestStampCardConfig: the example's stamp card, uncommented, loads (its
// date from midnight in the first store's zone), and a mistake in it
// names its field.
func TestStampCardConfig(t *testing.T) {
	base, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	const commented = `# [stamps]
# enabled = true
# min_amount = 15000
# since = 2026-12-01
#
# [[rewards]]
# id = "tenth_coffee"
# stamps = 9
`
	on := strings.ReplaceAll(commented, "# ", "")
	on = strings.ReplaceAll(on, "#\n", "\n")
	src := strings.Replace(string(base), commented, on, 1)
	if src == string(base) {
		t.Fatal("the example's stamp card is not where the test looks")
	}
	src = strings.Replace(src, `# title = { ru = "Десятый кофе`, `title = { ru = "Десятый кофе`, 1)
	load := func(src string) (*domain.Business, error) {
		path := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(path, []byte(src), 0o644)
		return readBusiness(path, locales.Languages())
	}
	b, err := load(src)
	if err != nil {
		t.Fatal(err)
	}
	st := b.Gamification.Stamps
	r, ok := b.Gamification.Reward("tenth_coffee")
	if !st.Enabled || st.MinAmount != 15000 || st.Since.Format("2006-01-02 15:04 MST") != "2026-12-01 00:00 MSK" ||
		!ok || r.Stamps != 9 || r.Points != 0 || r.Title["en"] != "the 10th coffee free" {
		t.Fatalf("the stamp card: %+v, %+v", st, r)
	}
	for _, c := range []struct{ from, to, want string }{
		{"stamps = 9", "stamps = 9\npoints = 100", "rewards[2].stamps"},
		{"stamps = 9", "stamps = 1001", "rewards[2].stamps"},
		{"[stamps]\nenabled = true", "[stamps]\nenabled = false", "rewards[2].stamps"},
		{"stamps = 9", "points = 900", "stamps"},
		{"min_amount = 15000", "min_amount = -1", "stamps.min_amount"},
		{"since = 2026-12-01", `since = "first of December"`, "stamps.since"},
	} {
		bad := strings.Replace(src, c.from, c.to, 1)
		if bad == src {
			t.Fatalf("case %q does not apply", c.from)
		}
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %v, want an error naming %s", c.to, err, c.want)
		}
	}
}
