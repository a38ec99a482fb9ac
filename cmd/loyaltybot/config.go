package main

import (
	"cmp"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/phones"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

//go:embed config.example.toml
var exampleConfig []byte

// env is the environment configuration of DESIGN.md §5.
type env struct {
	Token         string
	APIURL        string
	DatabaseURL   string
	CardSecret    []byte
	HTTPAddr      string
	WebhookURL    string
	WebhookSecret string
	LogLevel      slog.Level
	ConfigPath    string
	DataDir       string
	// SendRate is this process's cap on messages a second (SEND_RATE);
	// 0 keeps the sender's default, Telegram's 30.
	SendRate float64
}

// loadEnv reads and checks the environment; the error names the variable.
func loadEnv(getenv func(string) string, needToken bool) (*env, error) {
	e := &env{
		// A token pasted with its line end (a secret made from a file)
		// is the token all the same: kept, the line end breaks every
		// Bot API URL, and the error quotes the URL, token and all.
		Token:         strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		APIURL:        getenv("TELEGRAM_API_URL"),
		DatabaseURL:   getenv("DATABASE_URL"),
		HTTPAddr:      getenv("HTTP_ADDR"),
		WebhookURL:    getenv("WEBHOOK_URL"),
		WebhookSecret: getenv("WEBHOOK_SECRET"),
		ConfigPath:    getenv("LOYALTYBOT_CONFIG"),
		DataDir:       getenv("LOYALTYBOT_DATA"),
	}
	if e.APIURL == "" {
		e.APIURL = "https://api.telegram.org"
	}
	if _, err := url.ParseRequestURI(e.APIURL); err != nil {
		return nil, fmt.Errorf("TELEGRAM_API_URL: %q is not a URL", e.APIURL)
	}
	if e.HTTPAddr == "" {
		e.HTTPAddr = "127.0.0.1:8080"
	}
	if e.DataDir == "" {
		e.DataDir = ".loyaltybot"
	}
	if needToken && e.Token == "" {
		return nil, errors.New("TELEGRAM_BOT_TOKEN: not set (get a token from @BotFather)")
	}
	if strings.IndexFunc(e.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		// Not quoted: the message would print the token.
		return nil, errors.New("TELEGRAM_BOT_TOKEN: holds a space or a control character (copy it again from @BotFather)")
	}
	switch s := getenv("CARD_SECRET"); {
	case s == "" && needToken:
		return nil, errors.New("CARD_SECRET: not set (at least 32 random characters; e.g. `openssl rand -hex 32`)")
	case s == "":
	case len(s) < 32:
		return nil, errors.New("CARD_SECRET: too short, use at least 32 characters")
	default:
		if b, err := hex.DecodeString(s); err == nil && len(b) >= 16 {
			e.CardSecret = b
		} else {
			e.CardSecret = []byte(s)
		}
	}
	if (e.WebhookURL == "") != (e.WebhookSecret == "") {
		return nil, errors.New("WEBHOOK_URL and WEBHOOK_SECRET: set both (webhook) or neither (long polling)")
	}
	if e.WebhookURL != "" {
		u, err := url.Parse(e.WebhookURL)
		if err != nil || u.Scheme != "https" {
			return nil, fmt.Errorf("WEBHOOK_URL: %q must be an https URL", e.WebhookURL)
		}
		// Telegram posts to the URL as written: a bare host gets its
		// updates at "/", which answers 404, and the bot hears nothing.
		if strings.Trim(u.Path, "/") == "" {
			return nil, fmt.Errorf("WEBHOOK_URL: %q has no path; give the full address that reaches POST /telegram/webhook, e.g. https://%s/telegram/webhook", e.WebhookURL, u.Host)
		}
		if err := checkWebhookSecret(e.WebhookSecret); err != nil {
			return nil, err
		}
	}
	if s := getenv("SEND_RATE"); s != "" {
		// Telegram's 30 a second is the bot's, not a process's: replicas
		// share it (each 30/N), and a bot allowed paid broadcasts may go
		// up to 1,000.
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(r >= 0.1 && r <= 1000) {
			return nil, fmt.Errorf("SEND_RATE: %q is not a number of messages a second from 0.1 to 1000 (Telegram's limit is 30 for the whole bot; with N replicas give each 30/N)", s)
		}
		e.SendRate = r
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := e.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return nil, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", lvl)
		}
	}
	return e, nil
}

