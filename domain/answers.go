package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Answer is what is stored (as JSON) for one question; which field is set
// depends on the question type.
type Answer struct {
	Text   string              `json:"text,omitempty"`   // text, name, city, email (normalised), phone (E.164)
	Date   string              `json:"date,omitempty"`   // date, birthday: "2006-01-02"
	Number *int64              `json:"number,omitempty"` // number
	Choice []string            `json:"choice,omitempty"` // choice (1 id), multi (0..n ids), yesno ("yes"/"no")
	Items  []map[string]Answer `json:"items,omitempty"`  // group: field id → answer, one map per item
}

const (
	maxAnswerRunes = 200
	maxEmailLen    = 254
	maxAnswerAge   = 120 // years, for a birthday and how long ago a date may be
	maxDateAhead   = 10  // years a plain date may be ahead
)

// ParseAnswer checks what a customer typed for a question and returns the
// answer to store. Reasons are *ValidationError ids: "error.answer.text"
// (empty or over 200 characters), "error.answer.email", "error.answer.date",
// "error.answer.no_such_day" (31.02), "error.answer.future" (a birthday after today), "error.answer.too_old" (a
// birthday or date more than 120 years ago), "error.answer.too_far" (a
// date more than 10 years ahead), "error.answer.number",
// "error.answer.range" (outside Min..Max), "error.answer.choice" (typed text
// that names no option), "error.name.invalid", "error.phone.invalid".
//
// Choice and yes/no questions also take a typed option id or option text in
// any language ("да", "no", "Кошка"), so a customer who types instead of
// tapping is understood; multi questions take only ChoiceAnswer. A group is
// not answered by text: ParseAnswer returns a plain error for it. "Today"
// for a birthday is now's calendar day in now's location. A phone is read
// by phones, the business's reader (nil: ParsePhone).
func ParseAnswer(q *Question, input string, now time.Time, phones PhoneReader) (Answer, error) {
	switch q.Type {
	case QuestionText, QuestionCity:
		s, err := parseAnswerText(input)
		return Answer{Text: s}, err
	case QuestionName:
		s, err := ParseFirstName(input)
		return Answer{Text: s}, err
	case QuestionEmail:
		s, err := ParseEmail(input)
		return Answer{Text: s}, err
	case QuestionPhone:
		if phones == nil {
			phones = ParsePhone
		}
		s, err := phones(input)
		return Answer{Text: s}, err
	case QuestionDate, QuestionBirthday:
		d, err := ParseDate(input, now)
		if err != nil {
			return Answer{}, err
		}
		if q.Type == QuestionBirthday && d.After(day0(now)) {
			return Answer{}, Invalid("error.answer.future")
		}
		if d.After(day0(now).AddDate(maxDateAhead, 0, 0)) {
			return Answer{}, Invalid("error.answer.too_far") // 12.03.9999
		}
		if AgeYears(d, now) > maxAnswerAge {
			return Answer{}, Invalid("error.answer.too_old")
		}
		return Answer{Date: d.Format(time.DateOnly)}, nil
	case QuestionNumber:
		n, err := ParseInt(input)
		if err != nil {
			return Answer{}, err
		}
		if q.Bounded() && (n < q.Min || n > q.Max) {
			return Answer{}, &ValidationError{Reason: "error.answer.range", Detail: fmt.Sprintf("%d not in %d..%d", n, q.Min, q.Max)}
		}
		return Answer{Number: &n}, nil
	case QuestionChoice, QuestionYesNo:
		if id, ok := typedChoice(q, input); ok {
			return Answer{Choice: []string{id}}, nil
		}
		return Answer{}, Invalid("error.answer.choice")
	case QuestionMulti:
		return Answer{}, Invalid("error.answer.choice")
	}
	return Answer{}, fmt.Errorf("question %q of type %q is not answered by text", q.ID, q.Type)
}

// ChoiceAnswer checks the option ids tapped for a choice (exactly one),
// multi (any number, each once; stored in option order) or yes/no ("yes" or
// "no") question. A stale button from an older config is refused with
// reason "error.answer.choice".
func ChoiceAnswer(q *Question, ids []string) (Answer, error) {
	bad := func(detail string) error { return &ValidationError{Reason: "error.answer.choice", Detail: detail} }
	switch q.Type {
	case QuestionYesNo:
		if len(ids) != 1 || (ids[0] != "yes" && ids[0] != "no") {
			return Answer{}, bad("want yes or no")
		}
		return Answer{Choice: []string{ids[0]}}, nil
	case QuestionChoice:
		if len(ids) != 1 {
			return Answer{}, bad("want exactly one option")
		}
	case QuestionMulti:
	default:
		return Answer{}, fmt.Errorf("question %q of type %q is not answered by buttons", q.ID, q.Type)
	}
	for i, id := range ids {
		if _, ok := q.Option(id); !ok {
			return Answer{}, bad("unknown option " + strconv.Quote(id))
		}
		if slices.Contains(ids[:i], id) {
			return Answer{}, bad("option chosen twice")
		}
	}
	var out []string
	for _, o := range q.Options {
		if slices.Contains(ids, o.ID) {
			out = append(out, o.ID)
		}
	}
	return Answer{Choice: out}, nil
}

