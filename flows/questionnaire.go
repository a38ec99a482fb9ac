package flows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowProfile = "profile"

// The questionnaire's step is "q.<question id>": ids never shift when an
// owner adds a question. Conversation data: "section", "mode" ("section"
// or "edit"), "hist" (questions answered in this run, for Back), "sel"
// (multi toggles), and for a group "gfield", "gitem" and "gitems".
const stepPrefix = "q."

// questionnaire asks the profile questions one per message: Skip, Back,
// Later and a progress hint; each first answer earns promo points.
type questionnaire struct{}

func (questionnaire) Name() string { return flowProfile }

// answersOf loads the session customer's current answers and skips.
func answersOf(s *Session) (map[string]domain.Answer, map[string]bool, error) {
	return domain.LoadAnswers(s.Ctx, s.Tx, s.Customer.ID)
}

func startSection(s *Session, section string) error {
	qn := &s.e.Business.Questionnaire
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	answers, skipped, err := answersOf(s)
	if err != nil {
		return err
	}
	if !qn.SectionApplies(section, answers) {
		s.Toast("error.stale_button")
		return nil
	}
	if err := s.Tx.OfferSection(s.Ctx, s.Customer.ID, section, s.e.Now()); err != nil {
		return err
	}
	q := qn.Next(section, answers, skipped)
	if q == nil {
		s.Say("profile.section.already_done", nil)
		return nil
	}
	s.Conv.Reset()
	s.SetData("section", section)
	s.SetData("mode", "section")
	return s.Enter(flowProfile, stepPrefix+q.ID)
}

// editQuestion enters the flow at one question, to change its answer: the
// x:edit button of /profile, so only a question that applies.
func editQuestion(s *Session, id string) error {
	qn := &s.e.Business.Questionnaire
	q, ok := qn.Question(id)
	if !ok || !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	answers, _, err := answersOf(s)
	if err != nil {
		return err
	}
	if !qn.Applies(q, answers) {
		s.Toast("error.stale_button")
		return nil
	}
	s.Conv.Reset()
	s.SetData("section", q.Section)
	s.SetData("mode", "edit")
	preselect(s, q, answers)
	return s.Enter(flowProfile, stepPrefix+q.ID)
}

// preselect ticks the options of a multi question's current answer, so
// that changing it starts from what was chosen, not from nothing (Done
// at once keeps it).
func preselect(s *Session, q *domain.Question, answers map[string]domain.Answer) {
	if a, ok := answers[q.ID]; ok && q.Type == domain.QuestionMulti {
		s.SetData("sel", strings.Join(offered(q, a.Choice), ","))
	}
}

// offered keeps the ids that are options of q now: an option the owner
// removed shows no button to untick, so it must not hold up Done.
func offered(q *domain.Question, ids []string) []string {
	var out []string
	for _, id := range ids {
		if _, ok := q.Option(id); ok {
			out = append(out, id)
		}
	}
	return out
}

// selected is the ticked options of the multi question q, for Done.
func selected(s *Session, q *domain.Question) []string {
	if sel := s.Data("sel"); sel != "" {
		return offered(q, strings.Split(sel, ","))
	}
	return nil
}

// current returns the question of the current step.
func (questionnaire) current(s *Session) (*domain.Question, error) {
	id := strings.TrimPrefix(s.Conv.Step, stepPrefix)
	q, ok := s.e.Business.Questionnaire.Question(id)
	if !ok {
		return nil, fmt.Errorf("profile: question %q is no longer in the config", id)
	}
	return q, nil
}

func (f questionnaire) Ask(s *Session) error {
	q, err := f.current(s)
	if err != nil {
		// The owner removed the question meanwhile: leave gracefully.
		s.Leave()
		s.Say("profile.changed", nil)
		return nil
	}
	answers, _, err := answersOf(s)
	if err != nil {
		return err
	}
	var rows [][]Button
	ask, fq, more := q, q, ""
	if q.Type == domain.QuestionGroup {
		fq, rows, more = f.groupAsk(s, q)
		ask = fq
	}
	var text strings.Builder
	text.WriteString(s.notesText())
	if s.Data("mode") == "section" {
		n, total := position(&s.e.Business.Questionnaire, s.Data("section"), q.ID, answers)
		text.WriteString(s.T("profile.progress", map[string]any{"N": n, "Total": total}) + "\n")
	}
	if fq != nil {
		text.WriteString(s.e.textIn(ask.Text, s.Lang))
		rows = append(rows, f.choiceRows(s, fq)...)
	} else {
		text.WriteString(more)
	}
	var nav []Button
	if fq != nil && (fq.Optional || (q.Type == domain.QuestionGroup && q.Optional && s.Data("gitems") == "" && s.Data("gitem") == "")) {
		nav = append(nav, Button{Text: s.T("profile.skip", nil), Data: s.cb(flowProfile, s.Conv.Step, "skip")})
	}
	if s.Data("hist") != "" && s.Data("gitem") == "" {
		nav = append(nav, Button{Text: s.T("profile.back", nil), Data: s.cb(flowProfile, s.Conv.Step, "back")})
	}
	nav = append(nav, Button{Text: s.T("profile.later", nil), Data: s.cb(flowProfile, s.Conv.Step, "later")})
	rows = append(rows, nav)
	s.Edit(Reply{Text: strings.TrimSpace(text.String()), Inline: rows})
	return nil
}