// minWebhookSecret is the shortest WEBHOOK_SECRET accepted: the secret is
// all that tells Telegram's webhook calls from anyone else's.
const minWebhookSecret = 32

// checkWebhookSecret applies Telegram's rule for secret_token (1–256
// characters of A-Z, a-z, 0-9, _ and -) and our minimum length.
func checkWebhookSecret(s string) error {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return errors.New("WEBHOOK_SECRET: only A-Z, a-z, 0-9, _ and - are allowed (Telegram's rule)")
		}
	}
	switch {
	case len(s) < minWebhookSecret:
		return fmt.Errorf("WEBHOOK_SECRET: too short (%d characters), use at least %d random ones; e.g. `openssl rand -hex 32`",
			len(s), minWebhookSecret)
	case len(s) > 256:
		return fmt.Errorf("WEBHOOK_SECRET: too long (%d characters); Telegram allows at most 256", len(s))
	}
	return nil
}

// businessFile is the TOML shape of the business config.
type businessFile struct {
	Name             string               `toml:"name"`
	Currency         string               `toml:"currency"`
	Languages        []string             `toml:"languages"`
	DefaultLanguage  string               `toml:"default_language"`
	WelcomeBonus     int64                `toml:"welcome_bonus"`
	WelcomeBonusDays int                  `toml:"welcome_bonus_days"`
	CardTokenTTL     string               `toml:"card_token_ttl"`
	ConsentVersion   string               `toml:"consent_version"`
	PrivacyURL       string               `toml:"privacy_url"`
	PhoneRegion      string               `toml:"phone_region"`
	Owners           []int64              `toml:"owners"`
	Stores           []storeFile          `toml:"stores"`
	Program          *programFile         `toml:"program"`
	Questionnaire    *questionnaireFile   `toml:"questionnaire"`
	Jobs             map[string]string    `toml:"jobs"`
	Feedback         *feedbackFile        `toml:"feedback"`
	Nudges           *nudgesFile          `toml:"nudges"`
	Badges           map[string]badgeFile `toml:"badges"`
	Rewards          []rewardFile         `toml:"rewards"`
	Stamps           *stampsFile          `toml:"stamps"`
	Leaderboard      *leaderboardFile     `toml:"leaderboard"`
	Referral         *referralFile        `toml:"referral"`
	Topics           []struct {
		ID      string            `toml:"id"`
		Title   map[string]string `toml:"title"`
		Default bool              `toml:"default"`
	} `toml:"topics"`
}

// storeFile is one [[stores]] entry.
type storeFile struct {
	Code     string       `toml:"code"`
	Name     string       `toml:"name"`
	TimeZone string       `toml:"timezone"`
	Address  storeAddress `toml:"address"`
	Phone    string       `toml:"phone"`
	Hours    []string     `toml:"hours"`
	Location string       `toml:"location"`
	Review   string       `toml:"review_url"`
}

// store reads the entry; an error starts with the field's name.
func (f storeFile) store() (domain.StoreConfig, error) {
	st := domain.StoreConfig{Code: f.Code, Name: f.Name, TimeZone: f.TimeZone,
		Address: f.Address.byLanguage(), Phone: strings.TrimSpace(f.Phone)}
	var err error
	if st.Hours, err = domain.ParseOpeningHours(f.Hours); err != nil {
		return st, fmt.Errorf("hours%w", err)
	}
	if strings.TrimSpace(f.Location) != "" {
		p, err := domain.ParseGeoPoint(f.Location)
		if err != nil {
			return st, fmt.Errorf("location: %w", err)
		}
		st.Location = &p
	}
	var problem string
	if st.ReviewURL, problem = domain.ParseReviewURL(f.Review); problem != "" {
		return st, fmt.Errorf("review_url: %q %s", f.Review, problem)
	}
	return st, nil
}

// questionnaireFile is the [questionnaire] table: presets by name plus the
// owner's own sections and questions.
type questionnaireFile struct {
	Presets   []string       `toml:"presets"`
	Sections  []sectionFile  `toml:"sections"`
	Questions []questionFile `toml:"questions"`
}

