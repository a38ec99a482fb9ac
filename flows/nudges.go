package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// kindMessage is the built-in message of a kind, for an owner's own rule
// that brings no text of its own: the built-in rule of that kind.
var kindMessage = map[domain.NudgeKind]string{
	domain.NudgeWelcome: "welcome", domain.NudgeOnboarding: "onboarding_tips", domain.NudgeBirthday: "birthday",
	domain.NudgeWinBack: "winback", domain.NudgeExpiring: "points_expiring", domain.NudgeProfile: "profile_incomplete",
	domain.NudgeHoliday: "holiday", domain.NudgeEvent: "event", domain.NudgeFamily: "family_birthday",
	domain.NudgeReplenish: "replenish",
}

// RunNudges is the nudge engine's tick (Service.RunNudges), its messages
// rendered in each customer's language.
func (e *Engine) RunNudges(ctx context.Context) (domain.NudgeReport, error) {
	return e.Service.RunNudges(ctx, e.Store, e.renderNudge)
}

// DryRunNudges lists who a rule (all enabled ones when rule is "") would
// reach at the given time and why, without writing anything.
func (e *Engine) DryRunNudges(ctx context.Context, rule string, at time.Time) ([]domain.NudgePlan, error) {
	return e.Service.DryRunNudges(ctx, e.Store, rule, at)
}

// renderNudge builds a nudge's message: the rule's text (the owner's, or
// the built-in one), the bonus it brings, and its buttons: the offer (the
// card, or the profile for a profile invitation), "not interested", and
// for a marketing rule the ways out of its topic and of all marketing.
func (e *Engine) renderNudge(r domain.NudgeRule, d domain.NudgeDue, n *domain.Nudge) (json.RawMessage, error) {
	lang := e.Business.Language(d.Language, "")
	loc := e.localizer(lang)
	zone, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	nudges := &e.Business.Nudges
	data := map[string]any{"Name": d.FirstName, "Balance": d.Balance + n.Points, "Business": e.Business.Name,
		"Points": d.Points, "Expires": dateIn(d.Expires, zone), "Items": domain.ItemNames(d.Items),
		"Who": joinNames(e.translate(loc, "nudge.family_birthday.and", nil), d.Names), "Category": nudges.CategoryName(d.Category, lang)}
	offer, hasOffer := r.OfferOf(n.Offer)
	if hasOffer {
		data["Expires"], data["Percent"] = dateIn(n.BonusExpires, zone), offer.Percent
	}
	if n.Points > 0 {
		data["Points"] = n.Points
	}
	text, err := e.nudgeText(loc, lang, r, d.Category, data)
	if err != nil {
		return nil, err
	}
	if hasOffer {
		line, err := e.offerLine(loc, lang, r, offer, n, data)
		if err != nil {
			return nil, err
		}
		if line != "" {
			text += "\n\n" + line
		}
	}
	if r.Kind == domain.NudgeExpiring {
		// Points about to go are best spent on a prize they pay for.
		if prize, ok := e.Business.Gamification.BestPrize(d.Balance + n.Points); ok {
			text += "\n\n" + e.translate(loc, "rewards.card_affordable", map[string]any{"Reward": prize.TitleIn(lang)})
		}
	}
	click, label := domain.NudgeClickOffer, e.translate(loc, "nudge.button.card", nil)
	if r.InvitesToProfile() {
		click, label = domain.NudgeClickProfile, e.translate(loc, "nudge.button.profile", nil)
	}
	if r.ID == "onboarding_rewards" {
		click, label = domain.NudgeClickRewards, e.translate(loc, "nudge.button.rewards", nil)
	}
	if src := r.Button[lang]; src != "" {
		if label, err = e.ownText(r.ID, lang, src, data); err != nil {
			return nil, err
		}
	}
	rows := [][]Button{
		{{Text: label, Data: nudgeData(n.ID, click)}},
		{{Text: e.translate(loc, "nudge.button.no", nil), Data: nudgeData(n.ID, domain.NudgeClickNo)}},
	}
	if r.Marketing {
		rows = append(rows, e.Marketing(lang, r.Topic, Reply{}).Inline...)
	}
	return Reply{ChatID: d.ChatID, Text: text, Inline: rows}.encode()
}

