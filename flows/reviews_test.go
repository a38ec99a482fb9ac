package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

const centralReviews = "https://yandex.ru/maps/org/coffee_and_co/1234567890/reviews/"

// TestHappyCustomersAskedToReviewOnTheMap: five stars for a visit to a
// store with a review page bring, after the comment or Skip, an
// invitation to say so on the map the page is on, with a button that
// opens it; four stars, a store without a page, or a second five within
// the configured days bring none; /stats counts the invitations.
func TestHappyCustomersAskedToReviewOnTheMap(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[0].ReviewURL = centralReviews })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")

	rate := func(c *bottest.Chat, stars string) {
		t.Helper()
		buy(t, c, cashier)
		h.Clock.Advance(2 * time.Hour)
		runFeedbackJob(t, h)
		c.Sync()
		if !strings.Contains(c.Last().Text, "How was your visit to Central?") {
			t.Fatalf("no request:\n%s", c.Transcript())
		}
		c.Tap(stars)
	}
	rate(anna, "5⭐")
	anna.Tap("Skip")
	got := anna.Last()
	if got.Text != "Glad you liked it! 😊 Would you share that on Yandex Maps? A few words there help other people find us." ||
		len(got.Inline) != 1 || len(got.Inline[0]) != 1 || got.Inline[0][0].URL != centralReviews || got.Inline[0][0].Text != "⭐ Leave a review" {
		t.Fatalf("the invitation:\n%s\n%+v", anna.Transcript(), got.Inline)
	}

	rate(bob, "4⭐")
	bob.Send("Good, but the queue")
	if got := bob.Last().Text; got != "Thank you for your feedback! 🙏" {
		t.Fatalf("four stars: %q", got)
	}

	// Anna again, fifteen days on: five stars, a comment, and no second
	// invitation within 180 days.
	h.Clock.Advance(15 * 24 * time.Hour)
	rate(anna, "5⭐")
	anna.Send("Best coffee in town")
	if got := anna.Last().Text; got != "Thank you for your feedback! 🙏" {
		t.Fatalf("a second five within 180 days: %q", got)
	}

	owner.Send("/stats")
	if !strings.Contains(lastTexts(owner, 3), "⭐ Happy customers asked to review the store on the map: 1") {
		t.Fatalf("the stats:\n%s", owner.Transcript())
	}
}

// TestReviewSites: the invitation names the map of the page.
func TestReviewSites(t *testing.T) {
	for link, want := range map[string]string{
		centralReviews:                                     "yandex",
		"https://yandex.com/maps/org/1/reviews":            "yandex",
		"https://www.google.com/maps/place/x":              "google",
		"https://g.page/r/CabcDEF/review":                  "google",
		"https://maps.app.goo.gl/xyz":                      "google",
		"https://2gis.ru/moscow/firm/70000001/tab/reviews": "2gis",
		"https://example.com/reviews":                      "",
	} {
		if got := domain.ReviewSite(link); got != want {
			t.Errorf("ReviewSite(%q) = %q, want %q", link, got, want)
		}
	}
	for _, bad := range []string{"http://yandex.ru/maps", "yandex.ru/maps", "https://", "ftp://x.y/" + strings.Repeat("a", 600)} {
		if _, problem := domain.ParseReviewURL(bad); problem == "" {
			t.Errorf("ParseReviewURL(%q) took it", bad)
		}
	}
}
