package flows

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

// maxCardRunes keeps a customer card inside one Telegram message (4096).
const maxCardRunes = 4000

// customerCommand is /customer <phone | card number | code>: the customer
// card for owners and managers, every view written to the audit log.
// Without what to look up it asks for it, as /scan asks for a card.
// Cashiers are refused: they see a customer's first name at the register
// and their notes, never a phone number.
func customerCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	if strings.TrimSpace(s.In.Args) == "" {
		s.Leave()
		return s.Enter(flowCustomerFind, stepCustomerQuery)
	}
	found, err := showCustomerCard(s, s.In.Args)
	if err != nil || found {
		return err
	}
	return s.e.resume(s)
}

// The flow /customer alone starts: the next message is what to look up.
// Stored in conversations: never rename.
const (
	flowCustomerFind  = "customer"
	stepCustomerQuery = "query"
)

type customerFind struct{}

func (customerFind) Name() string { return flowCustomerFind }

func (customerFind) Ask(s *Session) error {
	s.Send(Reply{Text: s.T("customer.ask", nil),
		Inline: [][]Button{{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowCustomerFind, stepCustomerQuery, "cancel")}}}})
	return nil
}

// Handle looks the text up; a wrong one is said and asked again.
func (f customerFind) Handle(s *Session) error {
	if !s.Staff.CanManage() {
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	if s.In.Kind == InputCallback {
		s.Leave()
		s.Edit(Reply{Text: s.T("customer.cancelled", nil)})
		return nil
	}
	if s.In.Kind != InputText || strings.TrimSpace(s.In.Text) == "" {
		return f.Ask(s)
	}
	found, err := showCustomerCard(s, s.In.Text)
	if err != nil || found {
		return err
	}
	return f.Ask(s)
}

// showCustomerCard finds the customer by what was typed and sends their
// card, leaving the lookup flow; found is false, having said why (a wrong
// phone, no such customer), when there is no card to show.
func showCustomerCard(s *Session, query string) (found bool, err error) {
	c, err := s.e.Service.FindCustomer(s.Ctx, s.Tx, query)
	var v *domain.ValidationError
	switch {
	case errors.As(err, &v):
		s.Say(v.Reason, nil)
		return false, nil
	case errors.Is(err, domain.ErrNotFound):
		s.Say("customer.not_found", nil)
		return false, nil
	case err != nil:
		return false, err
	}
	cc, err := s.e.Service.ViewCustomerCard(s.Ctx, s.Tx, s.Staff, c)
	if errors.Is(err, domain.ErrNotFound) {
		s.Say("customer.not_found", nil) // another store's: as if there were none
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.Conv.Flow == flowCustomerFind {
		s.Leave()
	}
	text, err := s.customerCardText(cc)
	if err != nil {
		return true, err
	}
	r := Reply{Text: text}
	if !c.Erased {
		id := strconv.FormatInt(c.ID, 10)
		row := []Button{{Text: s.T("note.add", nil), Data: action("note", "c"+id)}}
		r.Inline = [][]Button{row}
		if cc.Card != nil && c.Member() {
			row = append(row, Button{Text: s.T("adjust.button", nil), Data: action("adjust", "c"+id)})
			r.Inline = [][]Button{row, {{Text: s.T("move.button", nil), Data: action("cardmove", "c"+id)}}}
		}
		if c.Member() && !c.Unreachable {
			r.Inline = append(r.Inline, []Button{{Text: s.T("direct.button", map[string]any{"Name": clip(c.FirstName, 20)}),
				Data: action("dm", id)}})
			// The newest question still waiting that they may answer can
			// be answered from here.
			if i := slices.IndexFunc(cc.Inquiries, func(q domain.Inquiry) bool {
				return q.HandledBy == 0 && s.Staff.AnswersAt(q.ShopID)
			}); i >= 0 {
				q := cc.Inquiries[i]
				date := q.CreatedAt.In(staffLocation(s)).Format("02.01")
				r.Inline = append(r.Inline, []Button{{Text: s.T("customer.card.question_reply", map[string]any{"Date": date}),
					Data: action("iqreply", strconv.FormatInt(q.ID, 10))}})
			}
		}
	}
	s.Send(r)
	return true, s.e.resume(s)
}

// customerCardText writes the card: who, the card and points, totals, the
// recent purchases, ratings, nudges and what came of them, the profile
// and the staff's notes.
func (s *Session) customerCardText(cc *domain.CustomerCard) (string, error) {
	c := cc.Customer
	loc := staffLocation(s)
	day := func(t time.Time) string { return t.In(loc).Format("02.01.2006") }
	var b strings.Builder
	line := func(id string, data map[string]any) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.T(id, data))
	}
	if c.Erased {
		line("customer.card.erased", map[string]any{"ID": c.ID})
	} else {
		line("customer.card.head", map[string]any{"Name": c.FirstName, "ID": c.ID, "Phone": orDash(c.Phone)})
	}
	if cc.Card != nil {
		line("customer.card.card", map[string]any{"Number": cc.Card.Number, "Balance": s.num(cc.Card.Balance),
			"Tier": cc.Tier.NameIn(s.Lang)})
	}
	if c.Member() {
		store := "—"
		if c.JoinedStoreID != 0 {
			if sh, err := s.Tx.FindShopByID(s.Ctx, c.JoinedStoreID); err == nil {
				store = sh.Name
			}
		}
		marketing := s.T("customer.card.no", nil)
		if c.Marketing {
			marketing = s.T("customer.card.yes", nil)
		}
		line("customer.card.joined", map[string]any{"Date": day(c.JoinedAt), "Store": store, "Marketing": marketing})
	}
	if len(cc.Purchases) == 0 {
		line("customer.card.no_purchases", nil)
	} else {
		line("customer.card.totals", map[string]any{"Count": cc.Totals.Visits, "Spend": s.e.money(cc.Totals.Spend, s.Lang)})
	}
	promotion := s.promotionsByID()
	for _, p := range cc.Purchases {
		id := "customer.card.purchase"
		if p.Cancelled() {
			id = "customer.card.purchase_cancelled"
		}
		line(id, map[string]any{"Date": p.CreatedAt.In(loc).Format("02.01.2006 15:04"), "Amount": s.e.money(p.Amount, s.Lang),
			"Earned": s.num(p.Earned), "Redeemed": s.num(p.Redeemed)})
		if !p.Cancelled() {
			b.WriteString(s.returnedMark(&p))
		}
		if pr, err := promotion(p.Promotion); err != nil {
			return "", err
		} else if pr != nil {
			b.WriteString(" 🔥×" + strconv.FormatInt(pr.Multiplier, 10))
		}
	}
	if cc.Card != nil {
		if s.e.Business.Gamification.Stamps.Enabled {
			n, err := s.e.Service.Stamps(s.Ctx, s.Tx, cc.Card.ID)
			if err != nil {
				return "", err
			}
			line("customer.card.stamps", map[string]any{"Stamps": s.stamps(n)})
		}
		prizes, err := s.Tx.CardPrizes(s.Ctx, cc.Card.ID, time.Time{}, 5)
		if err != nil {
			return "", err
		}
		if len(prizes) > 0 {
			line("customer.card.prizes", nil)
		}
		for _, p := range prizes {
			line("customer.card.prize", map[string]any{"Date": p.CreatedAt.In(loc).Format("02.01.2006 15:04"),
				"Title": s.prizeTitle(p.Reward), "Points": s.prizePrice(&p)})
			if p.Cancelled() {
				b.WriteString(" " + s.T("staff.purchases.cancelled", nil))
			}
		}
	}
	if len(cc.Feedback) > 0 {
		line("customer.card.feedback", nil)
		for _, f := range cc.Feedback {
			line("customer.card.rating", map[string]any{"Date": day(f.CreatedAt), "Stars": f.Stars, "Comment": clip(f.Comment, 100)})
		}
	}
	if len(cc.Inquiries) > 0 {
		line("customer.card.questions", nil)
		for _, q := range cc.Inquiries {
			id, data := "customer.card.question_waiting", map[string]any{"Date": day(q.CreatedAt), "Text": clip(q.Shown(), 100)}
			switch q.Resolution {
			case domain.ResolutionReplied:
				id, data["Wait"] = "customer.card.question_answered", s.span(q.HandledAt.Sub(q.CreatedAt))
			case domain.ResolutionResolved, domain.ResolutionErased:
				id = "customer.card.question_closed"
			}
			if q.Shown() == "" { // its words went with the customer's data
				id = "customer.card.question_erased"
			}
			line(id, data)
		}
	}
	if len(cc.Nudges) > 0 {
		line("customer.card.nudges", nil)
		for _, n := range cc.Nudges {
			outcome := s.T("customer.nudge."+n.Outcome, nil)
			if n.Outcome == domain.NudgeSkipped && n.Reason != domain.SkipCapped {
				outcome = s.T("customer.nudge.reason."+n.Reason, nil)
			}
			if !n.ClickedAt.IsZero() {
				outcome += ", " + s.T("customer.nudge.clicked", nil)
			}
			if !n.DeclinedAt.IsZero() {
				outcome += ", " + s.T("customer.nudge.declined", nil)
			}
			if !n.ConvertedAt.IsZero() {
				outcome += ", " + s.T("customer.nudge.converted", map[string]any{"Revenue": s.e.money(n.Revenue, s.Lang)})
			}
			if !n.OfferUsedAt.IsZero() {
				outcome += ", " + s.T("customer.nudge.offer_used", nil)
			}
			line("customer.card.nudge", map[string]any{"Date": day(n.SendAt), "Rule": s.e.ruleName(n.Rule, s.Lang), "Outcome": outcome})
		}
	}
	if answers := s.cardAnswers(cc.Answers); len(answers) > 0 {
		line("customer.card.profile", nil)
		b.WriteString("\n" + strings.Join(answers, "\n"))
	}
	if len(cc.Adjustments) > 0 {
		line("customer.card.adjustments", nil)
		for _, a := range cc.Adjustments {
			points, reason := domain.AdjustmentOf(a)
			id := "customer.card.adjustment"
			if reason == "" {
				id = "customer.card.adjustment_erased" // the reason went with the customer's data
			}
			line(id, map[string]any{"Date": day(a.At), "Points": points, "Staff": a.StaffName, "Reason": reason})
		}
	}
	if len(cc.Notes) > 0 {
		line("customer.card.notes", nil)
		b.WriteString("\n" + s.noteLines(cc.Notes))
	}
	return clip(b.String(), maxCardRunes), nil
}