// nudgeText is the owner's text for the triggering purchase's category
// or else for the rule, in the language (a Go template over .Name,
// .Balance, .Points, .Expires, .Business, .Category, .Percent, .Items (the
// names of a shop event's products), .Who), or the built-in message.
func (e *Engine) nudgeText(loc *i18n.Localizer, lang string, r domain.NudgeRule, category string, data map[string]any) (string, error) {
	if src := r.CategoryText[category][lang]; category != "" && src != "" {
		return e.ownText(r.ID, lang, src, data)
	}
	if src := r.Text[lang]; src != "" {
		return e.ownText(r.ID, lang, src, data)
	}
	id := "nudge." + r.ID + ".text"
	if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: messageTemplates}); err != nil {
		id = "nudge." + kindMessage[r.Kind] + ".text"
	}
	// The built-in messages show points with their digits grouped; an
	// owner's template keeps the numbers, which it may compare.
	shown := maps.Clone(data)
	for _, k := range []string{"Balance", "Points"} {
		if n, ok := shown[k].(int64); ok {
			shown[k] = e.num(n, lang)
		}
	}
	return e.translate(loc, id, shown), nil
}

// ruleName is how staff read a nudge rule: a built-in rule's name in lang
// (nudge.rule.<id>: "We miss you"), else the id of the owner's own rule.
func (e *Engine) ruleName(id, lang string) string {
	if name, err := e.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: "nudge.rule." + id}); err == nil {
		return name
	}
	return id
}

// joinNames lists names as people say them: "Masha", "Masha and Misha",
// "Masha, Misha and Rex" (and in the customer's language).
func joinNames(and string, names []string) string {
	switch n := len(names); n {
	case 0:
		return ""
	case 1:
		return names[0]
	default:
		return strings.Join(names[:n-1], ", ") + " " + and + " " + names[n-1]
	}
}

// ownTextKey names a parsed owner's template: its num writes numbers the
// language's way, so the same text in two languages parses twice.
type ownTextKey struct{ lang, src string }

// ownText runs an owner's template from the config (checked when the
// config was read, see domain.ParseOwnText), parsed once per language.
func (e *Engine) ownText(rule, lang, src string, data map[string]any) (string, error) {
	key := ownTextKey{lang, src}
	v, ok := e.ownTexts.Load(key)
	if !ok {
		t, err := domain.ParseOwnText(rule, lang, src)
		if err != nil {
			return "", fmt.Errorf("nudge %s: text in %s: %w", rule, lang, err)
		}
		v, _ = e.ownTexts.LoadOrStore(key, t)
	}
	t := v.(*template.Template)
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("nudge %s: text in %s: %w", rule, lang, err)
	}
	return b.String(), nil
}

// offerLine announces the nudge's offer under its text: the points now on
// the card, or a discount or gift the cashier honours on seeing the
// message (its number is the nudge's, to note at the register). The
// offer's own text replaces the built-in line.
func (e *Engine) offerLine(loc *i18n.Localizer, lang string, r domain.NudgeRule, o domain.NudgeOffer, n *domain.Nudge, data map[string]any) (string, error) {
	vars := map[string]any{"Points": n.Points, "Count": n.Points, "Expires": data["Expires"], "Percent": o.Percent,
		"Category": e.Business.Nudges.CategoryName(o.Category, lang), "Code": n.ID}
	if src := o.Text[lang]; src != "" {
		return e.ownText(r.ID, lang, src, vars)
	}
	vars["Points"] = e.num(n.Points, lang) // the built-in lines group digits
	key := "nudge.offer." + o.Type
	switch {
	case o.Type == domain.OfferPoints && n.Points == 0:
		return "", nil
	case o.Type == domain.OfferPoints:
		key = "nudge.bonus"
		if n.BonusExpires.IsZero() {
			key = "nudge.bonus_forever"
		}
	case o.Type == domain.OfferDiscount && o.Category == "":
		key = "nudge.offer.discount_all"
	}
	return e.translate(loc, key, vars), nil
}

func dateIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02.01.2006")
}

func nudgeData(id int64, click string) string {
	return action("nudge", strconv.FormatInt(id, 10)+"."+click)
}

// nudgeAction is a tap on a nudge's button: recorded as the rule's click
// (or, for "not interested", as declined: no click), then it does what
// it says (the card, the profile) or stops the rule for this customer.
func nudgeAction(s *Session, value string) error {
	idText, click, _ := strings.Cut(value, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	_, err = s.e.Service.ClickNudge(s.Ctx, s.Tx, s.Customer, id, click)
	switch {
	case isNotFound(err) || errors.Is(err, domain.ErrInvalid):
		s.Toast("error.stale_button")
		return nil
	case err != nil:
		return err
	}
	switch click {
	case domain.NudgeClickNo:
		s.callbackText = s.T("nudge.declined", nil)
		s.Edit(Reply{Inline: [][]Button{}})
		return nil
	case domain.NudgeClickProfile:
		return showProfile(s)
	case domain.NudgeClickRewards:
		return showRewards(s)
	}
	return showCard(s, "")
}

func init() {
	registerAction("nudge", nudgeAction)
}