type sectionFile struct {
	ID    string            `toml:"id"`
	Title map[string]string `toml:"title"`
	Offer string            `toml:"offer"`
	Bonus int64             `toml:"bonus"`
}

type questionFile struct {
	ID       string            `toml:"id"`
	Type     string            `toml:"type"`
	Text     map[string]string `toml:"text"`
	Options  []optionFile      `toml:"options"`
	Min      int64             `toml:"min"`
	Max      int64             `toml:"max"`
	Optional bool              `toml:"optional"`
	Reward   int64             `toml:"reward"`
	Section  string            `toml:"section"`
	If       *struct {
		Question string `toml:"question"`
		Equals   string `toml:"equals"`
	} `toml:"if"`
	Fields []questionFile `toml:"fields"`
	Fact   string         `toml:"fact"`
}

type optionFile struct {
	ID   string            `toml:"id"`
	Text map[string]string `toml:"text"`
}

func (f questionFile) question() domain.Question {
	q := domain.Question{ID: f.ID, Type: domain.QuestionType(f.Type), Text: f.Text, Min: f.Min, Max: f.Max,
		Optional: f.Optional, Reward: f.Reward, Section: f.Section, Fact: f.Fact}
	for _, o := range f.Options {
		q.Options = append(q.Options, domain.Option{ID: o.ID, Text: o.Text})
	}
	if f.If != nil {
		q.If = &domain.Condition{Question: f.If.Question, Equals: f.If.Equals}
	}
	for _, fld := range f.Fields {
		q.Fields = append(q.Fields, fld.question())
	}
	return q
}

// questionnaire assembles presets (first, in the order listed) and the
// owner's sections and questions.
func (f *questionnaireFile) questionnaire() (domain.Questionnaire, error) {
	var qn domain.Questionnaire
	if f == nil {
		return qn, nil
	}
	for i, name := range f.Presets {
		sec, qs, ok := domain.Preset(name)
		if !ok {
			return qn, fmt.Errorf("questionnaire.presets[%d]: unknown preset %q; available: %v", i, name, domain.PresetNames())
		}
		qn.Sections = append(qn.Sections, sec)
		qn.Questions = append(qn.Questions, qs...)
	}
	for _, s := range f.Sections {
		qn.Sections = append(qn.Sections, domain.Section{ID: s.ID, Title: s.Title, Offer: s.Offer, Bonus: s.Bonus})
	}
	for _, q := range f.Questions {
		qn.Questions = append(qn.Questions, q.question())
	}
	return qn, nil
}

// programFile is the [program] table; absent keys keep the defaults.
type programFile struct {
	PointValue                    *int64  `toml:"point_value"`
	RedeemCapPercent              *int    `toml:"redeem_cap_percent"`
	Rounding                      *string `toml:"rounding"`
	MinReceiptForEarn             *int64  `toml:"min_receipt_for_earn"`
	RegularExpiryDays             *int    `toml:"regular_expiry_days"`
	MaxReceipt                    *int64  `toml:"max_receipt"`
	MaxPurchasesPerCardPerDay     *int    `toml:"max_purchases_per_card_per_day"`
	MaxPurchasesPerCashierPerHour *int    `toml:"max_purchases_per_cashier_per_hour"`
	CashierReturns                *bool   `toml:"cashier_returns"`
	CashierCancelMinutes          *int    `toml:"cashier_cancel_minutes"`
	Tiers                         []struct {
		Name        tierName `toml:"name"`
		MinSpend    int64    `toml:"min_spend"`
		EarnPercent any      `toml:"earn_percent"` // 3 or "2.5": never a float
	} `toml:"tiers"`
	Promotions []promotionFile `toml:"promotions"`
}

// promotionFile is one [[program.promotions]]: points multiplied on some
// days, hours, dates and stores.
type promotionFile struct {
	ID         string            `toml:"id"`
	Title      map[string]string `toml:"title"`
	Multiplier int64             `toml:"multiplier"`
	Days       []string          `toml:"days"`
	Hours      string            `toml:"hours"`
	From       any               `toml:"from"`  // "2026-12-01" or a TOML date
	Until      any               `toml:"until"` // the same; the day included
	Stores     []string          `toml:"stores"`
	MinAmount  int64             `toml:"min_amount"` // minor units: the smallest receipt it multiplies
}

