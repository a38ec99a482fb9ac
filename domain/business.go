package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Business is the business config: what an owner sets without code. It is
// loaded from the LOYALTYBOT_CONFIG file (TOML) and validated at start.
type Business struct {
	Name             string
	Currency         string   // ISO 4217, e.g. "RUB"
	Languages        []string // offered languages, e.g. ["ru", "en"]
	DefaultLanguage  string   // used when a Telegram language is not offered
	WelcomeBonus     int64    // points credited on joining
	WelcomeBonusDays int      // promo points expire after this many days; 0: never
	CardTokenTTL     time.Duration
	ConsentVersion   string // version of the personal-data consent text
	PrivacyURL       string // optional link to the full policy
	// PhoneRegion is the shop's country (ISO 3166, "RU"): a phone number
	// typed without a country code is one of its numbers.
	PhoneRegion string
	// Phones reads typed phone numbers in PhoneRegion (domain/phones);
	// nil reads them by ParsePhone's rules.
	Phones PhoneReader
	// PhoneExample is a number of PhoneRegion as the messages give it for
	// an example ("+7 912 345-67-89"); empty: a Russian one.
	PhoneExample string
	Stores       []StoreConfig
	Owners       []int64 // Telegram ids that are owners from the start
	Program      Program // earning, spending and expiry of points
	// Questionnaire is the step-by-step profile: presets and the owner's
	// own questions.
	Questionnaire Questionnaire
	// Feedback is when visits are rated and which ratings alert owners.
	Feedback FeedbackConfig
	// Jobs maps each scheduled job (JobExpirePoints, …) to its cron spec,
	// in the first store's time zone; DefaultJobs fills what is unset.
	Jobs map[string]string
	// Topics are the kinds of news customers choose from in /topics and
	// owners broadcast to.
	Topics []Topic
	// Nudges are the triggered messages of the nudge engine.
	Nudges NudgeConfig
	// Gamification is badges, prizes, the leaderboard and referrals.
	Gamification Gamification
}

// Scheduled jobs, by the name their cron spec has in the config ([jobs]).
const (
	JobExpirePoints   = "expire_points"
	JobPurgeRetained  = "purge_retained"
	JobFeedbackDigest = "feedback_digest"
	// JobFeedbackRequests queues "How was your visit?" for the visits
	// whose delay has passed: apart from the purchase, which then pays
	// nothing for it.
	JobFeedbackRequests = "feedback_requests"
	// JobBroadcastReports pushes each finished broadcast's final report
	// to the owner who sent it; first it queues each scheduled broadcast
	// whose time has come for who joined its audience meanwhile.
	JobBroadcastReports = "broadcast_reports"
	// JobNudges evaluates the nudge rules and queues what is due.
	JobNudges = "nudges"
	// JobBadges awards the time-based badges (the biggest receipt of
	// the month before, per store).
	JobBadges = "badges"
	// JobWeeklyReport sends the owners last week's chart and movements.
	JobWeeklyReport = "weekly_report"
	// JobPromotionReports tells whoever started a live promotion what it
	// came to, once it has ended or was stopped.
	JobPromotionReports = "promotion_reports"
)

// DefaultPhoneRegion is the shop's country when the config names none.
const DefaultPhoneRegion = "RU"

// DefaultJobs is the schedule when the config sets none: points expire at
// 03:30, a quiet hour for the shop, what the retention periods no longer
// cover is deleted at 03:45, owners get the day's ratings at 21:00 and
// last week's report on Monday at 09:00.
func DefaultJobs() map[string]string {
	return map[string]string{JobExpirePoints: "30 3 * * *", JobPurgeRetained: "45 3 * * *",
		JobFeedbackDigest: "0 21 * * *", JobFeedbackRequests: "* * * * *",
		JobBroadcastReports: "* * * * *", JobNudges: "* * * * *", JobBadges: "10 0 * * *",
		JobWeeklyReport: "0 9 * * 1", JobPromotionReports: "* * * * *"}
}

// StoreConfig is one store of the business config.
type StoreConfig struct {
	Code     string
	Name     string
	TimeZone string
	// What /stores tells customers, all optional: the address by
	// language ("" for one text in every language), a phone, the
	// opening hours and the place on the map.
	Address  map[string]string
	Phone    string
	Hours    OpeningHours
	Location *GeoPoint
	// ReviewURL is the store's review page on a map (Yandex Maps,
	// Google Maps, 2GIS), where happy customers are asked to say so; ""
	// asks nobody.
	ReviewURL string
}

// Store is the config's store with this code; ok is false for a code
// not (or no longer) in the config.
func (b *Business) Store(code string) (StoreConfig, bool) {
	for _, s := range b.Stores {
		if s.Code == code {
			return s, true
		}
	}
	return StoreConfig{}, false
}

// AddressIn is the store's address in lang, else its one text, else in
// fallback.
func (s StoreConfig) AddressIn(lang, fallback string) string {
	for _, l := range []string{lang, "", fallback} {
		if a := s.Address[l]; a != "" {
			return a
		}
	}
	return ""
}

// Described says whether /stores has more to tell of the store than its
// name.
func (s StoreConfig) Described() bool {
	return len(s.Address) > 0 || s.Phone != "" || s.Hours.Known() || s.Location != nil
}

var storeCode = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)

