package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// showProfile is /profile: what the business knows, section by section, in
// plain words, a numbered button per item to change it, a button to
// continue each section begun and not finished, and one, with its reward,
// for each section not begun that applies. Pushing is progressive (offers
// come after joining, the first purchase, nudges), but a customer who asks
// may always tell more: a section needs no offer to be started here.
func showProfile(s *Session) error {
	qn := &s.e.Business.Questionnaire
	answers, skipped, err := answersOf(s)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(s.T("profile.header", map[string]any{"Name": s.Customer.FirstName, "Phone": s.Customer.Phone}))
	var edit []Button
	var rows [][]Button
	var pays *bool // read at the first offer
	n, more := 0, false
	for i := range qn.Sections {
		sec := &qn.Sections[i]
		begun := false
		for _, q := range qn.InSection(sec.ID) {
			if _, ok := answers[q.ID]; ok || skipped[q.ID] {
				begun = true
			}
		}
		if begun && qn.SectionApplies(sec.ID, answers) { // not a title alone: its answers hang on "yes, a pet" now "no"
			n = s.listSection(&b, sec, answers, skipped, n, &edit)
		}
		switch {
		case qn.Next(sec.ID, answers, skipped) == nil:
		case begun:
			rows = append(rows, []Button{{Text: s.T("profile.continue", map[string]any{"Title": s.e.textIn(sec.Title, s.Lang)}),
				Data: action("section", sec.ID)}})
		default:
			if pays == nil {
				p, err := s.e.Service.ProfilePays(s.Ctx, s.Tx, s.Customer)
				if err != nil {
					return err
				}
				pays = &p
			}
			rows = append(rows, s.e.offerRow(sec, qn, s.Lang, *pays))
			more = true
		}
	}
	switch {
	case more && *pays:
		b.WriteString("\n\n" + s.T("profile.more", nil))
	case more:
		b.WriteString("\n\n" + s.T("profile.more_plain", nil))
	case n == 0 && len(qn.Sections) > 0: // a shop that asks nothing promises no questions
		b.WriteString("\n\n" + s.T("profile.empty", nil))
	}
	for len(edit) > 0 {
		k := min(5, len(edit))
		rows = append(rows, edit[:k])
		edit = edit[k:]
	}
	rows = append(rows, s.accountRow())
	s.Send(Reply{Text: b.String(), Inline: rows})
	return nil
}

// listSection writes a begun section's questions that apply, numbered on
// from n, with their answers, and adds their change buttons to edit. It
// returns the last number used.
func (s *Session) listSection(b *strings.Builder, sec *domain.Section, answers map[string]domain.Answer, skipped map[string]bool, n int, edit *[]Button) int {
	qn := &s.e.Business.Questionnaire
	b.WriteString("\n\n" + s.e.textIn(sec.Title, s.Lang) + ":")
	for _, q := range qn.InSection(sec.ID) {
		if !qn.Applies(q, answers) {
			continue
		}
		n++
		value := s.T("profile.unanswered", nil)
		if a, ok := answers[q.ID]; ok {
			value = s.e.answerText(q, a, s.Lang)
		} else if skipped[q.ID] {
			value = s.T("profile.skipped", nil)
		}
		b.WriteString(fmt.Sprintf("\n%d. %s — %s", n, shortText(s.e.textIn(q.Text, s.Lang)), value))
		*edit = append(*edit, Button{Text: fmt.Sprintf("✏️ %d", n), Data: action("edit", q.ID)})
	}
	return n
}

// shortText keeps the first sentence of a question, for the profile list.
func shortText(t string) string {
	if i := strings.IndexAny(t, "?.!"); i > 0 {
		t = t[:i+1]
	}
	if r := []rune(t); len(r) > 60 {
		t = string(r[:59]) + "…"
	}
	return t
}

// answerText says an answer in plain words.
func (e *Engine) answerText(q *domain.Question, a domain.Answer, lang string) string {
	loc := e.localizer(lang)
	switch q.Type {
	case domain.QuestionDate, domain.QuestionBirthday:
		if t, err := time.Parse("2006-01-02", a.Date); err == nil {
			return t.Format("02.01.2006")
		}
		return a.Date
	case domain.QuestionNumber:
		if a.Number != nil {
			return fmt.Sprint(*a.Number)
		}
	case domain.QuestionYesNo:
		if len(a.Choice) == 1 {
			return e.translate(loc, "profile."+a.Choice[0], nil)
		}
	case domain.QuestionChoice, domain.QuestionMulti:
		var parts []string
		for _, id := range a.Choice {
			if o, ok := q.Option(id); ok {
				parts = append(parts, e.textIn(o.Text, lang))
			}
		}
		if len(parts) == 0 {
			return e.translate(loc, "profile.none", nil)
		}
		return strings.Join(parts, ", ")
	case domain.QuestionGroup:
		if len(a.Items) == 0 {
			return e.translate(loc, "profile.none", nil)
		}
		var items []string
		for _, it := range a.Items {
			var fields []string
			for i := range q.Fields {
				if v, ok := it[q.Fields[i].ID]; ok {
					fields = append(fields, e.answerText(&q.Fields[i], v, lang))
				}
			}
			items = append(items, strings.Join(fields, " · "))
		}
		return strings.Join(items, "; ")
	}
	return a.Text
}