// cardAnswers are the profile answers in the questionnaire's words.
// Only those that apply, as /profile and the derived facts read them: a
// "no pet" hides the pet told of before.
func (s *Session) cardAnswers(stored []domain.StoredAnswer) []string {
	qn := &s.e.Business.Questionnaire
	answers := map[string]domain.Answer{}
	for _, a := range stored {
		var ans domain.Answer
		if !a.Skipped && a.Value != nil && json.Unmarshal(a.Value, &ans) == nil {
			answers[a.QuestionID] = ans
		}
	}
	var out []string
	for _, a := range stored {
		q, ok := qn.Question(a.QuestionID)
		ans, answered := answers[a.QuestionID]
		if !ok || !answered || !qn.Applies(q, answers) {
			continue
		}
		out = append(out, "• "+s.e.textIn(q.Text, s.Lang)+": "+s.e.answerText(q, ans, s.Lang))
	}
	return out
}

// noteLines lists notes, newest first, with who wrote them and when.
func (s *Session) noteLines(notes []domain.Note) string {
	loc := staffLocation(s)
	lines := make([]string, len(notes))
	for i, n := range notes {
		lines[i] = s.T("customer.card.note", map[string]any{"Date": n.CreatedAt.In(loc).Format("02.01"),
			"Staff": n.StaffName, "Text": n.Text})
	}
	return strings.Join(lines, "\n")
}

// clip cuts s to n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func init() {
	registerFlow(customerFind{})
	registerCommand("customer", MenuManager, 34, customerCommand)
}
