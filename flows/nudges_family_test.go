package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// offerSection offers a questionnaire section to a member, as a nudge or
// a purchase would, and shows its button.
func offerSection(t *testing.T, h *bottest.Harness, tgID int64, section string) {
	t.Helper()
	c, _ := customer(t, h, tgID)
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		return h.Engine.OfferSection(t.Context(), tx, c.ID, section)
	}); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
}

// tellChildren answers the kids section: each child's name, birthday and
// sex.
func tellChildren(t *testing.T, h *bottest.Harness, c *bottest.Chat, tgID int64, kids ...[3]string) {
	t.Helper()
	offerSection(t, h, tgID, "kids")
	c.Sync().Tap("📝 " + sectionTitle(h, "kids") + " (up to +" + sectionPoints(h, "kids") + " points)")
	for i, k := range kids {
		if i > 0 {
			c.Tap("➕ Add another")
		}
		c.Send(k[0]).Send(k[1]).Tap(optionText(h, "kids", "sex", k[2]))
	}
	c.Tap("✓ That's all")
}

// TestFamilyBirthdayNudges: at 10:00 in the store's zone on the day, a
// mother who agreed to offers is greeted for her twins together, with 100
// points for a week; a father without the consent gets nothing, nor does a
// mother on the day her baby was born; a pet's birthday has its own rule
// and message; nothing comes twice, and the next year it comes again.
func TestFamilyBirthdayNudges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("kids", "pets"), withNudges)
	anna := joinConsenting(t, h, 101, "Anna")
	tellChildren(t, h, anna, 101, [3]string{"Masha", "23.11.2020", "girl"}, [3]string{"Misha", "23.11.2020", "boy"},
		[3]string{"Sasha", "05.03.2018", "boy"})
	bob := join(t, h, 102, "Bob") // no marketing consent
	tellChildren(t, h, bob, 102, [3]string{"Petya", "23.11.2019", "boy"})
	vera := joinConsenting(t, h, 103, "Vera")
	offerSection(t, h, 103, "pets")
	vera.Sync().Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("23.11.2021").Tap("✓ That's all")
	nina := joinConsenting(t, h, 104, "Nina")
	tellChildren(t, h, nina, 104, [3]string{"Lena", "22.11.2026", "girl"})
	runNudges(t, h)
	if got(nina.Sync(), "Happy birthday") != 0 {
		t.Fatalf("a child was greeted on the day of birth:\n%s", nina.Transcript())
	}

	h.Clock.Advance(18*time.Hour + 59*time.Minute) // 23 November, 09:59 in Moscow
	runNudges(t, h)
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule IN ('child_birthday', 'pet_birthday')`); n != 0 {
		t.Fatalf("%d family birthdays before 10:00", n)
	}
	h.Clock.Advance(time.Minute)
	runNudges(t, h)
	if n := nudgeRows(t, h, "child_birthday", "sent"); n != 1 {
		t.Fatalf("%d child birthdays sent, want Anna's", n)
	}
	anna.Note("10:00 on the twins' birthday").Sync()
	text := anna.Last().Text
	if !strings.Contains(text, "Happy birthday, Masha and Misha!") || strings.Contains(text, "Sasha") ||
		!strings.Contains(text, "100 points are on your card, valid until 30.11.2026") {
		t.Fatalf("child birthday:\n%s", anna.Transcript())
	}
	if got(bob, "Happy birthday") != 0 {
		t.Fatal("a customer without the marketing consent got the child birthday offer")
	}
	vera.Sync()
	if !strings.Contains(vera.Last().Text, "Happy birthday, Rex!") || !strings.Contains(vera.Last().Text, "50 points") {
		t.Fatalf("pet birthday:\n%s", vera.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'child_birthday' AND occurrence = '2026-11-23'`); n != 1 {
		t.Fatal("the occurrence is not the day")
	}
	if rep := runNudges(t, h); rep.Sent+rep.Skipped+rep.HeldOut != 0 {
		t.Fatalf("a second run found %+v", rep)
	}

	h.Clock.Advance(365 * 24 * time.Hour)
	runNudges(t, h)
	if n := nudgeRows(t, h, "child_birthday", "sent"); n != 2 {
		t.Fatalf("%d child birthdays sent after a year, want the next one", n)
	}
	bottest.Golden(t, "nudge_family_birthday", anna.Transcript())
}
