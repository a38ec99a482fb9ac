package flows

import (
	"fmt"
	"strings"
)

const flowAccount = "account"

// Account steps. Ids are stored in conversations: never rename one.
const (
	stepAccountName  = "name"
	stepAccountPhone = "phone"
)

// accountFlow changes what a member gave at joining, from /profile: the
// name the program (and the cashier) calls them, and the phone (a new
// number, a typo). The same business functions as joining do it
// (Service.SetName, Service.SetPhone).
type accountFlow struct{}

func (accountFlow) Name() string { return flowAccount }

// accountAction starts a change from /profile's buttons.
func accountAction(s *Session, value string) error {
	if s.Customer == nil || !s.Customer.Member() || (value != stepAccountName && value != stepAccountPhone) {
		s.Toast("error.stale_button")
		return nil
	}
	s.Conv.Reset()
	return s.Enter(flowAccount, value)
}

func (accountFlow) Ask(s *Session) error {
	switch s.Conv.Step {
	case stepAccountName:
		s.Send(Reply{Text: s.T("account.name.ask", map[string]any{"Name": s.Customer.FirstName}),
			Inline: [][]Button{{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowAccount, stepAccountName, "cancel")}}}})
	case stepAccountPhone:
		// A contact button is a reply keyboard, which cannot sit beside
		// inline buttons: Cancel is a key of it too.
		s.Send(Reply{Text: s.T("account.phone.ask", map[string]any{"Phone": orDash(s.Customer.Phone)}),
			Keyboard: [][]KeyButton{{{Text: s.T("onboarding.phone.share", nil), Contact: true}}, {{Text: s.T("checkout.cancel", nil)}}}})
	default:
		return fmt.Errorf("account: unknown step %q", s.Conv.Step)
	}
	return nil
}

func (f accountFlow) Handle(s *Session) error {
	if s.Customer == nil || !s.Customer.Member() {
		s.Leave()
		return nil
	}
	cancel := s.T("checkout.cancel", nil)
	if (s.In.Kind == InputCallback && s.tapValue() == "cancel") || (s.In.Kind == InputText && strings.TrimSpace(s.In.Text) == cancel) {
		s.Leave()
		if s.In.Kind == InputCallback {
			s.Edit(Reply{Text: s.T("account.cancelled", nil)})
		} else {
			s.Send(Reply{Text: s.T("account.cancelled", nil), RemoveKeyboard: true})
		}
		return nil
	}
	switch s.Conv.Step {
	case stepAccountName:
		if s.In.Kind != InputText {
			return f.Ask(s)
		}
		if err := s.e.Service.SetName(s.Ctx, s.Tx, s.Customer, s.In.Text); err != nil {
			return sayInvalid(s, err, f)
		}
		s.Leave()
		s.Say("account.name.saved", map[string]any{"Name": s.Customer.FirstName})
		return nil
	case stepAccountPhone:
		raw, shared, ok := phoneGiven(s)
		if !ok {
			return f.Ask(s)
		}
		before := s.Customer.Phone
		if err := s.e.Service.SetPhone(s.Ctx, s.Tx, s.Customer, raw, shared); err != nil {
			return sayPhoneRefused(s, err, f)
		}
		s.Leave()
		msg := "account.phone.saved"
		if s.Customer.Phone == before {
			msg = "account.phone.same"
		}
		s.Send(Reply{Text: s.T(msg, map[string]any{"Phone": s.Customer.Phone}), RemoveKeyboard: true})
		return nil
	}
	return fmt.Errorf("account: unknown step %q", s.Conv.Step)
}

// accountRow is /profile's row of buttons that change the name and the
// phone.
func (s *Session) accountRow() []Button {
	return []Button{
		{Text: s.T("account.name.button", nil), Data: action("account", stepAccountName)},
		{Text: s.T("account.phone.button", nil), Data: action("account", stepAccountPhone)},
	}
}

func init() {
	registerFlow(accountFlow{})
	registerAction("account", accountAction)
}
