package flows

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// A repeating group (children, pets) is asked field by field, item by
// item, then "add another?" up to the group's limit. The item being filled
// ("gitem"), the finished items ("gitems") and the current field
// ("gfield"; empty at the "add another?" prompt) live in the conversation,
// and a copy of them in "gdraft", which leaving the step keeps
// (domain.Conversation.Reset): Later, /profile or any other way out loses
// nothing typed so far, and the group asked again goes on from there.

func groupItems(s *Session) []map[string]domain.Answer {
	var items []map[string]domain.Answer
	if raw := s.Data("gitems"); raw != "" {
		json.Unmarshal([]byte(raw), &items) //nolint:errcheck // written by us just before
	}
	return items
}

func groupItem(s *Session) map[string]domain.Answer {
	item := map[string]domain.Answer{}
	if raw := s.Data("gitem"); raw != "" {
		json.Unmarshal([]byte(raw), &item) //nolint:errcheck
	}
	return item
}

// keepGroupDraft copies group q's progress to the draft leaving keeps.
func keepGroupDraft(s *Session, q *domain.Question) {
	setJSON(s, domain.ConvGroupDraft, map[string]string{
		"q": q.ID, "gitems": s.Data("gitems"), "gitem": s.Data("gitem"), "gfield": s.Data("gfield")})
}

// restoreGroupDraft puts back the progress of group q kept when the
// customer left it, reporting whether there was any.
func restoreGroupDraft(s *Session, q *domain.Question) bool {
	var d map[string]string
	if raw := s.Data(domain.ConvGroupDraft); raw == "" || json.Unmarshal([]byte(raw), &d) != nil || d["q"] != q.ID {
		return false
	}
	restored := false
	for _, k := range []string{"gitems", "gitem", "gfield"} {
		if d[k] != "" {
			s.SetData(k, d[k])
			restored = true
		}
	}
	return restored
}

// dropGroupDraft ends the draft of group q once q is answered or
// skipped; a draft of another group, left with Later, waits for its
// Continue whatever else is answered meanwhile.
func dropGroupDraft(s *Session, q *domain.Question) {
	var d map[string]string
	if raw := s.Data(domain.ConvGroupDraft); raw != "" && (json.Unmarshal([]byte(raw), &d) != nil || d["q"] == q.ID) {
		delete(s.Conv.Data, domain.ConvGroupDraft)
	}
}

func setJSON(s *Session, key string, v any) {
	b, _ := json.Marshal(v)
	s.SetData(key, string(b))
}

// groupField is the field being asked, nil at the "add another?" prompt.
func groupField(s *Session, q *domain.Question) *domain.Question {
	id := s.Data("gfield")
	if id == "" && s.Data("gitem") == "" && s.Data("gitems") == "" && restoreGroupDraft(s, q) {
		id = s.Data("gfield")
	}
	if id == "" && s.Data("gitem") == "" && s.Data("gitems") == "" {
		return &q.Fields[0] // a fresh group starts at its first field
	}
	if f, ok := q.Field(id); ok {
		return f
	}
	return nil
}

// groupAsk returns the field to ask (with the item number in the text) or
// nil, the "add another?" buttons and the text that asks it: the items
// saved so far, each in a line.
func (questionnaire) groupAsk(s *Session, q *domain.Question) (*domain.Question, [][]Button, string) {
	f := groupField(s, q)
	if f != nil {
		n := len(groupItems(s)) + 1
		cp := *f
		cp.Text = map[string]string{}
		for lang, t := range f.Text {
			cp.Text[lang] = s.e.textIn(q.Text, lang) + "\n" + s.T("profile.group.item", map[string]any{"N": n}) + " " + t
		}
		return &cp, nil, ""
	}
	step := s.Conv.Step
	items := groupItems(s)
	var text strings.Builder
	text.WriteString(s.e.textIn(q.Text, s.Lang))
	for i, item := range items {
		var parts []string
		for j := range q.Fields {
			if a, ok := item[q.Fields[j].ID]; ok {
				if t := s.e.answerText(&q.Fields[j], a, s.Lang); t != "" {
					parts = append(parts, t)
				}
			}
		}
		fmt.Fprintf(&text, "\n%d. %s", i+1, strings.Join(parts, " · "))
	}
	text.WriteString("\n" + s.T("profile.group.ask_more", nil))
	return nil, [][]Button{
		{{Text: s.T("profile.group.more", nil), Data: s.cb(flowProfile, step, "more")}},
		{{Text: s.T("profile.group.enough", nil), Data: s.cb(flowProfile, step, "enough")}},
	}, text.String()
}

