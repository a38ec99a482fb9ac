package domain

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// NudgeKind is what makes a nudge due. Each kind has one set-based query
// in the storage; a rule is a kind plus its timing, audience, message and
// offer from the business config.
type NudgeKind string

// Nudge kinds.
const (
	// NudgeWelcome: some time after the customer's first purchase.
	NudgeWelcome NudgeKind = "welcome"
	// NudgeOnboarding: Days after joining; a chain step names the step
	// before it (After) and, for the profile step, the section it invites
	// to (skipped when the customer completed it already).
	NudgeOnboarding NudgeKind = "onboarding"
	// NudgeBirthday: the customer's birthday (a date fact from the
	// profile), at the rule's local time.
	NudgeBirthday NudgeKind = "birthday"
	// NudgeWinBack: Days without a purchase; once per sleep (a purchase
	// starts a new one). A second step names the first in After.
	NudgeWinBack NudgeKind = "winback"
	// NudgeExpiring: points that expire within Days.
	NudgeExpiring NudgeKind = "points_expiring"
	// NudgeProfile: a profile section offered and not completed Days
	// after joining, again every Days, at most MaxTimes.
	NudgeProfile NudgeKind = "profile_incomplete"
	// NudgeHoliday: a date of the year (Date, "MM-DD") at the local time.
	NudgeHoliday NudgeKind = "holiday"
	// NudgeEvent: Delay after an event of the online shop (Event), unless
	// one of UnlessEvents came after it (see nudge_event.go).
	NudgeEvent NudgeKind = "event"
	// NudgeReplenish: LeadDays before a customer would run out of what
	// they last bought in a category: its typical cycle (Cycles), or their
	// own median gap once they bought in it PersonalAfter times. Once per
	// purchase and category; a new purchase in the category starts anew.
	NudgeReplenish NudgeKind = "replenish"
)

// NudgeKinds lists the kinds the engine knows, for config errors.
var NudgeKinds = []NudgeKind{NudgeWelcome, NudgeOnboarding, NudgeBirthday, NudgeWinBack, NudgeExpiring,
	NudgeProfile, NudgeHoliday, NudgeEvent, NudgeFamily, NudgeReplenish}

// Marketing reports whether nudges of the kind sell (birthdays, win-back,
// holidays, the online shop's events, replenishment): a rule of the
// owner's own of such a kind is marketing unless it says otherwise, as
// the built-in ones are.
func (k NudgeKind) Marketing() bool {
	switch k {
	case NudgeBirthday, NudgeFamily, NudgeWinBack, NudgeHoliday, NudgeEvent, NudgeReplenish:
		return true
	}
	return false
}

