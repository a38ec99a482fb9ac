package domain

import (
	"regexp"
	"slices"
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
	return qn.applies(q, answers, false)
}

// MayApply reports whether q may still be asked given the answers so far:
// it applies, or a question it hangs on is not answered yet ("your pet's
// name" before "do you have a pet?"). A progress count ("question 1 of
// 2") counts these, so it does not grow as the customer answers.
func (qn *Questionnaire) MayApply(q *Question, answers map[string]Answer) bool {
	return qn.applies(q, answers, true)
}

// applies walks q's conditions up; an unanswered one reads as undecided.
func (qn *Questionnaire) applies(q *Question, answers map[string]Answer, undecided bool) bool {
	// Validate refuses cycles; the bound keeps an unvalidated config finite.
	for range len(qn.Questions) + 1 {
		if q.If == nil {
			return true
		}
		a, ok := answers[q.If.Question]
		if !ok {
			return undecided
		}
		if !slices.Contains(a.Choice, q.If.Equals) {
			return false
		}
		if q, ok = qn.Question(q.If.Question); !ok {
			return false
		}
	}
	return false
}

// SectionApplies reports whether the section exists and at least one of
// its questions applies given the answers: whether the customer may be
// asked it at all. A section whose every question hangs on an answer not
// given ("your dog" while "do you have a pet?" is not yes) does not.
func (qn *Questionnaire) SectionApplies(section string, answers map[string]Answer) bool {
	if _, ok := qn.Section(section); !ok {
		return false
	}
	for _, q := range qn.InSection(section) {
		if qn.Applies(q, answers) {
			return true
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