// offerRow is the button that starts a section, with its reward.
func (e *Engine) offerRow(sec *domain.Section, qn *domain.Questionnaire, lang string, pays bool) []Button {
	var points int64 = sec.Bonus
	for _, q := range qn.InSection(sec.ID) {
		points += q.Reward
	}
	if !pays || points == 0 {
		return []Button{{Text: e.translate(e.localizer(lang), "profile.offer.button_plain", map[string]any{
			"Title": e.textIn(sec.Title, lang)}), Data: action("section", sec.ID)}}
	}
	return []Button{{Text: e.translate(e.localizer(lang), "profile.offer.button", map[string]any{
		"Title": e.textIn(sec.Title, lang), "Points": e.num(points, lang), "Count": points,
	}), Data: action("section", sec.ID)}}
}

// offerSections offers every section of the given kind not offered yet
// that applies to the customer, as buttons under one message to them.
func (e *Engine) offerSections(ctx context.Context, tx domain.Tx, c *domain.Customer, offer string, now time.Time) (*Reply, error) {
	qn := &e.Business.Questionnaire
	offers, err := tx.ListSectionOffers(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	lang := e.Business.Language(c.Language, "")
	var rows [][]Button
	var pays *bool // read at the first offer
	var answers map[string]domain.Answer
	for i := range qn.Sections {
		sec := &qn.Sections[i]
		if sec.Offer != offer || slicesContainsOffer(offers, sec.ID) {
			continue
		}
		if answers == nil {
			if answers, _, err = domain.LoadAnswers(ctx, tx, c.ID); err != nil {
				return nil, err
			}
		}
		if !qn.SectionApplies(sec.ID, answers) {
			continue // its button would be refused
		}
		if err := tx.OfferSection(ctx, c.ID, sec.ID, now); err != nil {
			return nil, err
		}
		if pays == nil {
			p, err := e.Service.ProfilePays(ctx, tx, c)
			if err != nil {
				return nil, err
			}
			pays = &p
		}
		rows = append(rows, e.offerRow(sec, qn, lang, *pays))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &Reply{ChatID: c.ChatID, Text: e.translate(e.localizer(lang), profileOffer(*pays), nil), Inline: rows}, nil
}

func slicesContainsOffer(offers []domain.SectionOffer, id string) bool {
	for _, o := range offers {
		if o.Section == id {
			return true
		}
	}
	return false
}

// OfferSection is for the nudge engine: it offers one section to a
// customer as a chat message queued in the caller's transaction; nothing
// when the section does not apply to them (a pet section's questions for
// someone who said they have no pet).
func (e *Engine) OfferSection(ctx context.Context, tx domain.Tx, customerID int64, section string) error {
	c, err := tx.FindCustomerByID(ctx, customerID)
	if err != nil {
		return err
	}
	qn := &e.Business.Questionnaire
	sec, ok := qn.Section(section)
	if !ok {
		return fmt.Errorf("offer section: unknown section %q", section)
	}
	if !c.Member() || c.ChatID == 0 || c.Unreachable {
		return nil
	}
	answers, _, err := domain.LoadAnswers(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	if !qn.SectionApplies(section, answers) {
		return nil // its button would be refused
	}
	if err := tx.OfferSection(ctx, c.ID, section, e.Now()); err != nil {
		return err
	}
	lang := e.Business.Language(c.Language, "")
	pays, err := e.Service.ProfilePays(ctx, tx, c)
	if err != nil {
		return err
	}
	return e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: e.translate(e.localizer(lang), profileOffer(pays), nil),
		Inline: [][]Button{e.offerRow(sec, qn, lang, pays)}})
}

// profileOffer is the message id of the profile's invitation: with the
// points for each answer, or without them for one they would not pay
// (domain.Service.ProfilePays).
func profileOffer(pays bool) string {
	if pays {
		return "profile.offer"
	}
	return "profile.offer_plain"
}

// afterFirstPurchase offers the first_purchase sections once the customer
// has exactly one purchase.
func (e *Engine) afterFirstPurchase(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) (*Reply, error) {
	c := r.Customer
	if !r.First || c == nil || !c.Member() || c.ChatID == 0 || c.Unreachable || r.Purchase.Cancelled() {
		return nil, nil
	}
	return e.offerSections(ctx, tx, c, domain.OfferFirstPurchase, e.Now())
}

func init() {
	registerCommand("profile", MenuCustomer, 30, membersOnly(func(s *Session) error {
		if s.Conv.Flow == flowProfile {
			s.Leave() // answers so far are kept; /profile shows them
		}
		return showProfile(s)
	}))
}
