package domain

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Public reviews: a customer who gave a store a good rating (at least
// FeedbackConfig.ReviewMinStars) is asked, once in ReviewEveryDays per
// store, to say so where other people look: the store's review page on
// Yandex Maps, Google Maps or 2GIS (StoreConfig.ReviewURL). The unhappy
// ones reach the owners instead (the low-rating alert), so the public
// rating grows with the content customers.

// Defaults of the review invitation.
const (
	DefaultReviewMinStars  = 5
	DefaultReviewEveryDays = 180
	MaxReviewURLLen        = 512
)

// ReviewStore records the invitations.
type ReviewStore interface {
	// LastReviewInvite is when the customer was last asked to review the
	// store (zero: never).
	LastReviewInvite(ctx context.Context, customerID, shopID int64) (time.Time, error)
	// AddReviewInvite records an invitation.
	AddReviewInvite(ctx context.Context, customerID, shopID int64, at time.Time) error
}

// ParseReviewURL checks a store's review page: an https address of at
// most MaxReviewURLLen characters with a host. The problem is said for
// the config's error.
func ParseReviewURL(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > MaxReviewURLLen:
		return "", "is longer than 512 characters"
	case err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsFunc(s, unicode.IsSpace):
		return "", "is not an https:// address (without spaces)"
	}
	return s, ""
}

// ReviewSite names the map a review page is on, for the invitation's
// words: "yandex", "google", "2gis", or "" for another site.
func ReviewSite(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	labels := strings.Split(strings.ToLower(u.Hostname()), ".")
	in := func(l string) bool { return slices.Contains(labels, l) }
	switch {
	case in("yandex"):
		return "yandex"
	case in("google"), in("goo") && in("gl"), in("g") && in("page"): // maps.google.com, goo.gl/maps, g.page/r/…/review
		return "google"
	case in("2gis"):
		return "2gis"
	}
	return ""
}

// InviteToReview decides whether a customer who just rated store shopID
// with stars is asked to review it on the map, and records it when so:
// the store's review page, or "" (no page, too few stars, or asked
// within ReviewEveryDays).
func (s *Service) InviteToReview(ctx context.Context, tx Tx, c *Customer, shopID int64, stars int) (string, error) {
	cfg := s.Business.Feedback
	if shopID == 0 || stars < cfg.ReviewMinStars || cfg.ReviewMinStars == 0 || !c.Member() {
		return "", nil
	}
	shop, _, err := s.shop(ctx, tx, shopID) // cached
	if err != nil {
		return "", err
	}
	st, ok := s.Business.Store(shop.Code)
	if !ok || st.ReviewURL == "" {
		return "", nil
	}
	now := s.Now()
	last, err := tx.LastReviewInvite(ctx, c.ID, shopID)
	if err != nil {
		return "", err
	}
	if !last.IsZero() && now.Sub(last) < time.Duration(cfg.ReviewEveryDays)*24*time.Hour {
		return "", nil
	}
	return st.ReviewURL, tx.AddReviewInvite(ctx, c.ID, shopID, now)
}
