package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantReason checks that err is a *ValidationError with the reason.
func wantReason(t *testing.T, what string, err error, reason string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Reason != reason || !errors.Is(err, ErrInvalid) {
		t.Errorf("%s: error %v, want %s", what, err, reason)
	}
}

func TestAnswerParseEmail(t *testing.T) {
	tests := []struct{ in, want string }{ // want "" means refused
		{"anna@example.com", "anna@example.com"},
		{"  Anna.Petrova+shop@Mail.RU ", "Anna.Petrova+shop@mail.ru"},
		{"a@b.co", "a@b.co"},
		{"user@sub.domain-x.example.org", "user@sub.domain-x.example.org"},
		{"анна@почта.рф", "анна@почта.рф"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"x@xn--80a1acny.xn--p1ai", "x@xn--80a1acny.xn--p1ai"},

		{"", ""},
		{"anna", ""},
		{"anna@", ""},
		{"@example.com", ""},
		{"anna@example", ""},
		{"anna@@example.com", ""},
		{"a@b@example.com", ""},
		{"anna petrova@example.com", ""},
		{"anna@exa mple.com", ""},
		{".anna@example.com", ""},
		{"anna.@example.com", ""},
		{"an..na@example.com", ""},
		{"anna@example..com", ""},
		{"anna@.example.com", ""},
		{"anna@example.com.", ""},
		{"anna@-example.com", ""},
		{"anna@example-.com", ""},
		{"anna@192.168.0.1", ""},
		{"anna@exa_mple.com", ""},
		{"<anna@example.com>", ""},
		{"anna@example.com\n", "anna@example.com"},
		{"an\nna@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 64) + ".com", ""},
		{longEmail(1), longEmail(1)}, // a 247-byte domain, 249 bytes in all
		{longEmail(10), ""},          // 258 bytes
	}
	for _, tt := range tests {
		got, err := ParseEmail(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if got != "" {
			t.Errorf("ParseEmail(%q) = %q, want refused", tt.in, got)
		}
		wantReason(t, "ParseEmail("+tt.in+")", err, "error.answer.email")
	}
}

// longEmail is an address with a local part of n bytes and a domain of 247.
func longEmail(n int) string {
	return strings.Repeat("a", n) + "@" + strings.Repeat(strings.Repeat("b", 60)+".", 4) + "com"
}

func TestAnswerParseDate(t *testing.T) {
	tests := []struct{ in, want string }{ // want "" means refused
		{"12.03.1990", "1990-03-12"},
		{"2.3.1990", "1990-03-02"},
		{" 02.03.1990 ", "1990-03-02"},
		{"12.03.1990 г.", "1990-03-12"},
		{"12.03.1990г", "1990-03-12"},
		{"12.03.1990.", "1990-03-12"},
		{"12.03.90", "1990-03-12"},
		{"12.03.25", "2025-03-12"}, // two digits: the latest such year not after 2025
		{"12.03.26", "1926-03-12"},
		{"1990-03-12", "1990-03-12"},
		{"1990-3-2", "1990-03-02"},
		{"12-03-1990", "1990-03-12"},
		{"29.02.2024", "2024-02-29"},
		{"2000-02-29", "2000-02-29"},
		{"12 марта 1990", "1990-03-12"},
		{"12 март 1990", "1990-03-12"},
		{"12 МАРТА 1990 года", "1990-03-12"},
		{"1 мая 1985 г.", "1985-05-01"},
		{"1 май 1985", "1985-05-01"},
		{"12-го марта 1990", "1990-03-12"},
		{"3 сент. 2001", "2001-09-03"},
		{"31 декабря 1999", "1999-12-31"},
		{"12 March 1990", "1990-03-12"},
		{"12 march 1990", "1990-03-12"},
		{"March 12, 1990", "1990-03-12"},
		{"march 12 1990", "1990-03-12"},
		{"12th Mar 1990", "1990-03-12"},
		{"Sept 1st, 2001", "2001-09-01"},
		{"1 January 2000", "2000-01-01"},
		{"12 mart 1990", "1990-03-12"},
		{"12-mart 1990-yil", "1990-03-12"},
		{"12 Mart 1990 yil", "1990-03-12"},
		{"1990-yil 12-mart", "1990-03-12"},
		{"3 sentyabr 2001", "2001-09-03"},
		{"3-sentabr, 2001", "2001-09-03"},
		{"12,mart,1990", "1990-03-12"},
		{"12.03.1990 y.", "1990-03-12"},
		{"12/03/1990", "1990-03-12"}, // a slash or a comma as the dot: day, month, year
		{"2/3/1990", "1990-03-02"},
		{"12/03/90", "1990-03-12"},
		{"12,03,1990", "1990-03-12"},
		{"12, 03, 1990", "1990-03-12"},
		{"12, 03, 1990 г.", "1990-03-12"},
		{"12 , 03 , 90", "1990-03-12"},
		{"1990 yil 12 mart", "1990-03-12"},
		{"1990 йил 12 март", "1990-03-12"},
		{"1990 yil 12-mart", "1990-03-12"},
		{"12 апрел 1990", "1990-04-12"}, // Uzbek in the Cyrillic script
		{"1 январ 2000", "2000-01-01"},
		{"5 феврал 1985 й.", "1985-02-05"},
		{"3 сентябр 2001", "2001-09-03"},
		{"12-октябр 1990-йил", "1990-10-12"},
		{"1990-йил 12-декабр", "1990-12-12"},
		{"30 ноябр 1999 йил", "1999-11-30"},
		{"12. 03. 1990", "1990-03-12"}, // a space beside a separator is no matter
		{"12 .03.1990", "1990-03-12"},
		{"12 . 03 . 1990", "1990-03-12"},
		{"12. 03. 1990 г.", "1990-03-12"},
		{"12. 3. 90", "1990-03-12"},
		{"12 - 03 - 1990", "1990-03-12"},
		{"12 / 03 / 1990", "1990-03-12"},
		{"1990 - 03 - 12", "1990-03-12"},
		{"03/25/1990", "1990-03-25"}, // no 25th month: an American date, month first
		{"3/25/90", "1990-03-25"},
		{"12/13/1990", "1990-12-13"},

		{"", ""},
		{"вчера", ""},
		{"29.02.2023", ""}, // not a leap year
		{"29.02.1900", ""}, // nor is 1900
		{"2023-02-29", ""},
		{"31.02.1990", ""},
		{"31.04.1990", ""},
		{"00.03.1990", ""},
		{"12.00.1990", ""},
		{"12.13.1990", ""},
		{"32.01.1990", ""},
		{"12.03.199", ""},
		{"12.03.0990", ""},
		{"12.03", ""},
		{"1990/03/12", ""},
		{"12/03-1990", ""},
		{"12,03.1990", ""},
		{"31/02/1990", ""},
		{"12..03.1990", ""},
		{"12.03-1990", ""},
		{"1990.03.12", ""},
		{"1990-03-12-01", ""},
		{"+12.03.1990", ""},
		{"12 мартобря 1990", ""},
		{"12 марта", ""},
		{"марта 1990", ""},
		{"05.2020", ""},
		{"5-2020", ""},
		{"май 2020", ""},
		{"May 2020", ""},
		{"2020-yil may", ""},
		{"05.20", ""},
		{"31 February 1990", ""},
		{"12 March 1990 year", ""},
		{"123.03.1990", ""},
		{"１２.０３.１９９０", ""},
		{"12 марта 1990 г. г.", ""},
		{"12-mart", ""},
		{"12 mart 1990 yil yil", ""},
		{"1990-yil 12-mart 5", ""},
		{"12, 03 1990", ""},
		{"12, 03, 1990 yil yil", ""},
		{"1990 yil yil 12 mart", ""},
		{"yil 12 mart 1990", ""},
		{"12 yil mart 1990", ""},
		{"2020 yil may", ""},
		{"12.13.1990", ""}, // with dots, a slip, not an American date
		{"02/30/1990", ""},
		{"13/25/1990", ""},
		{"12. 03 1990", ""},
		{"12 .03-1990", ""},
	}
	// Read well, but not in the calendar: the person is asked to check the
	// day, not shown how to type a date.
	noSuchDay := map[string]bool{"29.02.2023": true, "29.02.1900": true, "2023-02-29": true, "31.02.1990": true,
		"31.04.1990": true, "32.01.1990": true, "31/02/1990": true, "12.13.1990": true, "31 February 1990": true,
		"02/30/1990": true, "13/25/1990": true}
	// A month and a year: the person is asked for the day.
	noDay := map[string]bool{"марта 1990": true, "05.2020": true, "5-2020": true, "май 2020": true, "May 2020": true,
		"2020-yil may": true, "2020 yil may": true}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, questionNow)
		if tt.want != "" {
			if err != nil || got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC || got.Hour() != 0 {
				t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
			continue
		}
		reason := "error.answer.date"
		if noSuchDay[tt.in] {
			reason = "error.answer.no_such_day"
		}
		if noDay[tt.in] {
			reason = "error.answer.date_no_day"
		}
		wantReason(t, "ParseDate("+tt.in+")", err, reason)
	}
}

func TestAnswerParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{" 2015 ", 2015, true},
		{"1 000 000", 1_000_000, true},
		{"1\u00a0000", 1000, true},
		{"-5", -5, true},
		{"−5", -5, true},
		{"- 5", -5, true},
		{"12 345", 12345, true},
		{"-1 000", -1000, true},
		{"-0", 0, true},
		{"007", 7, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},

		{"", 0, false},
		{"-", 0, false},
		{" ", 0, false},
		{"9223372036854775808", 0, false},
		{"+5", 0, false},
		{"5-", 0, false},
		{"--5", 0, false},
		{"1,5", 0, false},
		{"1 2", 0, false},       // two numbers, not twelve
		{"2015 2018", 0, false}, // two years
		{"10 00", 0, false},     // groups of three after the first
		{"1000 000", 0, false},
		{"1.000", 0, false},
		{"12a", 0, false},
		{"пять", 0, false},
		{"٣", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseInt(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseInt(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		wantReason(t, "ParseInt("+tt.in+")", err, "error.answer.number")
	}
}

func TestParseAnswer(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	q := func(typ QuestionType) *Question { return &Question{ID: "q", Type: typ} }
	year := &Question{ID: "car_year", Type: QuestionNumber, Min: 1950, Max: 2026}
	gender := questionnaireOf(t, "basic").InSection("basic")[2]
	tests := []struct {
		q      *Question
		in     string
		want   Answer
		reason string // "" when accepted
	}{
		{q(QuestionText), "  Хочу   скидки\nна кофе ", Answer{Text: "Хочу скидки на кофе"}, ""},
		{q(QuestionText), strings.Repeat("я", 200), Answer{Text: strings.Repeat("я", 200)}, ""},
		{q(QuestionText), strings.Repeat("я", 201), Answer{}, "error.answer.text"},
		{q(QuestionText), " \n ", Answer{}, "error.answer.text"},
		{q(QuestionText), "a\x00b", Answer{}, "error.answer.text"},
		{q(QuestionText), "\xff", Answer{}, "error.answer.text"},
		{q(QuestionCity), " Нижний  Новгород ", Answer{Text: "Нижний Новгород"}, ""},
		{q(QuestionCity), "", Answer{}, "error.answer.text"},
		{q(QuestionName), " Анна ", Answer{Text: "Анна"}, ""},
		{q(QuestionName), "123", Answer{}, "error.name.invalid"},
		{q(QuestionEmail), "Anna@Example.COM", Answer{Text: "Anna@example.com"}, ""},
		{q(QuestionEmail), "anna@", Answer{}, "error.answer.email"},
		{q(QuestionPhone), "8 (999) 123-45-67", Answer{Text: "+79991234567"}, ""},
		{q(QuestionPhone), "123", Answer{}, "error.phone.invalid"},
		{q(QuestionDate), "12.03.2030", Answer{Date: "2030-03-12"}, ""},   // a plain date may be in the future
		{q(QuestionDate), "01.03.1905", Answer{Date: "1905-03-01"}, ""},   // 120 years ago
		{q(QuestionDate), "12.03.1800", Answer{}, "error.answer.too_old"}, // as for a birthday
		{q(QuestionDate), "01.03.2035", Answer{Date: "2035-03-01"}, ""},   // 10 years ahead
		{q(QuestionDate), "02.03.2035", Answer{}, "error.answer.too_far"},
		{q(QuestionDate), "12.03.9999", Answer{}, "error.answer.too_far"},
		{q(QuestionDate), "31.02.2020", Answer{}, "error.answer.no_such_day"},
		{q(QuestionBirthday), "12 марта 1990", Answer{Date: "1990-03-12"}, ""},
		{q(QuestionBirthday), "01.03.2025", Answer{Date: "2025-03-01"}, ""}, // born today
		{q(QuestionBirthday), "02.03.2025", Answer{}, "error.answer.future"},
		{q(QuestionBirthday), "29.02.2024", Answer{Date: "2024-02-29"}, ""},
		{q(QuestionBirthday), "29.02.2023", Answer{}, "error.answer.no_such_day"},
		{q(QuestionBirthday), "01.03.1905", Answer{Date: "1905-03-01"}, ""},   // 120 today
		{q(QuestionBirthday), "02.03.1904", Answer{Date: "1904-03-02"}, ""},   // 120, 121 tomorrow
		{q(QuestionBirthday), "01.03.1904", Answer{}, "error.answer.too_old"}, // 121 today
		{q(QuestionBirthday), "12.03.1850", Answer{}, "error.answer.too_old"},
		{q(QuestionNumber), "-12", Answer{Number: n(-12)}, ""}, // no bounds
		{q(QuestionNumber), "двенадцать", Answer{}, "error.answer.number"},
		{year, "2 015", Answer{Number: n(2015)}, ""},
		{year, "1950", Answer{Number: n(1950)}, ""},
		{year, "2026", Answer{Number: n(2026)}, ""},
		{year, "1949", Answer{}, "error.answer.range"},
		{year, "2027", Answer{}, "error.answer.range"},
		{q(QuestionYesNo), " Да ", Answer{Choice: []string{"yes"}}, ""},
		{q(QuestionYesNo), "no", Answer{Choice: []string{"no"}}, ""},
		{q(QuestionYesNo), "может быть", Answer{}, "error.answer.choice"},
		{q(QuestionYesNo), "Ha", Answer{Choice: []string{"yes"}}, ""},
		{q(QuestionYesNo), "yo'q", Answer{Choice: []string{"no"}}, ""},
		{q(QuestionYesNo), "Yoʻq", Answer{Choice: []string{"no"}}, ""},
		{q(QuestionYesNo), "yo‘q", Answer{Choice: []string{"no"}}, ""},
		{gender, "ayol", Answer{Choice: []string{"female"}}, ""},
		{gender, "женский", Answer{Choice: []string{"female"}}, ""},
		{gender, "MALE", Answer{Choice: []string{"male"}}, ""},
		{gender, "male ", Answer{Choice: []string{"male"}}, ""},
		{gender, "other", Answer{}, "error.answer.choice"},
		{q(QuestionMulti), "makeup", Answer{}, "error.answer.choice"},
	}
	for _, tt := range tests {
		got, err := ParseAnswer(tt.q, tt.in, questionNow, nil)
		what := "ParseAnswer(" + string(tt.q.Type) + ", " + tt.in + ")"
		if tt.reason != "" {
			wantReason(t, what, err, tt.reason)
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %+v, %v; want %+v", what, got, err, tt.want)
		}
	}
	if _, err := ParseAnswer(q(QuestionGroup), "x", questionNow, nil); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("group answered by text: %v", err)
	}
}

func TestAnswerChoice(t *testing.T) {
	qn := questionnaireOf(t, "basic", "beauty")
	gender, _ := qn.Question("gender")
	interests, _ := qn.Question("beauty_interests")
	yn := &Question{ID: "q", Type: QuestionYesNo}
	tests := []struct {
		q    *Question
		ids  []string
		want []string // nil when refused
	}{
		{gender, []string{"female"}, []string{"female"}},
		{gender, []string{"other"}, nil},
		{gender, []string{"female", "male"}, nil},
		{gender, nil, nil},
		{interests, []string{"nails", "skincare"}, []string{"skincare", "nails"}},
		{interests, []string{}, []string{}},
		{interests, []string{"nails", "nails"}, nil},
		{interests, []string{"nails", "cars"}, nil},
		{yn, []string{"yes"}, []string{"yes"}},
		{yn, []string{"no"}, []string{"no"}},
		{yn, []string{"да"}, nil},
		{yn, []string{"yes", "no"}, nil},
	}
	for _, tt := range tests {
		got, err := ChoiceAnswer(tt.q, tt.ids)
		if tt.want == nil {
			wantReason(t, "ChoiceAnswer("+tt.q.ID+", "+strings.Join(tt.ids, ",")+")", err, "error.answer.choice")
			continue
		}
		if err != nil || len(got.Choice) != len(tt.want) || (len(tt.want) > 0 && !reflect.DeepEqual(got.Choice, tt.want)) {
			t.Errorf("ChoiceAnswer(%s, %v) = %+v, %v; want %v", tt.q.ID, tt.ids, got, err, tt.want)
		}
	}
	if _, err := ChoiceAnswer(&Question{ID: "q", Type: QuestionText}, []string{"x"}); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("text answered by buttons: %v", err)
	}
}