// FieldError names the config field that is wrong, so the operator can fix
// the file without guessing.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return "config: " + e.Field + ": " + e.Problem }

// Validate checks the config; the first problem is returned as a *FieldError.
// supported lists the languages that have message files.
func (b *Business) Validate(supported []string) error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(b.Name) == "" {
		return bad("name", "must not be empty")
	}
	if !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(b.Currency) {
		return bad("currency", "must be a 3-letter ISO code such as RUB, got %q", b.Currency)
	}
	if len(b.Languages) == 0 {
		return bad("languages", "list at least one language")
	}
	for i, l := range b.Languages {
		if !slices.Contains(supported, l) {
			return bad(fmt.Sprintf("languages[%d]", i), "%q has no messages; available: %v", l, supported)
		}
		if slices.Contains(b.Languages[:i], l) {
			return bad(fmt.Sprintf("languages[%d]", i), "%q is listed twice", l)
		}
	}
	if !slices.Contains(b.Languages, b.DefaultLanguage) {
		return bad("default_language", "%q is not in languages %v", b.DefaultLanguage, b.Languages)
	}
	if b.WelcomeBonus < 0 || b.WelcomeBonus > 1_000_000 {
		return bad("welcome_bonus", "must be between 0 and 1000000 points, got %d", b.WelcomeBonus)
	}
	if b.WelcomeBonusDays < 0 || b.WelcomeBonusDays > maxExpiryDays {
		return bad("welcome_bonus_days", "must be from 0 (never) to %d, got %d", maxExpiryDays, b.WelcomeBonusDays)
	}
	if b.CardTokenTTL < 30*time.Second || b.CardTokenTTL > 24*time.Hour {
		return bad("card_token_ttl", "must be between 30s and 24h, got %s", b.CardTokenTTL)
	}
	if strings.TrimSpace(b.ConsentVersion) == "" {
		return bad("consent_version", "must not be empty")
	}
	// A button of the consent question, the first step of every join:
	// Telegram refuses a message whose button is not a link.
	if b.PrivacyURL != "" {
		if _, why := ParseReviewURL(b.PrivacyURL); why != "" {
			return bad("privacy_url", "%q %s", b.PrivacyURL, why)
		}
	}
	// Telegram ids of people are positive; a group's is negative.
	for i, id := range b.Owners {
		if id <= 0 {
			return bad(fmt.Sprintf("owners[%d]", i), "%d is not a person's Telegram id (a positive number, such as @userinfobot tells them); leave owners = [] and use `loyaltybot invite --role owner` instead", id)
		}
	}
	if err := b.Program.Validate(); err != nil {
		return err
	}
	for i, t := range b.Program.Tiers {
		for _, l := range b.Languages {
			if len(t.Names) > 0 && strings.TrimSpace(t.Names[l]) == "" {
				return bad(fmt.Sprintf("program.tiers[%d].name.%s", i, l), "must not be empty (a name given per language needs every offered language)")
			}
		}
	}
	if err := validatePromotions(b.Program.Promotions, b.Languages, b.Stores); err != nil {
		return err
	}
	if err := b.Questionnaire.Validate(b.Languages); err != nil {
		return err
	}
	if err := b.Feedback.Validate(); err != nil {
		return err
	}
	if err := validateTopics(b.Topics, b.Languages); err != nil {
		return err
	}
	if err := b.Nudges.Validate(b); err != nil {
		return err
	}
	if err := b.Gamification.Validate(b); err != nil {
		return err
	}
	if len(b.Stores) == 0 {
		return bad("stores", "list at least one store")
	}
	seen := map[string]bool{}
	for i, s := range b.Stores {
		f := fmt.Sprintf("stores[%d]", i)
		if !storeCode.MatchString(s.Code) {
			return bad(f+".code", "%q must be 1-32 letters, digits or '-'", s.Code)
		}
		if seen[strings.ToLower(s.Code)] {
			return bad(f+".code", "%q is used twice (codes are read without regard to case)", s.Code)
		}
		seen[strings.ToLower(s.Code)] = true
		if strings.TrimSpace(s.Name) == "" {
			return bad(f+".name", "must not be empty")
		}
		// "Local" is the server's zone, whatever machine it runs on: not a
		// store's.
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
			return bad(f+".timezone", "%q is not a known time zone (e.g. Europe/Moscow)", s.TimeZone)
		}
		if s.Phone != "" && len([]rune(s.Phone)) > 32 {
			return bad(f+".phone", "%q is longer than 32 characters", s.Phone)
		}
		for l, a := range s.Address {
			switch {
			case strings.TrimSpace(a) == "":
				return bad(f+".address", "must not be empty")
			case len([]rune(a)) > 200:
				return bad(f+".address", "is longer than 200 characters")
			case l != "" && !slices.Contains(b.Languages, l):
				return bad(f+".address."+l, "%q is not in languages %v", l, b.Languages)
			}
		}
	}
	return nil
}

// Language picks the language to talk in: the customer's own choice, else
// their Telegram language when offered, else the default.
func (b *Business) Language(chosen, telegram string) string {
	if chosen != "" && slices.Contains(b.Languages, chosen) {
		return chosen
	}
	if len(telegram) >= 2 && slices.Contains(b.Languages, telegram[:2]) {
		return telegram[:2]
	}
	return b.DefaultLanguage
}