// choiceRows are the answer buttons of choice, multi and yes/no questions.
func (questionnaire) choiceRows(s *Session, q *domain.Question) [][]Button {
	step := s.Conv.Step
	var rows [][]Button
	switch q.Type {
	case domain.QuestionYesNo:
		rows = append(rows, []Button{
			{Text: s.T("profile.yes", nil), Data: s.cb(flowProfile, step, "o:yes")},
			{Text: s.T("profile.no", nil), Data: s.cb(flowProfile, step, "o:no")},
		})
	case domain.QuestionChoice:
		// Options go by index: callback data is limited to 64 bytes. The
		// ids shown are kept, so a tap is read as the option it showed
		// even if the owner reorders the options meanwhile (optionID).
		keepOptions(s, q)
		for i, o := range q.Options {
			rows = append(rows, []Button{{Text: s.e.textIn(o.Text, s.Lang), Data: s.cb(flowProfile, step, "o:"+strconv.Itoa(i))}})
		}
	case domain.QuestionMulti:
		keepOptions(s, q)
		sel := strings.Split(s.Data("sel"), ",")
		for i, o := range q.Options {
			label := s.e.textIn(o.Text, s.Lang)
			if slices.Contains(sel, o.ID) {
				label = "✓ " + label
			}
			rows = append(rows, []Button{{Text: label, Data: s.cb(flowProfile, step, "t:"+strconv.Itoa(i))}})
		}
		rows = append(rows, []Button{{Text: s.T("profile.done", nil), Data: s.cb(flowProfile, step, "done")}})
	}
	return rows
}

// textIn picks a config text in lang, else the default language.
func (e *Engine) textIn(m map[string]string, lang string) string {
	if t, ok := m[lang]; ok {
		return t
	}
	return m[e.Business.DefaultLanguage]
}

func (f questionnaire) Handle(s *Session) error {
	q, err := f.current(s)
	if err != nil {
		s.Leave()
		s.Say("profile.changed", nil)
		return nil
	}
	if q.Type == domain.QuestionGroup {
		return f.handleGroup(s, q)
	}
	var ans domain.Answer
	switch s.In.Kind {
	case InputCallback:
		v := s.tapValue()
		switch {
		case v == "skip" && q.Optional:
			return f.save(s, q, nil)
		case v == "back":
			return f.back(s)
		case v == "later":
			return f.later(s)
		case strings.HasPrefix(v, "o:"):
			if ans, err = domain.ChoiceAnswer(q, []string{optionID(s, q, strings.TrimPrefix(v, "o:"))}); err != nil {
				return sayInvalid(s, err, f)
			}
		case strings.HasPrefix(v, "t:"):
			f.toggle(s, optionID(s, q, strings.TrimPrefix(v, "t:")))
			return f.Ask(s)
		case v == "done":
			if ans, err = domain.ChoiceAnswer(q, selected(s, q)); err != nil {
				return sayInvalid(s, err, f)
			}
		default:
			return f.Ask(s)
		}
	case InputText:
		if q.Type == domain.QuestionMulti {
			s.Say("common.use_buttons", nil)
			return f.Ask(s)
		}
		if ans, err = domain.ParseAnswer(q, s.In.Text, s.e.Now().In(s.e.location(s)), s.e.Business.ParsePhone); err != nil { // "today" at the store
			return sayAnswerInvalid(s, q, err, f)
		}
	default:
		s.Say("profile.hint", nil)
		return f.Ask(s)
	}
	return f.save(s, q, &ans)
}

func (questionnaire) toggle(s *Session, id string) {
	var sel []string
	if cur := s.Data("sel"); cur != "" {
		sel = strings.Split(cur, ",")
	}
	if i := slices.Index(sel, id); i >= 0 {
		sel = slices.Delete(sel, i, i+1)
	} else {
		sel = append(sel, id)
	}
	s.SetData("sel", strings.Join(sel, ","))
}

