package flows

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowOnboarding = "onboarding"

// Onboarding steps. Ids are stored in conversations: never rename one.
const (
	stepConsent   = "consent"
	stepPhone     = "phone"
	stepName      = "name"
	stepMarketing = "marketing"
)

// How the phone was given, kept in the conversation until the welcome
// bonus is decided: a shared contact is the account's own number, a
// typed one is anybody's.
const (
	phoneShared = "contact"
	phoneTyped  = "typed"
)

// onboarding collects the minimum at first contact (field notes: name,
// phone, consent), then issues the card and the welcome bonus.
type onboarding struct{}

func (onboarding) Name() string { return flowOnboarding }

// startOnboarding greets a newcomer and asks for consent. A store deep link
// is remembered so the welcome can say the bonus is spendable right now; a
// waitlist link, so joining ends with the newcomer on that list.
func startOnboarding(s *Session, p domain.StartPayload) error {
	referrer := s.Data("referrer") // who the link named as it was opened (openReferral)
	referrerPhone := s.Data("referrer_phone")
	s.Conv.Reset()
	switch p.Kind {
	case domain.StartStore:
		rememberStore(s, p.Value)
	case domain.StartWaitlist:
		s.SetData("waitlist", p.Value)
	case domain.StartReferral:
		s.SetData("referral", p.Value)
		s.SetData("referrer", referrer)
		s.SetData("referrer_phone", referrerPhone)
	}
	greeting := "onboarding.greeting"
	if s.e.Business.WelcomeBonus <= 0 {
		greeting = "onboarding.greeting.no_bonus"
	}
	s.Say(greeting, map[string]any{"Business": s.e.Business.Name, "Bonus": s.num(s.e.Business.WelcomeBonus), "Count": s.e.Business.WelcomeBonus})
	if p.Kind == domain.StartCodeWord {
		if err := rememberCodeWord(s, p.Value); err != nil {
			return err
		}
	}
	return s.Enter(flowOnboarding, stepConsent)
}

func (onboarding) Ask(s *Session) error {
	switch s.Conv.Step {
	case stepConsent:
		text := s.T("onboarding.consent.ask", map[string]any{"Business": s.e.Business.Name, "Version": s.e.Business.ConsentVersion})
		rows := [][]Button{{
			{Text: s.T("onboarding.consent.yes", nil), Data: s.cb(flowOnboarding, stepConsent, "yes")},
			{Text: s.T("onboarding.consent.no", nil), Data: s.cb(flowOnboarding, stepConsent, "no")},
		}}
		if u := s.e.Business.PrivacyURL; u != "" {
			rows = append(rows, []Button{{Text: s.T("onboarding.consent.policy", nil), URL: u}})
		}
		s.Send(Reply{Text: text, Inline: rows})
	case stepPhone:
		s.Send(Reply{
			Text:     s.T("onboarding.phone.ask", nil),
			Keyboard: [][]KeyButton{{{Text: s.T("onboarding.phone.share", nil), Contact: true}}},
		})
	case stepName:
		r := Reply{Text: s.T("onboarding.name.ask", nil), RemoveKeyboard: true}
		if suggested := s.Data("tg_name"); suggested != "" {
			r = Reply{
				Text:     s.T("onboarding.name.ask_keep", map[string]any{"Name": suggested}),
				Keyboard: [][]KeyButton{{{Text: suggested}}},
			}
		}
		s.Send(r)
	case stepMarketing:
		s.Send(Reply{
			Text: s.T("onboarding.marketing.ask", nil),
			Inline: [][]Button{{
				{Text: s.T("onboarding.marketing.yes", nil), Data: s.cb(flowOnboarding, stepMarketing, "yes")},
				{Text: s.T("onboarding.marketing.no", nil), Data: s.cb(flowOnboarding, stepMarketing, "no")},
			}},
		})
	default:
		return fmt.Errorf("onboarding: unknown step %q", s.Conv.Step)
	}
	return nil
}

func (o onboarding) Handle(s *Session) error {
	switch s.Conv.Step {
	case stepConsent:
		return o.consent(s)
	case stepPhone:
		return o.phone(s)
	case stepName:
		return o.name(s)
	case stepMarketing:
		return o.marketing(s)
	}
	return fmt.Errorf("onboarding: unknown step %q", s.Conv.Step)
}