var weekdays = map[string]time.Weekday{"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday}

// promotion reads one [[program.promotions]]; what Validate cannot see
// (a day's name, the hours, a date's form) is checked here.
func (f promotionFile) promotion(i int) (domain.Promotion, error) {
	bad := func(field, format string, args ...any) error {
		return &domain.FieldError{Field: fmt.Sprintf("program.promotions[%d].%s", i, field), Problem: fmt.Sprintf(format, args...)}
	}
	p := domain.Promotion{ID: f.ID, Title: f.Title, Multiplier: f.Multiplier, Stores: f.Stores, MinAmount: f.MinAmount}
	for j, d := range f.Days {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return p, bad(fmt.Sprintf("days[%d]", j), "%q is not one of mon, tue, wed, thu, fri, sat, sun", d)
		}
		p.Days = append(p.Days, wd)
	}
	if f.Hours != "" {
		var err error
		if p.StartMin, p.EndMin, err = domain.ParseQuietHours(f.Hours); err != nil {
			return p, bad("hours", "%v", err)
		}
		if p.StartMin == p.EndMin {
			return p, bad("hours", "%q is no time at all; leave hours out for the whole day", f.Hours)
		}
	}
	for _, d := range []struct {
		field string
		value any
		dst   *string
	}{{"from", f.From, &p.From}, {"until", f.Until, &p.Until}} {
		switch v := d.value.(type) {
		case nil:
		case string:
			*d.dst = strings.TrimSpace(v)
		case time.Time:
			*d.dst = v.Format("2006-01-02")
		default:
			return p, bad(d.field, "write a date like 2026-12-31, got %v", v)
		}
	}
	return p, nil
}

// tierName is a tier's name: one text ("Silver") or one per language
// ({ ru = "Серебро", en = "Silver" }).
type tierName struct{ localText }

// UnmarshalTOML takes a string or a table of strings.
func (n *tierName) UnmarshalTOML(v any) error { return n.read("name", `"Silver"`, v) }

// storeAddress is a store's address, one text or one per language.
type storeAddress struct{ localText }

// UnmarshalTOML takes a string or a table of strings.
func (a *storeAddress) UnmarshalTOML(v any) error { return a.read("address", `"1 Main St"`, v) }

// localText is a text of the config in every language alike, or one per
// language.
type localText struct {
	text  string
	names map[string]string
}

// read takes a string or a table of strings for the field named field,
// example a text of it for the error.
func (n *localText) read(field, example string, v any) error {
	switch v := v.(type) {
	case string:
		n.text = v
	case map[string]any:
		n.names = map[string]string{}
		for l, x := range v {
			text, ok := x.(string)
			if !ok {
				return fmt.Errorf("%s.%s: write the %s as text, got %v", field, l, field, x)
			}
			n.names[l] = text
		}
	default:
		return fmt.Errorf("%s: write %s or one per language, { ru = \"…\", en = \"…\" }; got %v", field, example, v)
	}
	return nil
}

// byLanguage is the text as a map by language, "" for one text alike
// in every language; nil when none was given.
func (n localText) byLanguage() map[string]string {
	if n.names != nil {
		return n.names
	}
	if n.text != "" {
		return map[string]string{"": n.text}
	}
	return nil
}

