package domain

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// BadgeKind is what earns a badge. Each kind has one built-in check; a
// badge of the config is a kind plus its number, emoji, title and points,
// so an owner adds "20 visits" without code.
type BadgeKind string

// Badge kinds.
const (
	// BadgeFirstPurchase: the customer bought something.
	BadgeFirstPurchase BadgeKind = "first_purchase"
	// BadgeBiggestReceipt ("longest receipt"): the biggest receipt of a
	// calendar month in a store; awarded by the daily job once the month
	// is over, to one customer per store and month.
	BadgeBiggestReceipt BadgeKind = "biggest_receipt"
	// BadgeVisits: Count days with a purchase.
	BadgeVisits BadgeKind = "visits"
	// BadgeStreak: a purchase in each of Count weeks in a row.
	BadgeStreak BadgeKind = "streak"
	// BadgeProfileComplete: the profile section Section (empty: every
	// section) completed.
	BadgeProfileComplete BadgeKind = "profile_complete"
	// BadgeFirstReview: the first rating of a visit or a store.
	BadgeFirstReview BadgeKind = "first_review"
	// BadgeReferral: Count friends joined through the member's link and
	// made their first purchase.
	BadgeReferral BadgeKind = "referral"
	// BadgeBirthdayVisit: a purchase on the customer's birthday (the date
	// fact Fact of the profile); once a year.
	BadgeBirthdayVisit BadgeKind = "birthday_visit"
)

// BadgeKinds lists the kinds, for config errors.
var BadgeKinds = []BadgeKind{BadgeFirstPurchase, BadgeBiggestReceipt, BadgeVisits, BadgeStreak,
	BadgeProfileComplete, BadgeFirstReview, BadgeReferral, BadgeBirthdayVisit}

// LedgerBadge is the points a badge brings.
const LedgerBadge LedgerKind = "badge"

// Badge is one badge of the business config.
type Badge struct {
	ID      string // stored with every award: never rename a badge
	Kind    BadgeKind
	Enabled bool
	Emoji   string
	// Title per language; empty: the kind's built-in title.
	Title map[string]string
	// Count: visits, weeks in a row (streak), friends (referral).
	Count int
	// Section (profile_complete): the section; empty: every section.
	Section string
	// Fact (birthday_visit): the profile fact holding the date.
	Fact string
	// Points credited with the badge (0: none), as promo points.
	Points int64
}

// Counted reports whether the badge's kind counts up to Count, so its
// progress reads "3 of 5".
func (b Badge) Counted() bool {
	return b.Kind == BadgeVisits || b.Kind == BadgeStreak || b.Kind == BadgeReferral
}

// DefaultBadges are the built-in badges, each switchable in the config:
// one of every kind, and visits at 5 and 10.
func DefaultBadges() []Badge {
	b := func(id string, kind BadgeKind, emoji string, count int) Badge {
		return Badge{ID: id, Kind: kind, Enabled: true, Emoji: emoji, Count: count}
	}
	birthday := b("birthday_visit", BadgeBirthdayVisit, "🎂", 0)
	birthday.Fact = "birthday"
	return []Badge{
		b("first_purchase", BadgeFirstPurchase, "🎉", 0),
		b("visits_5", BadgeVisits, "🛍", 5),
		b("visits_10", BadgeVisits, "🏅", 10),
		b("streak_4", BadgeStreak, "🔥", 4),
		b("longest_receipt", BadgeBiggestReceipt, "🧾", 0),
		b("profile_complete", BadgeProfileComplete, "📝", 0),
		b("first_review", BadgeFirstReview, "⭐", 0),
		b("good_friend", BadgeReferral, "🤝", 1),
		birthday,
	}
}

