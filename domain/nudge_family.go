package domain

import (
	"fmt"
	"slices"
)

// NudgeFamily: the birthday of a child or a pet, an item of a repeating
// group of the questionnaire (the "kids" and "pets" presets), at the
// rule's local time. The rule's Groups name the group questions; each
// item's first date or birthday field is the day, its first name field
// the name the message greets. One nudge per customer and day (the
// occurrence is the local date): twins are greeted together.
const NudgeFamily NudgeKind = "family_birthday"

// FamilyGroup is a group question a family birthday rule reads, with the
// fields of its items that hold the date and the name ("" for none): what
// the storage needs to find the day in the stored answers.
type FamilyGroup struct {
	Question  string
	DateField string
	NameField string
	// If are the conditions the group hangs on, its own and those of the
	// questions above it ("yes, a pet"): a customer whose answers no
	// longer meet them (the pet is gone) is not greeted for its items.
	If []Condition
}

// familyGroup finds a group question and its date and name fields; ok is
// false when the questionnaire has no such question.
func familyGroup(qn *Questionnaire, id string) (g FamilyGroup, ok bool, err error) {
	q, found := qn.Question(id)
	if !found {
		return g, false, nil
	}
	if q.Type != QuestionGroup {
		return g, true, fmt.Errorf("question %q is a %s, not a repeating group", id, q.Type)
	}
	g.Question = id
	for c, n := q, 0; c.If != nil && n <= len(qn.Questions); n++ {
		g.If = append(g.If, *c.If)
		if c, found = qn.Question(c.If.Question); !found {
			break
		}
	}
	for _, f := range q.Fields {
		switch {
		case (f.Type == QuestionBirthday || f.Type == QuestionDate) && g.DateField == "":
			g.DateField = f.ID
		case f.Type == QuestionName && g.NameField == "":
			g.NameField = f.ID
		}
	}
	if g.DateField == "" {
		return g, true, fmt.Errorf("group %q has no date or birthday field", id)
	}
	return g, true, nil
}

// familyGroups lists the rule's groups the questionnaire has: a built-in
// rule for a preset the business does not use finds none and is idle.
func familyGroups(qn *Questionnaire, r NudgeRule) []FamilyGroup {
	var out []FamilyGroup
	for _, id := range r.Groups {
		if g, ok, err := familyGroup(qn, id); ok && err == nil {
			out = append(out, g)
		}
	}
	return out
}

// validateFamily checks a family birthday rule: it names groups, each a
// repeating group with a date field. A built-in rule naming its preset's
// group (children, pets) is no error where that preset is not used; an
// owner's rule naming a question that does not exist is.
func validateFamily(b *Business, r NudgeRule, bad func(field, problem string) error) error {
	if len(r.Groups) == 0 {
		return bad("groups", `name the repeating group questions, e.g. ["children"]`)
	}
	builtin := false
	for _, d := range DefaultNudges().Rules {
		if d.ID == r.ID && slices.Equal(d.Groups, r.Groups) {
			builtin = true
		}
	}
	for _, id := range r.Groups {
		_, ok, err := familyGroup(&b.Questionnaire, id)
		switch {
		case err != nil:
			return bad("groups", err.Error())
		case !ok && !builtin:
			return bad("groups", fmt.Sprintf("no question %q in the questionnaire", id))
		}
	}
	return nil
}