// program overlays the file's [program] on the defaults.
func (f *programFile) program(defaultLang string) (domain.Program, error) {
	p := domain.DefaultProgram()
	if n := p.Tiers[0].Names[defaultLang]; n != "" {
		p.Tiers[0].Name = n // exports and the POS API read the default language
	}
	if f == nil {
		return p, nil
	}
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.PointValue, f.PointValue)
	set(&p.MinReceiptForEarn, f.MinReceiptForEarn)
	set(&p.MaxReceipt, f.MaxReceipt)
	setInt(&p.RedeemCapPercent, f.RedeemCapPercent)
	setInt(&p.RegularExpiryDays, f.RegularExpiryDays)
	setInt(&p.MaxPurchasesPerCardPerDay, f.MaxPurchasesPerCardPerDay)
	setInt(&p.MaxPurchasesPerCashierPerHour, f.MaxPurchasesPerCashierPerHour)
	setInt(&p.CashierCancelMinutes, f.CashierCancelMinutes)
	if f.CashierReturns != nil {
		p.CashierReturns = *f.CashierReturns
	}
	if f.Rounding != nil {
		p.Rounding = domain.Rounding(*f.Rounding)
	}
	if len(f.Tiers) > 0 {
		p.Tiers = nil
		for i, t := range f.Tiers {
			var text string
			switch v := t.EarnPercent.(type) {
			case int64:
				text = fmt.Sprint(v)
			case string:
				text = v
			default:
				return p, fmt.Errorf("program.tiers[%d].earn_percent: write a whole number (3) or a quoted decimal (\"2.5\"), got %v", i, t.EarnPercent)
			}
			bp, err := domain.ParsePercentBP(text)
			if err != nil {
				return p, fmt.Errorf("program.tiers[%d].earn_percent: %w", i, err)
			}
			tier := domain.Tier{MinSpend: t.MinSpend, EarnBP: bp}
			tier.Name, tier.Names = t.Name.text, t.Name.names
			if tier.Names != nil {
				tier.Name = tier.Names[defaultLang]
			}
			p.Tiers = append(p.Tiers, tier)
		}
	}
	for i, pf := range f.Promotions {
		pr, err := pf.promotion(i)
		if err != nil {
			return p, err
		}
		p.Promotions = append(p.Promotions, pr)
	}
	return p, nil
}

// configError names the config file a problem is in, once: "config
// ./shop.toml: stores[1].timezone: …", whether the problem came from the
// file's reading or from the business's validation (a *domain.FieldError
// says "config: " itself).
type configError struct {
	source string
	err    error
}

func (e *configError) Error() string {
	return "config " + e.source + ": " + strings.TrimPrefix(e.err.Error(), "config: ")
}

func (e *configError) Unwrap() error { return e.err }

func configErr(source string, err error) error { return &configError{source: source, err: err} }

// loadBusiness parses and validates a business config. Unknown keys are
// refused: a typo must not silently fall back to a default.
func loadBusiness(data []byte, source string, languages []string) (*domain.Business, error) {
	var f businessFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, configErr(source, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("config %s: unknown field %s", source, strings.Join(keys, ", "))
	}
	b := &domain.Business{
		Name: f.Name, Currency: f.Currency, Languages: f.Languages, DefaultLanguage: f.DefaultLanguage,
		WelcomeBonus: f.WelcomeBonus, WelcomeBonusDays: f.WelcomeBonusDays,
		ConsentVersion: f.ConsentVersion, PrivacyURL: f.PrivacyURL, Owners: f.Owners,
		PhoneRegion: cmp.Or(f.PhoneRegion, domain.DefaultPhoneRegion),
	}
	if f.CardTokenTTL == "" {
		b.CardTokenTTL = 10 * time.Minute
	} else if b.CardTokenTTL, err = time.ParseDuration(f.CardTokenTTL); err != nil {
		return nil, fmt.Errorf("config %s: card_token_ttl: %q is not a duration like 10m", source, f.CardTokenTTL)
	}
	if b.Program, err = f.Program.program(f.DefaultLanguage); err != nil {
		return nil, configErr(source, err)
	}
	if b.Questionnaire, err = f.Questionnaire.questionnaire(); err != nil {
		return nil, configErr(source, err)
	}
	for i, s := range f.Stores {
		st, err := s.store()
		if err != nil {
			return nil, fmt.Errorf("config %s: stores[%d].%w", source, i, err)
		}
		b.Stores = append(b.Stores, st)
	}
	for _, t := range f.Topics {
		b.Topics = append(b.Topics, domain.Topic{ID: t.ID, Title: t.Title, Default: t.Default})
	}
	if b.Jobs, err = jobs(f.Jobs); err != nil {
		return nil, configErr(source, err)
	}
	if b.Feedback, err = f.Feedback.feedback(); err != nil {
		return nil, configErr(source, err)
	}
	if b.Nudges, err = f.Nudges.nudges(); err != nil {
		return nil, configErr(source, err)
	}
	if b.Gamification, err = f.gamification(); err != nil {
		return nil, configErr(source, err)
	}
	if err := b.Validate(languages); err != nil {
		return nil, configErr(source, err)
	}
	if !phones.ValidRegion(b.PhoneRegion) {
		return nil, configErr(source, &domain.FieldError{Field: "phone_region",
			Problem: fmt.Sprintf("%q is not a country's code; write the two capital letters of ISO 3166, such as RU, UZ or KZ", b.PhoneRegion)})
	}
	b.Phones, b.PhoneExample = phones.Reader(b.PhoneRegion), phones.Example(b.PhoneRegion)
	return b, nil
}