// yesNoWords are the typed answers to a yes/no question, in English,
// Russian and Uzbek (Latin and Cyrillic; apostrophes folded by
// foldApostrophes first).
var yesNoWords = map[string]string{"yes": "yes", "y": "yes", "да": "yes", "д": "yes", "no": "no", "n": "no", "нет": "no", "н": "no",
	"ha": "yes", "xa": "yes", "ҳа": "yes", "ха": "yes", "yoʻq": "no", "yoq": "no", "йўқ": "no", "йук": "no"}

// apostrophes are the marks people type for the Uzbek oʻ, gʻ and the
// tutuq belgisi: an ASCII apostrophe, curly quotes, a backtick or the
// modifier letters CLDR uses.
var apostrophes = strings.NewReplacer("'", "ʻ", "‘", "ʻ", "’", "ʻ", "`", "ʻ", "ʼ", "ʻ")

// foldApostrophes lower-cases s, collapses its spaces and writes every
// apostrophe alike, so "Oʻgʻil bola" typed as "o'g'il bola" still matches.
func foldApostrophes(s string) string {
	return apostrophes.Replace(strings.ToLower(strings.Join(strings.Fields(s), " ")))
}

// typedChoice matches typed text to an option of a choice or yes/no question.
func typedChoice(q *Question, input string) (string, bool) {
	s := foldApostrophes(input)
	if s == "" {
		return "", false
	}
	if q.Type == QuestionYesNo {
		id, ok := yesNoWords[s]
		return id, ok
	}
	for _, o := range q.Options {
		if s == o.ID {
			return o.ID, true
		}
		for _, t := range o.Text {
			if s == foldApostrophes(t) {
				return o.ID, true
			}
		}
	}
	return "", false
}

// parseAnswerText trims a free-text answer and joins its lines and runs of
// spaces into single spaces, so it shows well in the owner's lists.
func parseAnswerText(s string) (string, error) {
	bad := func(detail string) error { return &ValidationError{Reason: "error.answer.text", Detail: detail} }
	if len(s) > 8*maxAnswerRunes || !utf8.ValidString(s) {
		return "", bad("too long or invalid UTF-8")
	}
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n == 0 || n > maxAnswerRunes {
		return "", bad("length")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cs, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return "", bad("control character")
		}
	}
	return s, nil
}

// ParseEmail checks an e-mail address simply but strictly: one "@", a local
// part of letters, digits, dots (not first, last or doubled) and
// !#$%&'*+-/=?^_`{|}~, a domain of at least two dot-separated labels of
// letters, digits and inner hyphens whose last label is not all digits, no
// spaces, at most 254 bytes. Surrounding space is trimmed and the domain is
// lower-cased (the local part is kept as typed: some servers tell case).
// Errors are *ValidationError with reason "error.answer.email".
func ParseEmail(s string) (string, error) {
	bad := func(detail string) error { return &ValidationError{Reason: "error.answer.email", Detail: detail} }
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4*maxEmailLen || !utf8.ValidString(s) {
		return "", bad("empty, too long or invalid UTF-8")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", bad("needs exactly one @")
	}
	if local == "" || len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", bad("local part")
	}
	for _, r := range local {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r) {
			return "", bad("local part character")
		}
	}
	domain = strings.ToLower(domain)
	labels := strings.Split(domain, ".")
	if len(domain) > 253 || len(labels) < 2 {
		return "", bad("domain needs a dot")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad("domain label")
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return "", bad("domain character")
			}
		}
	}
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return "", bad("numeric top-level domain")
	}
	s = local + "@" + domain
	if len(s) > maxEmailLen {
		return "", bad("longer than 254 bytes")
	}
	return s, nil
}

// ParseInt reads a whole number as people type it: digits, optionally
// grouped by threes with spaces ("1 000", also no-break and thin spaces;
// not "1 2", which is two numbers), with an
// optional leading minus. Errors are *ValidationError with reason
// "error.answer.number".
func ParseInt(s string) (int64, error) {
	bad := func(detail string) error { return &ValidationError{Reason: "error.answer.number", Detail: detail} }
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return 0, bad("too long")
	}
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	} else if rest, ok := strings.CutPrefix(s, "−"); ok { // U+2212 MINUS SIGN
		neg, s = true, rest
	}
	isSpace := func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' }
	groups := strings.FieldsFunc(s, isSpace)
	for i, g := range groups {
		for _, r := range g {
			if r < '0' || r > '9' {
				return 0, bad("not a digit")
			}
		}
		// "1 000 000", not "1 2" or "2015 2018": groups of three after
		// the first, or two numbers would be read as one.
		if len(groups) > 1 && (len(g) > 3 || (i > 0 && len(g) != 3)) {
			return 0, bad("digits not grouped by three")
		}
	}
	digits := strings.Join(groups, "")
	if digits == "" {
		return 0, bad("no digits")
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, bad("out of range")
	}
	return n, nil
}