// NudgeRule is one triggered message of the business config.
type NudgeRule struct {
	ID      string // stored with every nudge: never rename a rule
	Kind    NudgeKind
	Enabled bool
	// Priority decides between rules due for one customer at once: the
	// higher is evaluated first and wins the frequency cap.
	Priority int
	// Marketing nudges need the marketing consent and the Topic (if any),
	// and count against the frequency cap; service nudges do not.
	Marketing bool
	Topic     string
	// Delay (welcome) is the time after the first purchase; (event) after
	// the event.
	Delay time.Duration
	// Event (event) is the shop event type that makes the rule due;
	// UnlessEvents, what spares the customer when it came after the event:
	// shop event types, or UnlessPurchase. A later event of the same type
	// takes the earlier one's place.
	Event        ShopEventType
	UnlessEvents []string
	// Days: after joining (onboarding, profile), without a purchase
	// (win-back), before points expire (expiring), between reminders
	// (profile).
	Days int
	// After names the chain step that must have been sent first (for the
	// same occurrence, for a win-back's second step).
	After string
	// Unless names what makes the step pointless for a customer who did
	// it already: UnlessProfileComplete (onboarding).
	Unless string
	// Section (onboarding) is the profile section the step invites to;
	// the step is skipped when it is complete. Empty: the whole profile
	// (skipped when every section is complete).
	Section string
	// MaxTimes bounds repeated reminders (profile).
	MaxTimes int
	// Fact is the profile fact holding the date (birthday): "birthday".
	Fact string
	// Groups are the repeating group questions whose items' birthdays
	// count (family birthday): "children", "pets".
	Groups []string
	// Date is "MM-DD" (holiday); At is the local send time in minutes
	// after midnight (birthday, holiday, family birthday).
	Date string
	At   int
	// Window is how late a due nudge is still worth sending (a customer
	// whose 30th day without a purchase was months ago is not "new"
	// sleep): at most this many days after it became due.
	Window int
	// Bonus points credited with the message, valid BonusDays (0: the
	// program's promo expiry).
	Bonus     int64
	BonusDays int
	// HoldOut is the percent of due customers held out (recorded, not
	// sent), to measure uplift; AttributionDays is how long a purchase
	// after the nudge counts as its conversion.
	HoldOut         int
	AttributionDays int
	// Text and Button per language override the built-in messages
	// (nudge.<kind>.text); templates (ParseOwnText) see .Name, .Balance,
	// .Points, .Expires, .Business, (event) .Items, .Who (a family
	// birthday: the child's or pet's name, several joined), .Category and
	// .Percent.
	Text   map[string]string
	Button map[string]string
	// Cycles (replenish) are the watched categories' typical days between
	// purchases; LeadDays is how long before the end the reminder goes.
	// PersonalAfter: once the customer bought in a category this many
	// times (on different days), their own median gap replaces the cycle
	// (0: never). AllCategories watches every category by that median,
	// not only those in Cycles.
	Cycles        map[string]int
	LeadDays      int
	PersonalAfter int
	AllCategories bool
	// CategoryText (kinds a purchase triggers: welcome, win-back,
	// replenish) replaces Text when that purchase has the category:
	// category, then language, to a template.
	CategoryText map[string]map[string]string
	// Offers the message carries (a points bonus, a discount, a gift);
	// OfferChoice picks one: the first, or the type this customer last
	// converted on. Without offers, Bonus is a points offer.
	Offers      []NudgeOffer
	OfferChoice string
}

// NudgeConfig is the business config's [nudges]: the rules and what every
// marketing nudge respects.
type NudgeConfig struct {
	Rules []NudgeRule
	// CapDays: at most one marketing nudge per customer in this many days
	// (0: no cap).
	CapDays int
	// QuietStart, QuietEnd: minutes after local midnight in the store's
	// time zone when no nudge goes out; one due then waits for QuietEnd.
	QuietStart, QuietEnd int
	// CategoryNames are the purchase categories as customers read them
	// (category, then language); a category without one shows its code.
	CategoryNames map[string]map[string]string
}

// Nudge defaults: a tenth held out, a week to convert.
const (
	DefaultHoldOut         = 10
	DefaultAttributionDays = 7
	defaultWindow          = 7
)