// rememberStore keeps the store of an s_ link (and the cashier of an
// s_<store>_<cashier> link) until joining completes.
func rememberStore(s *Session, value string) {
	store, cashier := domain.StoreLink(value)
	s.SetData("store", store)
	if cashier != 0 {
		s.SetData("cashier", strconv.FormatInt(cashier, 10))
	}
}

// tapped returns the value of a button tapped at this step, or "" with a
// hint sent when the person typed or sent something else.
func tapped(s *Session, hint string) (string, bool) {
	if s.In.Kind != InputCallback {
		s.Say(hint, nil)
		return "", false
	}
	v := s.tapValue()
	return v, true
}

func (o onboarding) consent(s *Session) error {
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return o.Ask(s)
	}
	if v != "yes" {
		// Without consent nothing is stored; the buttons stay so they can
		// change their mind.
		s.Edit(Reply{
			Text: s.T("onboarding.consent.declined", nil),
			Inline: [][]Button{{
				{Text: s.T("onboarding.consent.changed_mind", nil), Data: s.cb(flowOnboarding, stepConsent, "yes")},
			}},
		})
		return nil
	}
	now := s.e.Now()
	c := s.Customer
	if c == nil {
		c = &domain.Customer{TelegramID: s.In.User.ID, ChatID: s.In.ChatID, Language: s.Lang, FirstName: s.In.User.FirstName}
		if err := s.Tx.CreateCustomer(s.Ctx, c); err != nil {
			return err
		}
		s.Customer = c
	}
	if err := s.Tx.AppendConsent(s.Ctx, c.ID, domain.Consent{
		Kind: domain.ConsentPersonalData, Version: s.e.Business.ConsentVersion, Granted: true, At: now,
	}); err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("onboarding.consent.thanks", nil)})
	return s.Goto(stepPhone)
}

func (o onboarding) phone(s *Session) error {
	raw, shared, ok := phoneGiven(s)
	if !ok {
		return o.Ask(s)
	}
	// A shared contact is the account's own number: it takes the number
	// from someone who only typed it.
	if err := s.e.Service.SetPhone(s.Ctx, s.Tx, s.Customer, raw, shared); err != nil {
		return sayPhoneRefused(s, err, o)
	}
	via := phoneTyped
	if shared {
		via = phoneShared
	}
	s.SetData("phone_via", via)
	if n, err := domain.ParseFirstName(s.In.User.FirstName); err == nil {
		s.SetData("tg_name", n)
	}
	return s.Goto(stepName)
}

func (o onboarding) name(s *Session) error {
	if s.In.Kind != InputText {
		s.Say("onboarding.name.hint", nil)
		return o.Ask(s)
	}
	if err := s.e.Service.SetName(s.Ctx, s.Tx, s.Customer, s.In.Text); err != nil {
		return sayInvalid(s, err, o)
	}
	s.Send(Reply{Text: s.T("onboarding.name.thanks", map[string]any{"Name": s.Customer.FirstName}), RemoveKeyboard: true})
	return s.Goto(stepMarketing)
}

func (o onboarding) marketing(s *Session) error {
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return o.Ask(s)
	}
	now := s.e.Now()
	c := s.Customer
	if err := s.Tx.AppendConsent(s.Ctx, c.ID, domain.Consent{
		Kind: domain.ConsentMarketing, Version: s.e.Business.ConsentVersion, Granted: v == "yes", At: now,
	}); err != nil {
		return err
	}
	c.Marketing = v == "yes"
	answer := "onboarding.marketing.declined"
	if c.Marketing {
		answer = "onboarding.marketing.accepted"
	}
	s.Edit(Reply{Text: s.T(answer, nil)})
	return o.finish(s)
}