func TestAnswerJSON(t *testing.T) {
	n := int64(2012)
	a := Answer{Items: []map[string]Answer{{"species": {Choice: []string{"dog"}}, "birthday": {Date: "2020-05-01"}, "n": {Number: &n}}}}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"items":[{"birthday":{"date":"2020-05-01"},"n":{"number":2012},"species":{"choice":["dog"]}}]}`
	if string(b) != want {
		t.Fatalf("json = %s, want %s", b, want)
	}
	var back Answer
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, a) {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
}

func TestAnswerAgeYears(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	tests := []struct {
		birth, now string
		want       int
	}{
		{"1990-03-12", "2025-03-11", 34},
		{"1990-03-12", "2025-03-12", 35},
		{"2024-02-29", "2025-02-28", 0},
		{"2024-02-29", "2025-03-01", 1},
		{"2024-02-29", "2028-02-29", 4},
		{"2025-03-01", "2025-03-01", 0},
	}
	for _, tt := range tests {
		if got := AgeYears(d(tt.birth), d(tt.now)); got != tt.want {
			t.Errorf("AgeYears(%s, %s) = %d, want %d", tt.birth, tt.now, got, tt.want)
		}
	}
}

func TestAnswerDeriveFacts(t *testing.T) {
	qn := questionnaireOf(t, "basic", "kids", "pets", "auto", "beauty")
	n := func(v int64) *int64 { return &v }
	c := func(ids ...string) Answer { return Answer{Choice: ids} }
	answers := map[string]Answer{
		"birthday": {Date: "1990-03-12"},
		"email":    {Text: "anna@example.com"}, // no fact: not derived
		"gender":   c("female"),
		"children": {Items: []map[string]Answer{
			{"name": {Text: "Маша"}, "birthday": {Date: "2016-06-01"}, "sex": c("girl")},
			{"birthday": {Date: "2022-03-02"}, "sex": c("boy")}, // turns 3 tomorrow
		}},
		"has_pet": c("yes"),
		"pets": {Items: []map[string]Answer{
			{"species": c("dog"), "name": {Text: "Рекс"}},
			{"species": c("cat"), "birthday": {Date: "2019-01-01"}},
			{"species": c("dog")},
		}},
		"car_make":         {Text: "Kia"},
		"car_year":         {Number: n(2012)},
		"beauty_interests": c("skincare", "nails"),
	}
	want := map[string]string{
		"birthday":                 "1990-03-12",
		"birthday_age_years":       "34",
		"gender":                   "female",
		"child_count":              "2",
		"child_youngest_age_years": "2",
		"child_sex":                "boy,girl",
		"has_pet":                  "yes",
		"pet_count":                "3",
		"pet_youngest_age_years":   "6",
		"pet_species":              "cat,dog",
		"car_make":                 "Kia",
		"car_year":                 "2012",
		"car_year_age_years":       "13",
		"beauty_interests":         "skincare,nails",
	}
	if got := DeriveFacts(qn, answers, questionNow); !reflect.DeepEqual(got, want) {
		t.Errorf("DeriveFacts =\n%v\nwant\n%v", got, want)
	}

	// "No pet" hides the pets answered before; an empty group still counts.
	answers["has_pet"] = c("no")
	answers["children"] = Answer{}
	got := DeriveFacts(qn, answers, questionNow)
	if _, ok := got["pet_count"]; ok || got["has_pet"] != "no" || got["child_count"] != "0" {
		t.Errorf("after has_pet=no: %v", got)
	}
	if _, ok := got["child_youngest_age_years"]; ok {
		t.Errorf("youngest age of no children: %v", got)
	}

	// A group of cars with a "year" field gives the oldest car's age.
	fleet := &Questionnaire{
		Sections: []Section{{ID: "s", Title: presetText("а", "a", "a"), Offer: OfferNudge}},
		Questions: []Question{{ID: "cars", Type: QuestionGroup, Section: "s", Fact: "car", Text: presetText("а", "a", "a"),
			Fields: []Question{{ID: "year", Type: QuestionNumber, Text: presetText("а", "a", "a")}}}},
	}
	if err := fleet.Validate([]string{"ru", "en"}); err != nil {
		t.Fatal(err)
	}
	got = DeriveFacts(fleet, map[string]Answer{"cars": {Items: []map[string]Answer{
		{"year": {Number: n(2019)}}, {"year": {Number: n(2008)}}, {}}}}, questionNow)
	if want := map[string]string{"car_count": "3", "car_oldest_age_years": "17"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fleet facts = %v, want %v", got, want)
	}
}