// DefaultNudges are the built-in rules, each switchable in the config:
// welcome an hour after the first purchase; the onboarding chain at 2, 3
// and 4 weeks; a birthday bonus, and a smaller one on a child's or a pet's
// birthday (for the kids and pets presets); win-back at 30 and 60 days;
// points expiring in 7 days; the profile reminder, twice; New Year and 8
// March; an abandoned cart of the online shop after 2 hours, unless an
// order or a purchase came; replenishment 2 days before the customer's own
// rhythm ends after 3 purchases in a category, dormant until the config
// lists the categories (Cycles) or turns AllCategories on: categories are
// the shop's own.
func DefaultNudges() NudgeConfig {
	r := func(id string, kind NudgeKind, prio int, marketing bool) NudgeRule {
		return NudgeRule{ID: id, Kind: kind, Enabled: true, Priority: prio, Marketing: marketing,
			HoldOut: DefaultHoldOut, AttributionDays: DefaultAttributionDays, Window: defaultWindow}
	}
	welcome := r("welcome", NudgeWelcome, 100, false)
	welcome.Delay = time.Hour
	tips := r("onboarding_tips", NudgeOnboarding, 60, false)
	tips.Days = 14
	profile := r("onboarding_profile", NudgeOnboarding, 60, false)
	profile.Days, profile.After, profile.Unless = 21, "onboarding_tips", UnlessProfileComplete
	rewards := r("onboarding_rewards", NudgeOnboarding, 60, false)
	rewards.Days, rewards.After = 28, "onboarding_profile"
	birthday := r("birthday", NudgeBirthday, 90, true)
	birthday.Fact, birthday.At, birthday.Bonus, birthday.BonusDays, birthday.Window = "birthday", 10*60, 200, 7, 1
	child := r("child_birthday", NudgeFamily, 85, true)
	child.Groups, child.At, child.Bonus, child.BonusDays, child.Window = []string{"children"}, 10*60, 100, 7, 1
	pet := r("pet_birthday", NudgeFamily, 75, true)
	pet.Groups, pet.At, pet.Bonus, pet.BonusDays, pet.Window = []string{"pets"}, 10*60, 50, 7, 1
	winback := r("winback", NudgeWinBack, 50, true)
	winback.Days, winback.Bonus, winback.BonusDays = 30, 100, 14
	winback2 := r("winback_2", NudgeWinBack, 40, true)
	winback2.Days, winback2.After, winback2.Bonus, winback2.BonusDays = 60, "winback", 200, 14
	expiring := r("points_expiring", NudgeExpiring, 80, false)
	expiring.Days = 7
	prof := r("profile_incomplete", NudgeProfile, 20, false)
	prof.Days, prof.MaxTimes = 10, 2
	newYear := r("new_year", NudgeHoliday, 70, true)
	newYear.Date, newYear.At, newYear.Window = "01-01", 11*60, 1
	march8 := r("march_8", NudgeHoliday, 70, true)
	march8.Date, march8.At, march8.Window = "03-08", 10*60, 1
	cart := r("cart_abandoned", NudgeEvent, 85, true)
	cart.Event, cart.Delay, cart.UnlessEvents, cart.Window = ShopCartAbandoned, 2*time.Hour,
		[]string{string(ShopOrderPlaced), UnlessPurchase}, 1
	replenish := r("replenish", NudgeReplenish, 55, true)
	replenish.LeadDays, replenish.PersonalAfter, replenish.Window = DefaultLeadDays, DefaultPersonalAfter, 3
	return NudgeConfig{CapDays: 3, QuietStart: 21 * 60, QuietEnd: 10 * 60,
		Rules: []NudgeRule{welcome, tips, profile, rewards, birthday, child, pet, winback, winback2, expiring, prof,
			newYear, march8, cart, replenish}}
}

// Rule finds a rule by id.
func (c *NudgeConfig) Rule(id string) (*NudgeRule, bool) {
	for i := range c.Rules {
		if c.Rules[i].ID == id {
			return &c.Rules[i], true
		}
	}
	return nil, false
}

// Chain is rule id and every rule chained to it by After, before or after
// it, in config order: one series, which "not interested" on any step of
// stops whole.
func (c *NudgeConfig) Chain(id string) []string {
	in := map[string]bool{id: true}
	for grown := true; grown; {
		grown = false
		for _, r := range c.Rules {
			if r.After != "" && in[r.ID] != in[r.After] {
				in[r.ID], in[r.After], grown = true, true, true
			}
		}
	}
	out := []string{}
	for _, r := range c.Rules {
		if in[r.ID] {
			out = append(out, r.ID)
		}
	}
	if !slices.Contains(out, id) {
		out = append(out, id)
	}
	return out
}

// ByPriority lists the enabled rules, the highest priority first (ties in
// config order): the order the engine evaluates them in.
func (c *NudgeConfig) ByPriority() []NudgeRule {
	var out []NudgeRule
	for _, r := range c.Rules {
		if r.Enabled {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b NudgeRule) int { return b.Priority - a.Priority })
	return out
}