// day0 is the calendar day of t as a UTC midnight, so dates compare as days.
func day0(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AgeYears is the age in whole years on now's calendar day of someone (or
// something) born on the date birth; someone born on 29 February turns a
// year older on 1 March in other years.
func AgeYears(birth, now time.Time) int {
	by, bm, bd := birth.Date()
	ny, nm, nd := now.Date()
	age := ny - by
	if nm < bm || (nm == bm && nd < bd) {
		age--
	}
	return age
}

// DeriveFacts turns answers into flat facts that segments compare without
// knowing the questionnaire, so "has a child under 3", "has a dog" and "car
// older than 8 years" become child_youngest_age_years < 3, pet_species
// contains "dog" and car_year_age_years > 8. For every question with a Fact
// that applies and is answered:
//
//   - fact → the answer: text as is, a date as yyyy-mm-dd, a number in
//     decimal, choice, multi and yes/no ids joined with ",";
//   - a date or birthday also gives fact_age_years, and a number whose id is
//     "year" or ends in "_year" gives fact_age_years = now's year − it;
//   - a group gives fact_count (items); for its first date or birthday
//     field fact_youngest_age_years; for a number field named "year" (or
//     "…_year") fact_oldest_age_years = now's year − the smallest year; and
//     for each choice, multi or yes/no field fact_<field> → the ids chosen
//     in any item, in option order, joined with ",".
//
// Ages are whole years on now's calendar day.
func DeriveFacts(qn *Questionnaire, answers map[string]Answer, now time.Time) map[string]string {
	facts := map[string]string{}
	for i := range qn.Questions {
		q := &qn.Questions[i]
		a, ok := answers[q.ID]
		if q.Fact == "" || !ok || !qn.Applies(q, answers) {
			continue
		}
		if q.Type == QuestionGroup {
			groupFacts(facts, q, a.Items, now)
			continue
		}
		v, age := answerFact(q, a, now)
		facts[q.Fact] = v
		if age != "" {
			facts[q.Fact+"_age_years"] = age
		}
	}
	return facts
}

// answerFact is the fact value of a non-group answer and, for dates and
// years, the age it gives ("" for none).
func answerFact(q *Question, a Answer, now time.Time) (v, age string) {
	switch q.Type {
	case QuestionDate, QuestionBirthday:
		if d, err := time.Parse(time.DateOnly, a.Date); err == nil {
			return a.Date, strconv.Itoa(AgeYears(d, now))
		}
		return a.Date, ""
	case QuestionNumber:
		if a.Number == nil {
			return "", ""
		}
		v := strconv.FormatInt(*a.Number, 10)
		if isYearField(q) {
			return v, strconv.FormatInt(int64(now.Year())-*a.Number, 10)
		}
		return v, ""
	case QuestionChoice, QuestionMulti, QuestionYesNo:
		return strings.Join(a.Choice, ","), ""
	}
	return a.Text, ""
}

func isYearField(q *Question) bool {
	return q.Type == QuestionNumber && (q.ID == "year" || strings.HasSuffix(q.ID, "_year"))
}

// groupFacts adds the facts of a group's items.
func groupFacts(facts map[string]string, q *Question, items []map[string]Answer, now time.Time) {
	facts[q.Fact+"_count"] = strconv.Itoa(len(items))
	dated, yeared := false, false
	for _, f := range q.Fields {
		switch {
		case (f.Type == QuestionDate || f.Type == QuestionBirthday) && !dated:
			dated = true
			youngest := -1
			for _, it := range items {
				if d, err := time.Parse(time.DateOnly, it[f.ID].Date); err == nil {
					if age := AgeYears(d, now); youngest < 0 || age < youngest {
						youngest = age
					}
				}
			}
			if youngest >= 0 {
				facts[q.Fact+"_youngest_age_years"] = strconv.Itoa(youngest)
			}
		case isYearField(&f) && !yeared:
			yeared = true
			oldest, found := int64(0), false
			for _, it := range items {
				if n := it[f.ID].Number; n != nil && (!found || *n < oldest) {
					oldest, found = *n, true
				}
			}
			if found {
				facts[q.Fact+"_oldest_age_years"] = strconv.FormatInt(int64(now.Year())-oldest, 10)
			}
		case f.Type == QuestionChoice || f.Type == QuestionMulti || f.Type == QuestionYesNo:
			chosen := map[string]bool{}
			for _, it := range items {
				for _, id := range it[f.ID].Choice {
					chosen[id] = true
				}
			}
			order := []string{"yes", "no"}
			if f.Type != QuestionYesNo {
				order = nil
				for _, o := range f.Options {
					order = append(order, o.ID)
				}
			}
			var ids []string
			for _, id := range order {
				if chosen[id] {
					ids = append(ids, id)
				}
			}
			facts[q.Fact+"_"+f.ID] = strings.Join(ids, ",")
		}
	}
}