// finish makes the customer a member: card, welcome bonus, welcome message.
func (o onboarding) finish(s *Session) error {
	// Conversations from before phone_via count as typed: the bonus then
	// waits for a purchase.
	cashier, _ := strconv.ParseInt(s.Data("cashier"), 10, 64)
	referrer, _ := strconv.ParseInt(s.Data("referrer"), 10, 64)
	referrerPhone, _ := hex.DecodeString(s.Data("referrer_phone"))
	res, err := s.e.Service.Join(s.Ctx, s.Tx, domain.JoinRequest{
		Customer: s.Customer, StoreCode: s.Data("store"), PhoneShared: s.Data("phone_via") == phoneShared,
		ReferralCode:  s.Data("referral"),
		Referrer:      referrer,
		ReferrerPhone: referrerPhone,
		CodeWords:     strings.Fields(s.Data("codeword")),
		Cashier:       cashier,
	})
	if err != nil {
		return err
	}
	waitlist := s.Data("waitlist")
	s.Leave()
	// Sections offered right at joining come after the welcome.
	offer, err := s.e.offerSections(s.Ctx, s.Tx, s.Customer, domain.OfferJoin, s.e.Now())
	if err != nil {
		return err
	}
	if err := sayWelcome(s, res.Welcome, res.AtStore); err != nil {
		return err
	}
	sayReferral(s, res.Referral)
	for _, out := range res.CodeWords {
		sayCodeWord(s, out)
	}
	if offer != nil {
		s.Send(*offer)
	}
	if waitlist != "" {
		// They came through a "tell me when it is back" link.
		return joinWaitlist(s, waitlist)
	}
	return nil
}

// sayWelcome tells a new member what joining gave them. Joined at a
// register, the card is shown at once: the bonus can pay this receipt.
func sayWelcome(s *Session, welcome domain.WelcomeOutcome, atStore bool) error {
	bonus := s.e.Business.WelcomeBonus
	data := map[string]any{"Name": s.Customer.FirstName, "Bonus": s.num(bonus), "Count": bonus}
	id := "onboarding.done"
	switch welcome {
	case domain.WelcomeCredited:
		id = "onboarding.done.bonus"
		if atStore {
			id = "onboarding.done.at_store"
		}
	case domain.WelcomeHeld:
		id = "onboarding.done.bonus_held"
	case domain.WelcomeRefused:
		s.Say("onboarding.done.no_second_bonus", data)
	}
	s.Say(id, data)
	if atStore {
		return showCard(s, "")
	}
	s.Send(Reply{Text: s.T("onboarding.done.card_hint", nil), Inline: [][]Button{{
		{Text: s.T("card.show", nil), Data: action("card", "show")},
	}}})
	return nil
}

// sayInvalid explains a validation error in words and asks again; other
// errors go up as internal ones.
// phoneGiven reads the answer to a step that asks for the phone: a
// shared contact (the account's own number, shared) or typed text. ok is
// false, having said why, for someone else's contact or anything else.
func phoneGiven(s *Session) (raw string, shared, ok bool) {
	switch {
	case s.In.Kind == InputContact && s.In.Contact.UserID != s.In.User.ID:
		s.Say("onboarding.phone.foreign", nil)
	case s.In.Kind == InputContact:
		return s.In.Contact.Phone, true, true
	case s.In.Kind == InputText:
		return s.In.Text, false, true
	default:
		s.Say("onboarding.phone.hint", nil)
	}
	return "", false, false
}

// sayPhoneRefused answers a phone SetPhone refused and asks again.
// Another member's number gets the answer any unusable number gets: it
// must not tell who is a member.
func sayPhoneRefused(s *Session, err error, f Flow) error {
	if errors.Is(err, domain.ErrConflict) {
		s.Say("onboarding.phone.unusable", nil)
		return f.Ask(s)
	}
	return sayInvalid(s, err, f)
}

func sayInvalid(s *Session, err error, f Flow) error {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	s.Say(v.Reason, reasonData(s, v))
	return f.Ask(s)
}

// reasonData is what a validation message needs besides its id: the
// largest receipt the shop takes, for "too large".
func reasonData(s *Session, v *domain.ValidationError) map[string]any {
	if v.Reason == "error.amount.too_large" {
		return map[string]any{"Max": s.e.money(s.e.Business.Program.MaxReceipt, s.Lang)}
	}
	return nil
}

func init() { registerFlow(onboarding{}) }
