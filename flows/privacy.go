package flows

import (
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowPrivacy = "privacy"

// Privacy steps. Ids are stored in conversations: never rename one.
const stepErase = "erase" // confirm erasing everything

// whyWithdraw marks an erasure asked for by withdrawing the personal-data
// consent: the same erasure, told in the words of a withdrawal.
const whyWithdraw = "withdraw"

// privacy is /privacy: consents with dates, marketing on/off in one tap,
// a data export, and erasure (also by withdrawing the personal-data
// consent). Someone who gave consent and stopped half way uses it too.
type privacy struct{}

func (privacy) Name() string { return flowPrivacy }

// showPrivacy lists the consents and offers the controls.
func showPrivacy(s *Session) error {
	consents, err := s.Tx.ListConsents(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	// Oldest first: the last record of a kind is its state; a refusal
	// after a consent withdraws it, one without is a refusal from the start.
	latest, granted := map[string]domain.Consent{}, map[string]bool{}
	for _, c := range consents {
		latest[c.Kind] = c
		granted[c.Kind] = granted[c.Kind] || c.Granted
	}
	loc := s.e.location(s)
	var b strings.Builder
	b.WriteString(s.T("privacy.header", nil))
	for _, kind := range []string{domain.ConsentPersonalData, domain.ConsentMarketing} {
		c, ok := latest[kind]
		if !ok {
			continue
		}
		state := "privacy.consent.declined"
		switch {
		case c.Granted:
			state = "privacy.consent.given"
		case granted[kind]:
			state = "privacy.consent.withdrawn"
		}
		b.WriteString("\n" + s.T(state, map[string]any{
			"What": s.T("privacy.kind."+kind, nil), "Date": c.At.In(loc).Format("02.01.2006"), "Version": c.Version,
		}))
	}
	var rows [][]Button
	if s.Customer.Member() {
		toggle := Button{Text: s.T("privacy.marketing.off", nil), Data: action("privacy", "marketing_off")}
		if !s.Customer.Marketing {
			toggle = Button{Text: s.T("privacy.marketing.on", nil), Data: action("privacy", "marketing_on")}
		}
		rows = append(rows, []Button{toggle})
	} else {
		// Not a member yet: say what the unfinished joining stored.
		b.WriteString("\n\n" + s.T("privacy.half_joined", map[string]any{
			"Name": s.Customer.FirstName, "Phone": s.Customer.Phone}))
	}
	r := Reply{Text: b.String(), Inline: append(rows,
		[]Button{{Text: s.T("privacy.export", nil), Data: action("privacy", "export")}},
		[]Button{{Text: s.T("privacy.erase", nil), Data: action("privacy", "erase")}},
		[]Button{{Text: s.T("privacy.withdraw", nil), Data: action("privacy", whyWithdraw)}},
	)}
	if s.In.Kind == InputCallback {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// privacyCommand is /privacy. Someone who gave consent and stopped half
// way sees what they gave, may take it back, and then goes on joining;
// someone who gave nothing is asked to join.
func privacyCommand(s *Session) error {
	if s.Customer == nil {
		return membersOnly(showPrivacy)(s)
	}
	if err := showPrivacy(s); err != nil || s.Customer.Member() {
		return err
	}
	return s.e.resume(s)
}

// privacyAction handles the /privacy buttons.
func privacyAction(s *Session, what string) error {
	if s.Customer == nil {
		s.Toast("error.stale_button")
		return nil
	}
	switch what {
	case "marketing_on", "marketing_off":
		if !s.Customer.Member() {
			break
		}
		on := what == "marketing_on"
		if err := s.e.Service.SetMarketing(s.Ctx, s.Tx, s.Customer, on); err != nil {
			return err
		}
		if on {
			s.Toast("privacy.marketing.now_on")
		} else {
			s.Toast("privacy.marketing.now_off")
		}
		return showPrivacy(s)
	case "export":
		return exportData(s)
	case "erase", whyWithdraw:
		// Whatever the chat was doing resumes if they keep their data.
		back := ""
		if s.Conv.Flow != "" && s.Conv.Flow != flowPrivacy {
			back = s.Conv.Flow + ":" + s.Conv.Step
		}
		s.SetData("back", back)
		s.SetData("why", what)
		return s.Enter(flowPrivacy, stepErase)
	}
	s.Toast("error.stale_button")
	return nil
}

func (privacy) Ask(s *Session) error {
	ask, yes := "privacy.erase.ask", "privacy.erase.yes"
	if s.Data("why") == whyWithdraw {
		ask, yes = "privacy.withdraw.ask", "privacy.withdraw.yes"
	}
	s.Send(Reply{Text: s.T(ask, nil), Inline: [][]Button{
		{{Text: s.T(yes, nil), Data: s.cb(flowPrivacy, stepErase, "yes")}},
		{{Text: s.T("privacy.erase.no", nil), Data: s.cb(flowPrivacy, stepErase, "no")}},
	}})
	return nil
}

func (p privacy) Handle(s *Session) error {
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return p.Ask(s)
	}
	why := s.Data("why")
	if v != "yes" {
		s.Edit(Reply{Text: s.T("privacy.erase.kept", nil)})
		return goBack(s)
	}
	// A staff member's step half way (a checkout) is their work, not
	// the card's: it is asked again after the erasure. Anything else the
	// chat was doing was the customer's, and ends with its answers.
	flow, _, _ := strings.Cut(s.Data("back"), ":")
	work := s.Staff.CanCheckout() && staffFlows[flow]
	if !work {
		s.Leave()
	}
	delete(s.Conv.Data, domain.ConvGroupDraft) // their profile answers
	if err := s.e.Service.EraseCustomer(s.Ctx, s.Tx, s.Customer); err != nil {
		return err
	}
	s.Customer = nil
	done := "privacy.erase.done"
	if why == whyWithdraw {
		done = "privacy.withdraw.done"
	}
	s.Edit(Reply{Text: s.T(done, nil)})
	if work {
		return goBack(s)
	}
	return nil
}

// staffFlows are the flows that are a staff member's work, which their
// erasure of their own card leaves be.
var staffFlows = map[string]bool{
	flowAdjust: true, flowBroadcast: true, flowCheckout: true, flowCodeWord: true, flowCustomerFind: true,
	flowFeedbackReply: true, flowNote: true, flowPromo: true, flowReturn: true, flowStaff: true, flowStatsDates: true,
}

// goBack returns to the flow the chat was in before the erasure question
// (joining half way, a questionnaire) and asks its question again.
func goBack(s *Session) error {
	flow, step, _ := strings.Cut(s.Data("back"), ":")
	delete(s.Conv.Data, "back")
	delete(s.Conv.Data, "why")
	if _, ok := registry.flows[flow]; !ok {
		s.Leave()
		return nil
	}
	return s.Enter(flow, step)
}

func init() {
	registerFlow(privacy{})
	registerCommand("privacy", MenuCustomer, 40, privacyCommand)
	registerAction("privacy", privacyAction)
}