// badgeID keeps ids short: they ride in ledger keys and callback data.
var badgeID = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// validateBadges checks the badges against the questionnaire they name.
func validateBadges(badges []Badge, biz *Business) error {
	seen := map[string]bool{}
	for _, b := range badges {
		bad := func(field, problem string) error {
			return &FieldError{Field: "badges." + b.ID + "." + field, Problem: problem}
		}
		if !badgeID.MatchString(b.ID) {
			return &FieldError{Field: "badges", Problem: fmt.Sprintf("badge id %q: use 1-24 of a-z, 0-9, _", b.ID)}
		}
		if seen[b.ID] {
			return &FieldError{Field: "badges", Problem: fmt.Sprintf("badge id %q is used twice", b.ID)}
		}
		seen[b.ID] = true
		switch {
		case !slices.Contains(BadgeKinds, b.Kind):
			return bad("kind", fmt.Sprintf("%q is not one of %v", b.Kind, BadgeKinds))
		case b.Points < 0 || b.Points > 1_000_000:
			return bad("points", fmt.Sprintf("must be between 0 and 1000000, got %d", b.Points))
		case b.Counted() && (b.Count < 1 || b.Count > 1000):
			return bad("count", fmt.Sprintf("must be between 1 and 1000, got %d", b.Count))
		case b.Kind == BadgeStreak && b.Count > 104:
			return bad("count", fmt.Sprintf("at most 104 weeks, got %d", b.Count))
		case b.Kind == BadgeBirthdayVisit && b.Fact == "":
			return bad("fact", "name the profile fact that holds the date, e.g. \"birthday\"")
		case len([]rune(b.Emoji)) > 8:
			return bad("emoji", "one emoji, please")
		}
		if _, ok := biz.Questionnaire.Section(b.Section); b.Section != "" && !ok {
			return bad("section", fmt.Sprintf("no questionnaire section %q", b.Section))
		}
		if len(b.Title) > 0 {
			for _, l := range biz.Languages {
				if b.Title[l] == "" {
					return bad("title."+l, "must not be empty when titles are given (every offered language needs one)")
				}
			}
		}
	}
	return nil
}

// HasBadges says whether any badge is on: the config switches the
// built-in ones off one by one, so a shop with none keeps them listed.
func (g *Gamification) HasBadges() bool {
	return slices.ContainsFunc(g.Badges, func(b Badge) bool { return b.Enabled })
}

// Badge finds an enabled badge by id.
func (g *Gamification) Badge(id string) (Badge, bool) {
	for _, b := range g.Badges {
		if b.ID == id && b.Enabled {
			return b, true
		}
	}
	return Badge{}, false
}

// badgesOf lists the enabled badges of the given kinds.
func (g *Gamification) badgesOf(kinds ...BadgeKind) []Badge {
	var out []Badge
	for _, b := range g.Badges {
		if b.Enabled && slices.Contains(kinds, b.Kind) {
			out = append(out, b)
		}
	}
	return out
}

// BadgeAward is one badge a customer earned. Occurrence is "" for a badge
// earned once; a year for a birthday visit; "<store code>:<YYYY-MM>" for
// the biggest receipt of a month, which has one holder (Sole).
type BadgeAward struct {
	ID         int64
	Badge      string
	CustomerID int64
	Occurrence string
	Sole       bool
	Points     int64
	At         time.Time
	// Purchase is the public id of the purchase that earned it ("":
	// none), which takes it back when cancelled or returned in full. By
	// the public id: the purchase's row may still be on its way (its
	// insert is pipelined with the next statement).
	Purchase string
}

// BadgeEarned: a customer earned a badge (in the transaction of the event
// that earned it, or of the daily job); the chat announces it.
type BadgeEarned struct {
	Customer   *Customer
	Badge      Badge
	Occurrence string
	Points     int64 // credited with it
}

func (BadgeEarned) eventName() string { return "badge_earned" }

// BadgeTakenBack: the purchase that earned a badge was cancelled or
// returned in full, so the badge went with it, and Points of its points
// (as many as were left on the card). For a referral badge (Referral),
// it was a friend's referral voided that left the count unreached.
type BadgeTakenBack struct {
	Customer   *Customer
	Badge      Badge
	Occurrence string
	Points     int64
	Referral   bool // taken back with a voided referral, not a purchase
}

func (BadgeTakenBack) eventName() string { return "badge_taken_back" }

// BadgeFactsQuery asks for what the badge checks of one customer need.
type BadgeFactsQuery struct {
	CustomerID int64
	Now        time.Time
	// Weeks is how many weeks back purchases count for streaks.
	Weeks int
	// Facts are the profile facts to read (birthdays).
	Facts []string
	// MonthStart is the start of the current month for the biggest
	// receipt so far (zero: not needed).
	MonthStart time.Time
	// ShopID, when set, asks BadgeFacts.VisitedToday of the day at Now in
	// this store's time zone: a checkout reads the facts before its
	// purchase is written, and adds the purchase itself (afterPurchase).
	ShopID int64
}

// BadgeFacts is a customer's record as the badges see it, read in one
// round trip.
type BadgeFacts struct {
	Awards []BadgeAward
	// Visits counts days with a purchase not cancelled (in each store's
	// time zone).
	Visits int
	// WeeksAgo lists the weeks with a purchase, 0 for the current one
	// (weeks start on Monday in the store's time zone), within Weeks.
	WeeksAgo []int
	Facts    map[string]string
	// Sections lists the profile sections completed.
	Sections []string
	// Ratings given, friends who joined and bought.
	Reviews, Referrals int
	// This month: the customer's biggest receipt, its store, and the
	// biggest receipt of that store (0: no purchase this month).
	BestShopID          int64
	BestAmount, ShopTop int64
	// VisitedToday: a purchase not cancelled falls on the day of Now in
	// the store of BadgeFactsQuery.ShopID (false when it was not asked).
	VisitedToday bool
}

