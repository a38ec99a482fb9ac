package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgesFile is the [nudges] table: the engine's settings and, under
// [nudges.rules.<id>], the built-in rules' changes and the owner's own
// rules. Absent keys keep the defaults.
type nudgesFile struct {
	FrequencyCapDays *int                     `toml:"frequency_cap_days"`
	QuietHours       *string                  `toml:"quiet_hours"`
	HoldOutPercent   *int                     `toml:"hold_out_percent"`
	AttributionDays  *int                     `toml:"attribution_days"`
	Rules            map[string]nudgeRuleFile `toml:"rules"`
	// CategoryNames: category = { ru = "...", en = "..." }, how customers
	// read the POS's categories in messages.
	CategoryNames map[string]map[string]string `toml:"category_names"`
}

// nudgeRuleFile is one [nudges.rules.<id>] table.
type nudgeRuleFile struct {
	Kind            *string           `toml:"kind"`
	Enabled         *bool             `toml:"enabled"`
	Priority        *int              `toml:"priority"`
	Marketing       *bool             `toml:"marketing"`
	Topic           *string           `toml:"topic"`
	Delay           *string           `toml:"delay"`
	Days            *int              `toml:"days"`
	After           *string           `toml:"after"`
	Unless          *unlessList       `toml:"unless"`
	Event           *string           `toml:"event"`
	Section         *string           `toml:"section"`
	MaxTimes        *int              `toml:"max_times"`
	Fact            *string           `toml:"fact"`
	Groups          []string          `toml:"groups"`
	Date            *string           `toml:"date"`
	Time            *string           `toml:"time"`
	WindowDays      *int              `toml:"window_days"`
	Bonus           *int64            `toml:"bonus"`
	BonusDays       *int              `toml:"bonus_days"`
	HoldOutPercent  *int              `toml:"hold_out_percent"`
	AttributionDays *int              `toml:"attribution_days"`
	Text            map[string]string `toml:"text"`
	Button          map[string]string `toml:"button"`
	// Replenishment: cycles = { category = days }, lead_days,
	// personal_after, all_categories.
	Cycles        map[string]int `toml:"cycles"`
	LeadDays      *int           `toml:"lead_days"`
	PersonalAfter *int           `toml:"personal_after"`
	AllCategories *bool          `toml:"all_categories"`
	// Categories: [nudges.rules.<id>.categories.<category>] text = {...},
	// the message when the triggering purchase has that category.
	Categories  map[string]nudgeCategoryFile `toml:"categories"`
	Offers      []nudgeOfferFile             `toml:"offers"`
	OfferChoice *string                      `toml:"offer_choice"`
}

// nudgeCategoryFile is one [nudges.rules.<id>.categories.<category>].
type nudgeCategoryFile struct {
	Text map[string]string `toml:"text"`
}

// nudgeOfferFile is one of a rule's offers = [{ type = "points", ... }].
type nudgeOfferFile struct {
	Type     string            `toml:"type"`
	Points   int64             `toml:"points"`
	Days     int               `toml:"days"`
	Category string            `toml:"category"`
	Percent  int               `toml:"percent"`
	Text     map[string]string `toml:"text"`
}

// nudges overlays the file's [nudges] on the built-in rules.
func (f *nudgesFile) nudges() (domain.NudgeConfig, error) {
	c := domain.DefaultNudges()
	if f == nil {
		return c, nil
	}
	bad := func(field, problem string) error {
		return &domain.FieldError{Field: "nudges." + field, Problem: problem}
	}
	if f.FrequencyCapDays != nil {
		c.CapDays = *f.FrequencyCapDays
	}
	c.CategoryNames = f.CategoryNames
	if f.QuietHours != nil {
		var err error
		if c.QuietStart, c.QuietEnd, err = domain.ParseQuietHours(*f.QuietHours); err != nil {
			return c, bad("quiet_hours", err.Error())
		}
	}
	// Checked here, under the key written, before it is copied to every
	// rule (whose own check would name the first built-in rule).
	if n := f.HoldOutPercent; n != nil && (*n < 0 || *n > 50) {
		return c, bad("hold_out_percent", fmt.Sprintf("must be between 0 and 50, got %d", *n))
	}
	if n := f.AttributionDays; n != nil && (*n < 1 || *n > 60) {
		return c, bad("attribution_days", fmt.Sprintf("must be between 1 and 60, got %d", *n))
	}
	for i := range c.Rules {
		if f.HoldOutPercent != nil {
			c.Rules[i].HoldOut = *f.HoldOutPercent
		}
		if f.AttributionDays != nil {
			c.Rules[i].AttributionDays = *f.AttributionDays
		}
	}
	for _, id := range slices.Sorted(maps.Keys(f.Rules)) {
		rf := f.Rules[id]
		r, ok := c.Rule(id)
		if !ok {
			if rf.Kind == nil {
				return c, bad("rules."+id+".kind", "a rule of your own needs a kind: "+fmt.Sprint(domain.NudgeKinds))
			}
			kind := domain.NudgeKind(*rf.Kind)
			c.Rules = append(c.Rules, domain.NudgeRule{ID: id, Enabled: true, Priority: 10, Window: 7,
				Marketing: kind.Marketing(), HoldOut: domain.DefaultHoldOut, AttributionDays: domain.DefaultAttributionDays})
			r = &c.Rules[len(c.Rules)-1]
			if kind == domain.NudgeReplenish {
				r.LeadDays, r.PersonalAfter = domain.DefaultLeadDays, domain.DefaultPersonalAfter
			}
			if f.HoldOutPercent != nil {
				r.HoldOut = *f.HoldOutPercent
			}
			if f.AttributionDays != nil {
				r.AttributionDays = *f.AttributionDays
			}
		}
		if err := rf.apply(r, func(field, problem string) error { return bad("rules."+id+"."+field, problem) }); err != nil {
			return c, err
		}
	}
	return c, nil
}

