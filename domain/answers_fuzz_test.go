package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{"anna@example.com", " A@B.CO ", "анна@почта.рф", "a@b", "a@@b.c", "a..b@c.d", "x@İ.com", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := ParseEmail(in)
		if err != nil {
			if e != "" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseEmail(%q) = %q, %v", in, e, err)
			}
			return
		}
		if len(e) > maxEmailLen || strings.Count(e, "@") != 1 || strings.ContainsAny(e, " \t\n") || !utf8.ValidString(e) {
			t.Fatalf("ParseEmail(%q) = %q", in, e)
		}
		if again, err := ParseEmail(e); err != nil || again != e {
			t.Fatalf("re-parse of %q = %q, %v", e, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"12.03.1990", "2.3.90", "1990-03-12", "12 марта 1990 г.", "March 12, 1990", "29.02.2023", "12th Sept 2001", "1990-yil 12-mart", "", "12. 03. 1990", "03/25/1990", "12 - 3 - 90"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseDate(in, questionNow)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseDate(%q): %v", in, err)
			}
			return
		}
		if d.Year() < 1000 || d.Year() > 9999 || d.Location() != time.UTC || d != day0(d) {
			t.Fatalf("ParseDate(%q) = %v", in, d)
		}
		s := d.Format(time.DateOnly)
		if again, err := ParseDate(s, questionNow); err != nil || !again.Equal(d) {
			t.Fatalf("re-parse of %q = %v, %v", s, again, err)
		}
	})
}

func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "1 000", "-5", "−5", "9223372036854775807", "-9223372036854775808", "1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseInt(in)
		if err != nil {
			if n != 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseInt(%q) = %d, %v", in, n, err)
			}
			return
		}
		if again, err := ParseInt(formatInt(n)); err != nil || again != n {
			t.Fatalf("re-parse of %d = %d, %v", n, again, err)
		}
	})
}

func formatInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// FuzzParseAnswer feeds every text-answered type and checks that what is
// stored is accepted again unchanged.
func FuzzParseAnswer(f *testing.F) {
	types := []QuestionType{QuestionText, QuestionName, QuestionEmail, QuestionPhone, QuestionDate,
		QuestionBirthday, QuestionNumber, QuestionChoice, QuestionYesNo, QuestionCity}
	for i, s := range []string{"Кофе", "Анна", "a@b.co", "+7 999 123-45-67", "12.03.2030", "1 мая 1985", "2 015", "женский", "да", " Москва "} {
		f.Add(uint8(i), s)
	}
	gender := questionnaireOf(f, "basic").InSection("basic")[2]
	f.Fuzz(func(t *testing.T, typ uint8, in string) {
		q := &Question{ID: "q", Type: types[int(typ)%len(types)], Min: 1950, Max: 2026}
		if q.Type == QuestionChoice {
			q = gender
		}
		a, err := ParseAnswer(q, in, questionNow, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAnswer(%s, %q): %v", q.Type, in, err)
			}
			return
		}
		var again Answer
		switch {
		case a.Number != nil:
			if *a.Number < q.Min || *a.Number > q.Max {
				t.Fatalf("ParseAnswer(%s, %q) = %d out of range", q.Type, in, *a.Number)
			}
			again, err = ParseAnswer(q, formatInt(*a.Number), questionNow, nil)
		case a.Date != "":
			again, err = ParseAnswer(q, a.Date, questionNow, nil)
		case len(a.Choice) == 1:
			again, err = ChoiceAnswer(q, a.Choice)
		default:
			if a.Text == "" || utf8.RuneCountInString(a.Text) > maxAnswerRunes {
				t.Fatalf("ParseAnswer(%s, %q) = %+v", q.Type, in, a)
			}
			again, err = ParseAnswer(q, a.Text, questionNow, nil)
		}
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("ParseAnswer(%s, %q) = %+v; again %+v, %v", q.Type, in, a, again, err)
		}
	})
}

// FuzzChoiceAnswer checks that tapped ids are either refused or stored as
// known, distinct option ids in option order.
func FuzzChoiceAnswer(f *testing.F) {
	f.Add("skincare,nails", true)
	f.Add("female", false)
	f.Add("nails,nails", true)
	f.Add("", true)
	qn := questionnaireOf(f, "basic", "beauty")
	gender, _ := qn.Question("gender")
	interests, _ := qn.Question("beauty_interests")
	f.Fuzz(func(t *testing.T, ids string, multi bool) {
		q := gender
		if multi {
			q = interests
		}
		var in []string
		if ids != "" {
			in = strings.Split(ids, ",")
		}
		a, err := ChoiceAnswer(q, in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ChoiceAnswer(%v): %v", in, err)
			}
			return
		}
		last := -1
		for _, id := range a.Choice {
			i := -1
			for j, o := range q.Options {
				if o.ID == id {
					i = j
				}
			}
			if i <= last {
				t.Fatalf("ChoiceAnswer(%v) = %v", in, a.Choice)
			}
			last = i
		}
		if again, err := ChoiceAnswer(q, a.Choice); err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("again %v: %v, %v", a.Choice, again, err)
		}
	})
}