// afterPurchase is the record read before a purchase made at the query's
// Now in its ShopID, with that purchase counted: one more visit unless
// the day had one, and the current week among the weeks with a purchase.
// Nothing else the badges read changes with a purchase.
func (f *BadgeFacts) afterPurchase() *BadgeFacts {
	g := *f
	if !g.VisitedToday {
		g.Visits++
		g.VisitedToday = true
	}
	if !slices.Contains(g.WeeksAgo, 0) {
		g.WeeksAgo = append(slices.Clone(g.WeeksAgo), 0)
	}
	return &g
}

// Earned reports whether the badge was awarded for the occurrence.
func (f *BadgeFacts) Earned(badge, occurrence string) bool {
	for _, a := range f.Awards {
		if a.Badge == badge && a.Occurrence == occurrence {
			return true
		}
	}
	return false
}

// BadgeStore keeps the awards and reads what the checks need.
type BadgeStore interface {
	// BadgeFacts reads a customer's awards and record in one statement.
	BadgeFacts(ctx context.Context, q BadgeFactsQuery) (*BadgeFacts, error)
	// AwardBadge records an award; false when it was recorded before (or,
	// for a sole award, someone holds it already).
	AwardBadge(ctx context.Context, a *BadgeAward) (bool, error)
	// SetBadgeAwardPoints records the points an award paid when they are
	// fewer than the badge's (some kept from before); a take-back takes
	// back only those.
	SetBadgeAwardPoints(ctx context.Context, awardID, points int64) error
	// TakeBackBadges deletes the awards a purchase earned and returns
	// them (with their ids).
	TakeBackBadges(ctx context.Context, purchaseID int64) ([]BadgeAward, error)
	// TakeBackBadge deletes a customer's award of a badge (an occurrence
	// of it) and returns it (with its id); ErrNotFound when they hold none.
	TakeBackBadge(ctx context.Context, customerID int64, badge, occurrence string) (*BadgeAward, error)
	// KeepBadgePoints remembers points of a badge taken back that the
	// card no longer held, adding to those remembered before.
	KeepBadgePoints(ctx context.Context, customerID int64, badge, occurrence string, points int64) error
	// TakeKeptBadgePoints returns the points remembered for a badge and
	// forgets them (0 when none).
	TakeKeptBadgePoints(ctx context.Context, customerID int64, badge, occurrence string) (int64, error)
	// MonthLeader finds the biggest receipt not cancelled of a store in
	// [from, to) by a customer not erased (the earliest among equals).
	MonthLeader(ctx context.Context, shopID int64, from, to time.Time) (customerID int64, purchase string, ok bool, err error)
}

// Streak counts the weeks in a row with a purchase, ending this week (0)
// or, when this week has none yet, last week: a streak is not lost
// before the week is over.
func Streak(weeksAgo []int) int {
	has := map[int]bool{}
	for _, w := range weeksAgo {
		has[w] = true
	}
	start := 0
	if !has[0] {
		start = 1
	}
	n := 0
	for has[start+n] {
		n++
	}
	return n
}

// IsBirthday reports whether the local date of t is the birthday of the
// date fact (YYYY-MM-DD); 29 February counts on 1 March in other years,
// the day the birthday nudge greets and AgeYears turns a year older;
// never in the year of birth (a date typed as today's is no birthday),
// as the birthday nudge greets none either.
func IsBirthday(fact string, t time.Time) bool {
	d, err := time.Parse(time.DateOnly, fact)
	if err != nil || t.Year() <= d.Year() {
		return false
	}
	m, day := d.Month(), d.Day()
	if m == time.February && day == 29 && !leap(t.Year()) {
		m, day = time.March, 1
	}
	return t.Month() == m && t.Day() == day
}

// NextBirthday is the day (local, at midnight) the birthday of the date
// fact counts next on or after the local date of t, as IsBirthday counts
// it: 29 February is 1 March in other years. ok is false for a bad fact.
func NextBirthday(fact string, t time.Time) (day time.Time, ok bool) {
	d, err := time.Parse(time.DateOnly, fact)
	if err != nil {
		return time.Time{}, false
	}
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	// Not in the year of birth, as IsBirthday.
	for y := max(t.Year(), d.Year()+1); ; y++ {
		// time.Date normalises 29 February of a common year to 1 March.
		day = time.Date(y, d.Month(), d.Day(), 0, 0, 0, 0, t.Location())
		if !day.Before(today) {
			return day, true
		}
	}
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