// apply sets what the table sets.
func (rf nudgeRuleFile) apply(r *domain.NudgeRule, bad func(field, problem string) error) error {
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setS := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if rf.Kind != nil {
		r.Kind = domain.NudgeKind(*rf.Kind)
	}
	if rf.Enabled != nil {
		r.Enabled = *rf.Enabled
	}
	if rf.Marketing != nil {
		r.Marketing = *rf.Marketing
	}
	if rf.Bonus != nil {
		r.Bonus = *rf.Bonus
	}
	set(&r.Priority, rf.Priority)
	set(&r.Days, rf.Days)
	set(&r.MaxTimes, rf.MaxTimes)
	set(&r.Window, rf.WindowDays)
	set(&r.BonusDays, rf.BonusDays)
	set(&r.HoldOut, rf.HoldOutPercent)
	set(&r.AttributionDays, rf.AttributionDays)
	setS(&r.Topic, rf.Topic)
	setS(&r.After, rf.After)
	if rf.Event != nil {
		r.Event = domain.ShopEventType(*rf.Event)
	}
	if rf.Unless != nil {
		if err := rf.Unless.apply(r); err != nil {
			return bad("unless", err.Error())
		}
	}
	setS(&r.Section, rf.Section)
	setS(&r.Fact, rf.Fact)
	setS(&r.Date, rf.Date)
	if rf.Delay != nil {
		d, err := time.ParseDuration(*rf.Delay)
		if err != nil {
			return bad("delay", fmt.Sprintf("%q is not a duration like 1h", *rf.Delay))
		}
		r.Delay = d
	}
	if rf.Time != nil {
		t, err := time.Parse("15:04", *rf.Time)
		if err != nil {
			return bad("time", fmt.Sprintf("%q is not a time of day like 10:00", *rf.Time))
		}
		r.At = t.Hour()*60 + t.Minute()
	}
	if rf.Groups != nil {
		r.Groups = rf.Groups
	}
	if rf.Text != nil {
		r.Text = rf.Text
	}
	if rf.Button != nil {
		r.Button = rf.Button
	}
	rf.applyContent(r)
	return nil
}

// unlessList is a rule's unless: one value (onboarding's
// "profile_complete") or, for an event rule, a list of what spares the
// customer (["order_placed", "purchase"]; one string is a list of one).
type unlessList []string

// UnmarshalTOML takes a string or an array of strings.
func (u *unlessList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*u = unlessList{v}
	case []any:
		*u = unlessList{}
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return fmt.Errorf("unless: %v is not a string", x)
			}
			*u = append(*u, s)
		}
	default:
		return fmt.Errorf("unless: write a string or a list of strings, not %T", v)
	}
	return nil
}

// apply sets the rule's Unless, or its UnlessEvents for an event rule.
func (u unlessList) apply(r *domain.NudgeRule) error {
	if r.Kind == domain.NudgeEvent {
		r.UnlessEvents = slices.Clone(u)
		return nil
	}
	if len(u) > 1 {
		return fmt.Errorf("only an event rule lists several; write one value such as %q", domain.UnlessProfileComplete)
	}
	r.Unless = ""
	if len(u) == 1 {
		r.Unless = u[0]
	}
	return nil
}

// applyContent sets the replenishment, category texts and offers the table
// sets.
func (rf nudgeRuleFile) applyContent(r *domain.NudgeRule) {
	if rf.Cycles != nil {
		r.Cycles = rf.Cycles
	}
	if rf.LeadDays != nil {
		r.LeadDays = *rf.LeadDays
	}
	if rf.PersonalAfter != nil {
		r.PersonalAfter = *rf.PersonalAfter
	}
	if rf.AllCategories != nil {
		r.AllCategories = *rf.AllCategories
	}
	if rf.Categories != nil {
		r.CategoryText = map[string]map[string]string{}
		for c, cf := range rf.Categories {
			r.CategoryText[c] = cf.Text
		}
	}
	if rf.Offers != nil {
		if rf.Bonus == nil {
			r.Bonus = 0 // the offers replace a built-in rule's bonus
		}
		r.Offers = nil
		for _, o := range rf.Offers {
			r.Offers = append(r.Offers, domain.NudgeOffer{Type: o.Type, Points: o.Points, Days: o.Days,
				Category: o.Category, Percent: o.Percent, Text: o.Text})
		}
	}
	if rf.OfferChoice != nil {
		r.OfferChoice = *rf.OfferChoice
	}
}