func (f questionnaire) handleGroup(s *Session, q *domain.Question) error {
	field := groupField(s, q)
	if s.In.Kind == InputCallback {
		v := s.tapValue()
		switch {
		case v == "back":
			return f.back(s)
		case v == "later":
			return f.later(s)
		case v == "more" && field == nil:
			s.SetData("gfield", q.Fields[0].ID)
			s.SetData("gitem", "{}")
			keepGroupDraft(s, q)
			return f.Ask(s)
		case v == "enough" && field == nil:
			return f.save(s, q, &domain.Answer{Items: groupItems(s)})
		case v == "skip" && field != nil && q.Optional && s.Data("gitem") == "" && s.Data("gitems") == "":
			return f.save(s, q, nil) // no children, no pets: skip the whole group
		case v == "skip" && field != nil && field.Optional:
			return f.nextField(s, q, field, nil)
		}
	}
	if field == nil {
		s.Say("common.use_buttons", nil)
		return f.Ask(s)
	}
	var ans domain.Answer
	var err error
	switch {
	case s.In.Kind == InputCallback:
		v := s.tapValue()
		switch {
		case strings.HasPrefix(v, "o:") && (field.Type == domain.QuestionChoice || field.Type == domain.QuestionYesNo):
			ans, err = domain.ChoiceAnswer(field, []string{optionID(s, field, strings.TrimPrefix(v, "o:"))})
		case strings.HasPrefix(v, "t:") && field.Type == domain.QuestionMulti:
			f.toggle(s, optionID(s, field, strings.TrimPrefix(v, "t:")))
			return f.Ask(s)
		case v == "done" && field.Type == domain.QuestionMulti:
			ans, err = domain.ChoiceAnswer(field, selected(s, field))
		default:
			// A tap meant for another field of the group (a double tap on
			// the pet's kind reaching its name): stale, asked again.
			s.Toast("error.stale_button")
			return f.Ask(s)
		}
	case s.In.Kind == InputText && field.Type != domain.QuestionMulti:
		ans, err = domain.ParseAnswer(field, s.In.Text, s.e.Now().In(s.e.location(s)), s.e.Business.ParsePhone) // "today" is the store's
	default:
		s.Say("profile.hint", nil)
		return f.Ask(s)
	}
	if err != nil {
		return sayAnswerInvalid(s, field, err, f)
	}
	return f.nextField(s, q, field, &ans)
}

// nextField stores a field's answer (nil: skipped) and moves to the next
// field, or closes the item.
func (f questionnaire) nextField(s *Session, q *domain.Question, field *domain.Question, ans *domain.Answer) error {
	item := groupItem(s)
	if ans != nil {
		item[field.ID] = *ans
	}
	delete(s.Conv.Data, "sel") // a multi field's ticks are its own
	for i := range q.Fields {
		if q.Fields[i].ID == field.ID && i+1 < len(q.Fields) {
			setJSON(s, "gitem", item)
			s.SetData("gfield", q.Fields[i+1].ID)
			keepGroupDraft(s, q)
			return f.Ask(s)
		}
	}
	items := append(groupItems(s), item)
	setJSON(s, "gitems", items)
	s.SetData("gitem", "")
	s.SetData("gfield", "")
	keepGroupDraft(s, q)
	if len(items) >= q.MaxItems() {
		return f.save(s, q, &domain.Answer{Items: items})
	}
	return f.Ask(s)
}
