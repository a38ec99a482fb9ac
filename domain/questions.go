package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// QuestionType says how a question is asked and how its answer is checked.
type QuestionType string

// The question types a business config can use.
const (
	QuestionText     QuestionType = "text"     // free text, up to 200 characters
	QuestionName     QuestionType = "name"     // a first name (ParseFirstName)
	QuestionEmail    QuestionType = "email"    // ParseEmail
	QuestionPhone    QuestionType = "phone"    // ParsePhone, stored as E.164
	QuestionDate     QuestionType = "date"     // any calendar date
	QuestionBirthday QuestionType = "birthday" // a date not in the future, at most 120 years ago
	QuestionNumber   QuestionType = "number"   // a whole number within Min..Max
	QuestionChoice   QuestionType = "choice"   // one of Options (inline buttons)
	QuestionMulti    QuestionType = "multi"    // any of Options (toggle buttons + Done)
	QuestionYesNo    QuestionType = "yesno"    // "yes" or "no"
	QuestionCity     QuestionType = "city"     // free text, like text
	QuestionGroup    QuestionType = "group"    // a repeating group of Fields ("add another?")
)

var questionTypes = []QuestionType{QuestionText, QuestionName, QuestionEmail, QuestionPhone,
	QuestionDate, QuestionBirthday, QuestionNumber, QuestionChoice, QuestionMulti, QuestionYesNo,
	QuestionCity, QuestionGroup}

// When a section is offered to a customer (Section.Offer).
const (
	OfferJoin          = "join"           // right after joining
	OfferFirstPurchase = "first_purchase" // after the first purchase
	OfferNudge         = "nudge"          // only when the nudge engine offers it
)

// DefaultGroupItems is how many items a group question takes when its Max
// is not set.
const DefaultGroupItems = 5

// Question is one profile question from the business config or a preset.
// Questions are data, so an owner adds one without code.
type Question struct {
	ID       string            // [a-z0-9_]{1,32}, unique in the questionnaire (in its group, for a field)
	Type     QuestionType      //
	Text     map[string]string // the question, per language
	Options  []Option          // choice and multi only
	Min, Max int64             // number: inclusive bounds, both 0 for none; group: Max items (0: DefaultGroupItems)
	Optional bool              // the customer may skip it for good
	Reward   int64             // promo points for the first answer
	Section  string            // the section id (empty for a group field)
	If       *Condition        // ask only when another question's answer matches
	Fields   []Question        // group only: the fields of one item
	Fact     string            // optional: name of the fact derived for segments (DeriveFacts)
}

// Option is one answer of a choice or multi question; its ID is what is
// stored, so texts can be reworded without touching answers.
type Option struct {
	ID   string
	Text map[string]string
}

// Condition makes a question depend on an earlier choice, multi or yes/no
// question: it holds when that question applies and its answer is (or, for
// multi, includes) Equals, an option id or "yes"/"no".
type Condition struct {
	Question string
	Equals   string
}

// Section groups questions that are offered together, so the customer
// answers a few at a time and the rest later.
type Section struct {
	ID    string
	Title map[string]string
	Offer string // OfferJoin, OfferFirstPurchase or OfferNudge
	Bonus int64  // promo points for completing the section
}

// Questionnaire is the profile questionnaire of a business: its sections
// and questions, in the order they are asked.
type Questionnaire struct {
	Sections  []Section
	Questions []Question
}

// MaxItems is how many items a group question accepts.
func (q *Question) MaxItems() int {
	if q.Max <= 0 {
		return DefaultGroupItems
	}
	return int(q.Max)
}

// Bounded reports whether a number question has bounds (Min and Max are not
// both zero).
func (q *Question) Bounded() bool { return q.Min != 0 || q.Max != 0 }

// Field finds a field of a group question by id.
func (q *Question) Field(id string) (*Question, bool) {
	for i := range q.Fields {
		if q.Fields[i].ID == id {
			return &q.Fields[i], true
		}
	}
	return nil, false
}

// Option finds an option of a choice or multi question by id.
func (q *Question) Option(id string) (*Option, bool) {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i], true
		}
	}
	return nil, false
}

// Question finds a top-level question by id.
func (qn *Questionnaire) Question(id string) (*Question, bool) {
	for i := range qn.Questions {
		if qn.Questions[i].ID == id {
			return &qn.Questions[i], true
		}
	}
	return nil, false
}

// Section finds a section by id.
func (qn *Questionnaire) Section(id string) (*Section, bool) {
	for i := range qn.Sections {
		if qn.Sections[i].ID == id {
			return &qn.Sections[i], true
		}
	}
	return nil, false
}

// InSection lists the questions of a section in the order they are asked.
func (qn *Questionnaire) InSection(section string) []*Question {
	var out []*Question
	for i := range qn.Questions {
		if qn.Questions[i].Section == section {
			out = append(out, &qn.Questions[i])
		}
	}
	return out
}

// Applies reports whether q is to be asked given the answers so far: it has
// no condition, or the question the condition is on applies itself and its
// answer matches. So changing "do you have a pet?" to "no" also hides the
// questions that depend on the pet's species.
func (qn *Questionnaire) Applies(q *Question, answers map[string]Answer) bool {
	// Validate refuses cycles; the bound keeps an unvalidated config finite.
	for range len(qn.Questions) + 1 {
		if q.If == nil {
			return true
		}
		a, ok := answers[q.If.Question]
		if !ok || !slices.Contains(a.Choice, q.If.Equals) {
			return false
		}
		if q, ok = qn.Question(q.If.Question); !ok {
			return false
		}
	}
	return false
}

// Next returns the next question of a section to ask: the first one that
// applies and is neither answered nor in skipped. answers holds all of the
// customer's answers (a condition may look at another section), keyed by
// question id. It returns nil when the section is done.
func (qn *Questionnaire) Next(section string, answers map[string]Answer, skipped map[string]bool) *Question {
	for _, q := range qn.InSection(section) {
		if _, done := answers[q.ID]; done || skipped[q.ID] {
			continue
		}
		if qn.Applies(q, answers) {
			return q
		}
	}
	return nil
}

// Progress counts the questions of a section that apply (total) and how many
// of them are answered or skipped (n), for a hint such as "3 of 5" where the
// question being asked is number n+1.
func (qn *Questionnaire) Progress(section string, answers map[string]Answer, skipped map[string]bool) (n, total int) {
	for _, q := range qn.InSection(section) {
		if !qn.Applies(q, answers) {
			continue
		}
		total++
		if _, done := answers[q.ID]; done || skipped[q.ID] {
			n++
		}
	}
	return n, total
}

// Completed reports whether every question of the section that applies has
// an answer; skipped ones do not count, so the section bonus pays for a
// finished profile, not for tapping Skip.
func (qn *Questionnaire) Completed(section string, answers map[string]Answer) bool {
	qs := qn.InSection(section)
	for _, q := range qs {
		if _, done := answers[q.ID]; !done && qn.Applies(q, answers) {
			return false
		}
	}
	return len(qs) > 0
}

var questionID = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

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
