package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Validate checks the questionnaire against the business languages and
// returns the first problem as a *FieldError naming it, e.g.
// "questionnaire.questions[3].if: condition on unknown question \"pet\"".
func (qn *Questionnaire) Validate(languages []string) error {
	v := questionnaireCheck{languages: languages}
	sections := map[string]bool{}
	for i, s := range qn.Sections {
		f := fmt.Sprintf("questionnaire.sections[%d]", i)
		switch {
		case !questionID.MatchString(s.ID):
			return v.bad(f+".id", "%q must be 1-32 of a-z, 0-9 and _", s.ID)
		case sections[s.ID]:
			return v.bad(f+".id", "%q is used twice", s.ID)
		case s.Offer != OfferJoin && s.Offer != OfferFirstPurchase && s.Offer != OfferNudge:
			return v.bad(f+".offer", "%q must be %q, %q or %q", s.Offer, OfferJoin, OfferFirstPurchase, OfferNudge)
		case s.Bonus < 0:
			return v.bad(f+".bonus", "must not be negative")
		case len(qn.InSection(s.ID)) == 0:
			return v.bad(f, "section %q has no questions", s.ID)
		}
		if err := v.texts(f+".title", s.Title); err != nil {
			return err
		}
		sections[s.ID] = true
	}
	ids, facts := map[string]bool{}, map[string]bool{}
	for i := range qn.Questions {
		q := &qn.Questions[i]
		f := fmt.Sprintf("questionnaire.questions[%d]", i)
		if ids[q.ID] {
			return v.bad(f+".id", "%q is used twice", q.ID)
		}
		ids[q.ID] = true
		if err := v.question(f, q, false); err != nil {
			return err
		}
		if !sections[q.Section] {
			return v.bad(f+".section", "unknown section %q", q.Section)
		}
		if q.Fact != "" {
			if !questionID.MatchString(q.Fact) {
				return v.bad(f+".fact", "%q must be 1-32 of a-z, 0-9 and _", q.Fact)
			}
			if facts[q.Fact] {
				return v.bad(f+".fact", "%q is used twice", q.Fact)
			}
			facts[q.Fact] = true
		}
	}
	for i := range qn.Questions {
		if err := qn.checkCondition(fmt.Sprintf("questionnaire.questions[%d].if", i), i); err != nil {
			return err
		}
	}
	return nil
}

// checkCondition checks the condition of the i-th question.
func (qn *Questionnaire) checkCondition(f string, i int) error {
	c := qn.Questions[i].If
	if c == nil {
		return nil
	}
	bad := questionnaireCheck{}.bad
	target := slices.IndexFunc(qn.Questions, func(q Question) bool { return q.ID == c.Question })
	if target < 0 {
		return bad(f, "condition on unknown question %q", c.Question)
	}
	path := []string{qn.Questions[i].ID}
	for j := target; ; {
		path = append(path, qn.Questions[j].ID)
		if j == i {
			return bad(f, "cycle of conditions: %s", strings.Join(path, " → "))
		}
		next := qn.Questions[j].If
		if next == nil || len(path) > len(qn.Questions) {
			break
		}
		if j = slices.IndexFunc(qn.Questions, func(q Question) bool { return q.ID == next.Question }); j < 0 {
			break
		}
	}
	if target > i {
		return bad(f, "condition on %q, which is asked later", c.Question)
	}
	t := &qn.Questions[target]
	switch t.Type {
	case QuestionChoice, QuestionMulti:
		if _, ok := t.Option(c.Equals); !ok {
			return bad(f, "question %q has no option %q", c.Question, c.Equals)
		}
	case QuestionYesNo:
		if c.Equals != "yes" && c.Equals != "no" {
			return bad(f, "question %q is answered \"yes\" or \"no\", not %q", c.Question, c.Equals)
		}
	default:
		return bad(f, "condition on %q, a %s question: only choice, multi and yesno questions can be conditions", c.Question, t.Type)
	}
	return nil
}

// questionnaireCheck holds what the checks of one questionnaire share.
type questionnaireCheck struct{ languages []string }

func (questionnaireCheck) bad(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// texts checks that a text has a non-empty translation for every language.
func (v questionnaireCheck) texts(f string, m map[string]string) error {
	for _, l := range v.languages {
		if strings.TrimSpace(m[l]) == "" {
			return v.bad(f, "missing the %q translation", l)
		}
	}
	return nil
}

// question checks one question or, with field set, one field of a group.
func (v questionnaireCheck) question(f string, q *Question, field bool) error {
	if !questionID.MatchString(q.ID) {
		return v.bad(f+".id", "%q must be 1-32 of a-z, 0-9 and _", q.ID)
	}
	if !slices.Contains(questionTypes, q.Type) {
		return v.bad(f+".type", "unknown type %q; use one of %v", q.Type, questionTypes)
	}
	if err := v.texts(f+".text", q.Text); err != nil {
		return err
	}
	if q.Reward < 0 {
		return v.bad(f+".reward", "must not be negative")
	}
	if field {
		switch {
		case q.Type == QuestionGroup:
			return v.bad(f+".type", "a group cannot hold another group")
		case q.If != nil:
			return v.bad(f+".if", "fields of a group cannot have conditions")
		case q.Reward != 0:
			return v.bad(f+".reward", "set the reward on the group, not on its fields")
		case q.Fact != "":
			return v.bad(f+".fact", "set the fact on the group, not on its fields")
		case q.Section != "":
			return v.bad(f+".section", "fields belong to their group's section")
		}
	}
	switch q.Type {
	case QuestionChoice, QuestionMulti:
		if len(q.Options) == 0 {
			return v.bad(f+".options", "a %s question needs options", q.Type)
		}
		seen := map[string]bool{}
		for j, o := range q.Options {
			of := fmt.Sprintf("%s.options[%d]", f, j)
			if !questionID.MatchString(o.ID) {
				return v.bad(of+".id", "%q must be 1-32 of a-z, 0-9 and _", o.ID)
			}
			if seen[o.ID] {
				return v.bad(of+".id", "%q is used twice", o.ID)
			}
			seen[o.ID] = true
			if err := v.texts(of+".text", o.Text); err != nil {
				return err
			}
		}
	case QuestionNumber:
		if q.Min > q.Max {
			return v.bad(f+".min", "min %d is greater than max %d", q.Min, q.Max)
		}
	case QuestionGroup:
		if q.Min != 0 {
			return v.bad(f+".min", "a group takes no min; max is its number of items")
		}
		if q.Max < 0 {
			return v.bad(f+".max", "must not be negative")
		}
		if len(q.Fields) == 0 {
			return v.bad(f+".fields", "a group needs fields")
		}
		seen := map[string]bool{}
		for j := range q.Fields {
			ff := fmt.Sprintf("%s.fields[%d]", f, j)
			if seen[q.Fields[j].ID] {
				return v.bad(ff+".id", "%q is used twice", q.Fields[j].ID)
			}
			seen[q.Fields[j].ID] = true
			if err := v.question(ff, &q.Fields[j], true); err != nil {
				return err
			}
		}
	}
	if len(q.Options) > 0 && q.Type != QuestionChoice && q.Type != QuestionMulti {
		return v.bad(f+".options", "only choice and multi questions have options")
	}
	if len(q.Fields) > 0 && q.Type != QuestionGroup {
		return v.bad(f+".fields", "only group questions have fields")
	}
	if (q.Min != 0 || q.Max != 0) && q.Type != QuestionNumber && q.Type != QuestionGroup {
		return v.bad(f+".min", "only number and group questions have min and max")
	}
	return nil
}