// save stores an answer (nil: skipped) through the Answer use case (the
// first-answer reward, the derived facts) and moves on.
func (f questionnaire) save(s *Session, q *domain.Question, ans *domain.Answer) error {
	res, err := s.e.Service.Answer(s.Ctx, s.Tx, s.Customer.ID, q, ans)
	if err != nil {
		return err
	}
	if res.Rewarded > 0 {
		s.noteReward(res.Rewarded)
	}
	answers, skipped, wasComplete := res.Answers, res.Skipped, res.WasComplete
	qn := &s.e.Business.Questionnaire
	for _, k := range []string{"sel", "gfield", "gitem", "gitems"} {
		delete(s.Conv.Data, k)
	}
	dropGroupDraft(s, q)
	if s.Data("mode") == "edit" {
		// Filling in what was skipped may complete the section.
		paid, err := s.completeSection(q.Section, answers)
		if err != nil {
			return err
		}
		s.announceSection(q.Section, answers, wasComplete, paid)
		s.Leave()
		s.Edit(Reply{Text: s.notesText() + s.T("profile.saved", nil)})
		return showProfile(s)
	}
	hist := s.Data("hist")
	if hist != "" {
		hist += ","
	}
	s.SetData("hist", hist+q.ID)
	section := s.Data("section")
	if next := qn.Next(section, answers, skipped); next != nil {
		s.Conv.Step = stepPrefix + next.ID
		return f.Ask(s)
	}
	return f.finish(s, section, answers)
}

// finish closes a section: the completion bonus once, and a thank-you.
func (questionnaire) finish(s *Session, section string, answers map[string]domain.Answer) error {
	qn := &s.e.Business.Questionnaire
	sec, _ := qn.Section(section)
	s.Leave()
	if qn.Completed(section, answers) {
		paid, err := s.completeSection(section, answers)
		if err != nil {
			return err
		}
		s.Edit(Reply{Text: s.notesText() + s.sectionDone(sec, paid)})
		return nil
	}
	s.Edit(Reply{Text: s.notesText() + s.T("profile.section.partly", nil)})
	return nil
}

// back returns to the previous question of this run.
func (f questionnaire) back(s *Session) error {
	hist := strings.Split(s.Data("hist"), ",")
	if len(hist) == 0 || hist[0] == "" {
		return f.Ask(s)
	}
	prev := hist[len(hist)-1]
	s.SetData("hist", strings.Join(hist[:len(hist)-1], ","))
	for _, k := range []string{"sel", "gfield", "gitem", "gitems"} {
		delete(s.Conv.Data, k)
	}
	s.Conv.Step = stepPrefix + prev
	if q, ok := s.e.Business.Questionnaire.Question(prev); ok && q.Type == domain.QuestionMulti {
		answers, _, err := answersOf(s)
		if err != nil {
			return err
		}
		preselect(s, q, answers)
	}
	return f.Ask(s)
}

// later pauses: answers so far are kept; /profile continues.
func (questionnaire) later(s *Session) error {
	s.Leave()
	s.Edit(Reply{Text: s.T("profile.later_saved", nil)})
	return nil
}

// sayAnswerInvalid is sayInvalid for an answer to q: a number out of
// range is told the numbers q takes ("from 1 to 30").
func sayAnswerInvalid(s *Session, q *domain.Question, err error, f Flow) error {
	var v *domain.ValidationError
	if errors.As(err, &v) && v.Reason == "error.answer.range" {
		s.Say(v.Reason, map[string]any{"Min": strconv.FormatInt(q.Min, 10), "Max": strconv.FormatInt(q.Max, 10)})
		return f.Ask(s)
	}
	return sayInvalid(s, err, f)
}

// optsKey is the conversation data key of the option ids the current
// step's buttons showed, in their order.
const optsKey = "opts"

// keepOptions records the option ids q's buttons show now.
func keepOptions(s *Session, q *domain.Question) {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	s.SetData(optsKey, strings.Join(ids, ","))
}

// optionID maps a button's option index back to the option id it showed
// (an id the config no longer has is refused by ChoiceAnswer as stale);
// yes/no buttons carry "yes"/"no" themselves.
func optionID(s *Session, q *domain.Question, v string) string {
	i, err := strconv.Atoi(v)
	if err != nil || q.Type == domain.QuestionYesNo {
		return v
	}
	shown := make([]string, len(q.Options))
	for j, o := range q.Options {
		shown[j] = o.ID
	}
	if kept := s.Data(optsKey); kept != "" {
		shown = strings.Split(kept, ",")
	}
	if i < 0 || i >= len(shown) {
		return ""
	}
	return shown[i]
}

// position is the current question's number among the section's questions
// that apply or may yet apply, for "Question 2 of 4": the total stays put
// as the customer answers (a "No" to "do you have a pet?" only ends the
// section early).
func position(qn *domain.Questionnaire, section, id string, answers map[string]domain.Answer) (n, total int) {
	for _, q := range qn.InSection(section) {
		if !qn.MayApply(q, answers) {
			continue
		}
		total++
		if q.ID == id {
			n = total
		}
	}
	return max(n, 1), total
}

func init() {
	registerFlow(questionnaire{})
	registerAction("section", startSection)
	registerAction("edit", editQuestion)
}