var (
	nudgeID   = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	monthDay  = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	nudgeKind = map[NudgeKind]bool{}
)

func init() {
	for _, k := range NudgeKinds {
		nudgeKind[k] = true
	}
}

// nudgesTable is the config table of the nudges, for error messages.
const nudgesTable = "nudges"

// Validate checks the rules against the rest of the config (topics and
// questionnaire sections they name).
func (c *NudgeConfig) Validate(b *Business) error {
	if c.CapDays < 0 || c.CapDays > 90 {
		return &FieldError{Field: nudgesTable + ".frequency_cap_days", Problem: fmt.Sprintf("must be between 0 and 90, got %d", c.CapDays)}
	}
	// A category named in one language and not another read as its code
	// ("coffee beans") to the other's readers, beside the named ones.
	for _, cat := range slices.Sorted(maps.Keys(c.CategoryNames)) {
		for _, lang := range b.Languages {
			if strings.TrimSpace(c.CategoryNames[cat][lang]) == "" {
				return &FieldError{Field: nudgesTable + ".category_names." + cat,
					Problem: fmt.Sprintf("no name in %q; name it in every language offered (%s)", lang, strings.Join(b.Languages, ", "))}
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range c.Rules {
		bad := func(field, problem string) error {
			return &FieldError{Field: nudgesTable + ".rules." + r.ID + "." + field, Problem: problem}
		}
		if !nudgeID.MatchString(r.ID) {
			return &FieldError{Field: nudgesTable + ".rules", Problem: fmt.Sprintf("rule id %q: use 1-32 of a-z, 0-9, _", r.ID)}
		}
		seen[r.ID] = true
		switch {
		case !nudgeKind[r.Kind]:
			return bad("kind", fmt.Sprintf("%q is not one of %v", r.Kind, NudgeKinds))
		case r.HoldOut < 0 || r.HoldOut > 50:
			return bad("hold_out_percent", fmt.Sprintf("must be between 0 and 50, got %d", r.HoldOut))
		case r.AttributionDays < 1 || r.AttributionDays > 60:
			return bad("attribution_days", fmt.Sprintf("must be between 1 and 60, got %d", r.AttributionDays))
		case r.Bonus < 0 || r.Bonus > 1_000_000:
			return bad("bonus", fmt.Sprintf("must be between 0 and 1000000, got %d", r.Bonus))
		case r.BonusDays < 0 || r.BonusDays > 3650:
			return bad("bonus_days", fmt.Sprintf("must be between 0 and 3650, got %d", r.BonusDays))
		case r.Days < 0 || r.Days > 3650:
			return bad("days", fmt.Sprintf("must be between 0 and 3650, got %d", r.Days))
		case r.Window < 1 || r.Window > 365:
			return bad("window_days", fmt.Sprintf("must be between 1 and 365, got %d", r.Window))
		case r.At < 0 || r.At >= 24*60:
			return bad("time", "must be a time of day such as 10:00")
		case r.Topic != "" && !hasTopic(b, r.Topic):
			return bad("topic", fmt.Sprintf("no topic %q in [[topics]]", r.Topic))
		case r.Topic != "" && !r.Marketing:
			return bad("topic", "only a marketing rule has a topic")
		}
		if err := r.validateKind(b, bad); err != nil {
			return err
		}
		if err := r.validateContent(bad); err != nil {
			return err
		}
		if err := r.validateTexts(bad); err != nil {
			return err
		}
	}
	for _, r := range c.Rules {
		if r.After != "" && !seen[r.After] {
			return &FieldError{Field: nudgesTable + ".rules." + r.ID + ".after", Problem: fmt.Sprintf("no rule %q", r.After)}
		}
	}
	return nil
}

func (r NudgeRule) validateKind(b *Business, bad func(field, problem string) error) error {
	switch r.Kind {
	case NudgeWelcome:
		if r.Delay < 0 || r.Delay > 30*24*time.Hour {
			return bad("delay", fmt.Sprintf("must be between 0 and 720h, got %s", r.Delay))
		}
	case NudgeOnboarding, NudgeWinBack, NudgeExpiring, NudgeProfile:
		if r.Days < 1 {
			return bad("days", "must be at least 1")
		}
		if _, ok := b.Questionnaire.Section(r.Section); r.Section != "" && !ok {
			return bad("section", fmt.Sprintf("no questionnaire section %q", r.Section))
		}
		if r.Unless != "" && r.Unless != UnlessProfileComplete {
			return bad("unless", fmt.Sprintf("%q is not one of: %s", r.Unless, UnlessProfileComplete))
		}
		if r.Kind == NudgeProfile && r.MaxTimes < 1 {
			return bad("max_times", "must be at least 1")
		}
	case NudgeBirthday:
		if r.Fact == "" {
			return bad("fact", "name the profile fact that holds the date, e.g. \"birthday\"")
		}
	case NudgeHoliday:
		if !monthDay.MatchString(r.Date) {
			return bad("date", fmt.Sprintf("write it as MM-DD, got %q", r.Date))
		}
		if _, err := time.Parse(time.DateOnly, "2028-"+r.Date); err != nil { // a leap year: 02-29 comes
			return bad("date", fmt.Sprintf("%q is no day of the year", r.Date))
		}
		if !r.Marketing {
			// The greeting goes to those who agreed to offers only (the
			// holiday's query); a rule that says otherwise would go
			// uncapped and without the ways out of marketing.
			return bad("marketing", "a holiday greeting is marketing: it goes only to customers who agreed to offers; set marketing = true")
		}
	case NudgeEvent:
		return r.validateEvent(bad)
	case NudgeFamily:
		return validateFamily(b, r, bad)
	case NudgeReplenish:
		return r.validateReplenish(bad)
	}
	return nil
}

// UnlessProfileComplete skips a step for a customer who completed the
// profile (the rule's Section, or every section).
const UnlessProfileComplete = "profile_complete"

// Nudge outcomes, stored with each due nudge.
const (
	NudgeSent    = "sent"     // queued to the outbox
	NudgeHeldOut = "held_out" // the control group: recorded, not sent
	NudgeSkipped = "skipped"  // not sent, with the reason (the frequency cap)
)

// Reasons a due customer does not get a nudge. "capped" and "done" are
// recorded (the occurrence is spent); the others are what a dry run shows.
const (
	SkipNoConsent    = "no_consent"
	SkipUnsubscribed = "unsubscribed"
	SkipCapped       = "capped"
	SkipDeclined     = "declined"
	// SkipWaits: a rule that waits (NudgeRule.Waits) holds back while
	// another nudge went out to the customer in the last day; not
	// recorded, so a later tick sends it.
	SkipWaits = "waits"
	// SkipDone: the customer did the thing already (completed the
	// profile); recorded, so the chain goes on to the next step.
	SkipDone = "done"
	// SkipOptedOut and SkipErased: a nudge queued (waiting for the
	// customer's hours) and taken back before it went, the customer
	// having withdrawn the consent or left its topic, or erased their
	// data (Store.WithdrawQueued, the erasure).
	SkipOptedOut = "opted_out"
	SkipErased   = "erased"
	// SkipTooLate: a reminder of expiring points that could go (after
	// the quiet hours, or in the customer's window) only once they have
	// expired; recorded, so it is not asked again.
	SkipTooLate = "too_late"
	// SkipSwitchedOff: a nudge queued (waiting for the customer's hours)
	// and taken back before it went, its rule having been switched off in
	// the config meanwhile; not due after all.
	SkipSwitchedOff = "switched_off"
)

func hasTopic(b *Business, id string) bool { _, ok := b.Topic(id); return ok }