// feedbackFile is the [feedback] table; absent keys keep the defaults.
type feedbackFile struct {
	Delay          *string `toml:"delay"`
	LowThreshold   *int    `toml:"low_threshold"`
	MinDaysBetween *int    `toml:"min_days_between"`
	QuietHours     *string `toml:"quiet_hours"`
	GoodwillPoints *int64  `toml:"goodwill_points"`
	ReviewMinStars *int    `toml:"review_min_stars"`
	ReviewEvery    *int    `toml:"review_every_days"`
}

// feedback overlays the file's [feedback] on the defaults.
func (f *feedbackFile) feedback() (domain.FeedbackConfig, error) {
	c := domain.DefaultFeedback()
	if f == nil {
		return c, nil
	}
	bad := func(field, problem string) error {
		return &domain.FieldError{Field: "feedback." + field, Problem: problem}
	}
	if f.Delay != nil {
		d, err := time.ParseDuration(*f.Delay)
		if err != nil {
			return c, bad("delay", fmt.Sprintf("%q is not a duration like 2h", *f.Delay))
		}
		c.Delay = d
	}
	if f.QuietHours != nil {
		var err error
		if c.QuietStart, c.QuietEnd, err = domain.ParseQuietHours(*f.QuietHours); err != nil {
			return c, bad("quiet_hours", err.Error())
		}
	}
	if f.LowThreshold != nil {
		c.LowThreshold = *f.LowThreshold
	}
	if f.MinDaysBetween != nil {
		c.MinDaysBetween = *f.MinDaysBetween
	}
	if f.GoodwillPoints != nil {
		c.Goodwill = *f.GoodwillPoints
	}
	if f.ReviewMinStars != nil {
		if n := *f.ReviewMinStars; n != 0 && (n < 4 || n > 5) {
			return c, bad("review_min_stars", fmt.Sprintf("%d: ask for a public review after 4 or 5 stars (0: never)", n))
		}
		c.ReviewMinStars = *f.ReviewMinStars
	}
	if f.ReviewEvery != nil {
		if n := *f.ReviewEvery; n < 1 || n > 3650 {
			return c, bad("review_every_days", fmt.Sprintf("%d is not between 1 and 3650", n))
		}
		c.ReviewEveryDays = *f.ReviewEvery
	}
	if c.ReviewMinStars != 0 && c.ReviewMinStars <= c.LowThreshold && c.LowThreshold <= 5 { // a threshold over 5 has its own error
		return c, bad("review_min_stars", fmt.Sprintf("%d is a low rating (low_threshold = %d): the owners are alerted, so the customer is not asked for a public review; set it above low_threshold, or 0", c.ReviewMinStars, c.LowThreshold))
	}
	return c, nil
}

// jobs is the [jobs] table over the defaults: a job the program does not
// have, or a spec cron cannot read, names its field.
func jobs(set map[string]string) (map[string]string, error) {
	out := domain.DefaultJobs()
	for name, spec := range set {
		if _, ok := out[name]; !ok {
			return nil, &domain.FieldError{Field: "jobs." + name, Problem: fmt.Sprintf("no such job; known: %s", strings.Join(slices.Sorted(maps.Keys(out)), ", "))}
		}
		if err := schedule.ParseSpec(spec); err != nil {
			return nil, &domain.FieldError{Field: "jobs." + name, Problem: fmt.Sprintf("%q is not a cron spec such as \"30 3 * * *\": %v", spec, err)}
		}
		out[name] = spec
	}
	return out, nil
}

// readBusiness loads LOYALTYBOT_CONFIG, or the embedded example when unset.
func readBusiness(path string, languages []string) (*domain.Business, error) {
	if path == "" {
		return loadBusiness(exampleConfig, "embedded config.example.toml", languages)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("LOYALTYBOT_CONFIG: %w", err)
	}
	return loadBusiness(data, path, languages)
}
