package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var questionNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// questionnaireOf merges presets into one questionnaire, as the config does.
func questionnaireOf(t testing.TB, names ...string) *Questionnaire {
	t.Helper()
	qn := &Questionnaire{}
	for _, n := range names {
		s, qs, ok := PresetAt(n, questionNow)
		if !ok {
			t.Fatalf("no preset %q", n)
		}
		qn.Sections = append(qn.Sections, s)
		qn.Questions = append(qn.Questions, qs...)
	}
	return qn
}

func TestQuestionnaireValidate(t *testing.T) {
	idx := func(qn *Questionnaire, id string) *Question {
		q, ok := qn.Question(id)
		if !ok {
			t.Fatalf("no question %q", id)
		}
		return q
	}
	// Questions: basic birthday 0, email 1, gender 2, city 3; pets has_pet 4, pets 5; beauty skin_type 6, beauty_interests 7.
	tests := []struct {
		name    string
		mutate  func(qn *Questionnaire)
		field   string // want a *FieldError for this field
		problem string // … whose problem contains this
		ruOnly  bool   // validate for ru only
	}{
		{"unknown type", func(qn *Questionnaire) { qn.Questions[3].Type = "town" },
			"questionnaire.questions[3].type", `unknown type "town"`, false},
		{"missing question text", func(qn *Questionnaire) { delete(qn.Questions[1].Text, "en") },
			"questionnaire.questions[1].text", `missing the "en" translation`, false},
		{"blank question text", func(qn *Questionnaire) { qn.Questions[1].Text["ru"] = "  " },
			"questionnaire.questions[1].text", `missing the "ru" translation`, false},
		{"missing option text", func(qn *Questionnaire) { delete(qn.Questions[2].Options[1].Text, "en") },
			"questionnaire.questions[2].options[1].text", `missing the "en" translation`, false},
		{"missing field text", func(qn *Questionnaire) { delete(qn.Questions[5].Fields[2].Text, "ru") },
			"questionnaire.questions[5].fields[2].text", `missing the "ru" translation`, false},
		{"missing field option text", func(qn *Questionnaire) { delete(qn.Questions[5].Fields[0].Options[1].Text, "en") },
			"questionnaire.questions[5].fields[0].options[1].text", `missing the "en" translation`, false},
		{"missing section title", func(qn *Questionnaire) { delete(qn.Sections[1].Title, "en") },
			"questionnaire.sections[1].title", `missing the "en" translation`, false},
		{"duplicate question id", func(qn *Questionnaire) { qn.Questions[3].ID = "email" },
			"questionnaire.questions[3].id", `"email" is used twice`, false},
		{"bad question id", func(qn *Questionnaire) { qn.Questions[3].ID = "City" },
			"questionnaire.questions[3].id", `"City" must be`, false},
		{"duplicate section id", func(qn *Questionnaire) { qn.Sections[1].ID = "basic" },
			"questionnaire.sections[1].id", `"basic" is used twice`, false},
		{"duplicate option id", func(qn *Questionnaire) { qn.Questions[2].Options[1].ID = "female" },
			"questionnaire.questions[2].options[1].id", `"female" is used twice`, false},
		{"duplicate field id", func(qn *Questionnaire) { qn.Questions[5].Fields[2].ID = "name" },
			"questionnaire.questions[5].fields[2].id", `"name" is used twice`, false},
		{"duplicate fact", func(qn *Questionnaire) { qn.Questions[6].Fact = "gender" },
			"questionnaire.questions[6].fact", `"gender" is used twice`, false},
		{"unknown section", func(qn *Questionnaire) { qn.Questions[3].Section = "misc" },
			"questionnaire.questions[3].section", `unknown section "misc"`, false},
		{"empty section", func(qn *Questionnaire) {
			qn.Sections = append(qn.Sections, Section{ID: "later", Title: presetText("Потом", "Later", "Later"), Offer: OfferNudge})
		}, "questionnaire.sections[3]", `section "later" has no questions`, false},
		{"bad offer", func(qn *Questionnaire) { qn.Sections[0].Offer = "purchase" },
			"questionnaire.sections[0].offer", `"purchase" must be`, false},
		{"negative bonus", func(qn *Questionnaire) { qn.Sections[2].Bonus = -1 },
			"questionnaire.sections[2].bonus", "negative", false},
		{"condition on unknown question", func(qn *Questionnaire) { qn.Questions[5].If.Question = "pet" },
			"questionnaire.questions[5].if", `condition on unknown question "pet"`, false},
		{"condition on unknown option", func(qn *Questionnaire) {
			idx(qn, "skin_type").If = &Condition{Question: "gender", Equals: "other"}
		}, "questionnaire.questions[6].if", `question "gender" has no option "other"`, false},
		{"condition on yesno with an option", func(qn *Questionnaire) { qn.Questions[5].If.Equals = "da" },
			"questionnaire.questions[5].if", `answered "yes" or "no", not "da"`, false},
		{"condition on a text question", func(qn *Questionnaire) {
			qn.Questions[5].If = &Condition{Question: "city", Equals: "Moscow"}
		}, "questionnaire.questions[5].if", "only choice, multi and yesno", false},
		{"condition on a later question", func(qn *Questionnaire) {
			idx(qn, "gender").If = &Condition{Question: "has_pet", Equals: "yes"}
		}, "questionnaire.questions[2].if", `condition on "has_pet", which is asked later`, false},
		{"condition on itself", func(qn *Questionnaire) {
			idx(qn, "has_pet").If = &Condition{Question: "has_pet", Equals: "yes"}
		}, "questionnaire.questions[4].if", "cycle of conditions: has_pet → has_pet", false},
		{"cycle of conditions", func(qn *Questionnaire) {
			idx(qn, "has_pet").If = &Condition{Question: "beauty_interests", Equals: "hair"}
			idx(qn, "beauty_interests").If = &Condition{Question: "skin_type", Equals: "dry"}
			idx(qn, "skin_type").If = &Condition{Question: "has_pet", Equals: "yes"}
		}, "questionnaire.questions[4].if", "cycle of conditions: has_pet → beauty_interests → skin_type → has_pet", false},
		{"choice without options", func(qn *Questionnaire) { qn.Questions[2].Options = nil },
			"questionnaire.questions[2].options", "needs options", false},
		{"multi without options", func(qn *Questionnaire) { qn.Questions[7].Options = nil },
			"questionnaire.questions[7].options", "needs options", false},
		{"options on a text question", func(qn *Questionnaire) { qn.Questions[3].Options = qn.Questions[2].Options },
			"questionnaire.questions[3].options", "only choice and multi", false},
		{"number min above max", func(qn *Questionnaire) {
			qn.Questions[3].Type, qn.Questions[3].Min, qn.Questions[3].Max = QuestionNumber, 10, 9
		}, "questionnaire.questions[3].min", "min 10 is greater than max 9", false},
		{"bounds on a text question", func(qn *Questionnaire) { qn.Questions[3].Max = 9 },
			"questionnaire.questions[3].min", "only number and group", false},
		{"group without fields", func(qn *Questionnaire) { qn.Questions[5].Fields = nil },
			"questionnaire.questions[5].fields", "needs fields", false},
		{"nested group", func(qn *Questionnaire) {
			qn.Questions[5].Fields[1] = Question{ID: "inner", Type: QuestionGroup, Text: presetText("а", "a", "a"),
				Fields: []Question{{ID: "x", Type: QuestionText, Text: presetText("а", "a", "a")}}}
		}, "questionnaire.questions[5].fields[1].type", "cannot hold another group", false},
		{"condition inside a group", func(qn *Questionnaire) {
			qn.Questions[5].Fields[1].If = &Condition{Question: "species", Equals: "dog"}
		}, "questionnaire.questions[5].fields[1].if", "cannot have conditions", false},
		{"negative group max", func(qn *Questionnaire) { qn.Questions[5].Max = -1 },
			"questionnaire.questions[5].max", "negative", false},
		{"negative reward", func(qn *Questionnaire) { qn.Questions[0].Reward = -5 },
			"questionnaire.questions[0].reward", "negative", false},
		{"reward on a field", func(qn *Questionnaire) { qn.Questions[5].Fields[0].Reward = 5 },
			"questionnaire.questions[5].fields[0].reward", "on the group", false},
		{"fields on a choice", func(qn *Questionnaire) { qn.Questions[2].Fields = qn.Questions[5].Fields },
			"questionnaire.questions[2].fields", "only group", false},
		{"bad fact", func(qn *Questionnaire) { qn.Questions[3].Fact = "home town" },
			"questionnaire.questions[3].fact", "must be", false},
		{"ru only is enough without en", func(qn *Questionnaire) {
			for i := range qn.Questions {
				delete(qn.Questions[i].Text, "en")
			}
		}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qn := questionnaireOf(t, "basic", "pets", "beauty")
			tt.mutate(qn)
			langs := []string{"ru", "en"}
			if tt.ruOnly {
				langs = []string{"ru"}
			}
			err := qn.Validate(langs)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Problem, tt.problem) {
				t.Fatalf("Validate = %v; want %s: …%s…", err, tt.field, tt.problem)
			}
		})
	}
}

func TestQuestionnaireValidateExample(t *testing.T) {
	qn := questionnaireOf(t, "basic")
	qn.Questions = append(qn.Questions[:3], append([]Question{{ID: "fav", Type: QuestionText, Section: "basic",
		Text: presetText("а", "a", "a"), If: &Condition{Question: "pet", Equals: "yes"}}}, qn.Questions[3:]...)...)
	const want = `config: questionnaire.questions[3].if: condition on unknown question "pet"`
	if err := qn.Validate([]string{"ru", "en"}); err == nil || err.Error() != want {
		t.Fatalf("Validate = %v, want %s", err, want)
	}
	if err := (&Questionnaire{}).Validate([]string{"ru"}); err != nil {
		t.Fatalf("empty questionnaire: %v", err)
	}
}

func yes() Answer { return Answer{Choice: []string{"yes"}} }
func no() Answer  { return Answer{Choice: []string{"no"}} }

func TestQuestionnaireNext(t *testing.T) {
	qn := questionnaireOf(t, "basic", "pets")
	qn.Questions = append(qn.Questions, Question{ID: "dog_size", Type: QuestionChoice, Section: "pets",
		Text: presetText("Размер?", "Size?", "Size?"), If: &Condition{Question: "has_pet", Equals: "yes"},
		Options: []Option{presetOption("small", "Маленькая", "Small", "Kichik"), presetOption("big", "Большая", "Big", "Katta")}})
	qn.Questions = append(qn.Questions, Question{ID: "big_dog_food", Type: QuestionYesNo, Section: "pets",
		Text: presetText("Корм?", "Food?", "Food?"), If: &Condition{Question: "dog_size", Equals: "big"}})
	if err := qn.Validate([]string{"ru", "en"}); err != nil {
		t.Fatal(err)
	}
	big := Answer{Choice: []string{"big"}}
	tests := []struct {
		name      string
		answers   map[string]Answer
		skipped   map[string]bool
		want      string // "" for done
		n, total  int
		completed bool
		section   string
	}{
		{"first", nil, nil, "has_pet", 0, 1, false, "pets"},
		{"pet yes asks the group", map[string]Answer{"has_pet": yes()}, nil, "pets", 1, 3, false, "pets"},
		{"pet no skips the rest", map[string]Answer{"has_pet": no()}, nil, "", 1, 1, true, "pets"},
		{"group answered", map[string]Answer{"has_pet": yes(), "pets": {Items: []map[string]Answer{{}}}}, nil,
			"dog_size", 2, 3, false, "pets"},
		{"chained condition holds", map[string]Answer{"has_pet": yes(), "pets": {}, "dog_size": big}, nil,
			"big_dog_food", 3, 4, false, "pets"},
		{"chain broken above", map[string]Answer{"has_pet": no(), "pets": {}, "dog_size": big}, nil,
			"", 1, 1, true, "pets"},
		{"skipped counts as done but not completed", map[string]Answer{"has_pet": yes()},
			map[string]bool{"pets": true, "dog_size": true}, "", 3, 3, false, "pets"},
		{"basic with a skip", map[string]Answer{"birthday": {Date: "1990-03-12"}}, map[string]bool{"email": true},
			"gender", 2, 4, false, "basic"},
		{"unknown section", nil, nil, "", 0, 0, false, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := qn.Next(tt.section, tt.answers, tt.skipped)
			if (got == nil) != (tt.want == "") || (got != nil && got.ID != tt.want) {
				t.Errorf("Next = %+v, want %q", got, tt.want)
			}
			if n, total := qn.Progress(tt.section, tt.answers, tt.skipped); n != tt.n || total != tt.total {
				t.Errorf("Progress = %d of %d, want %d of %d", n, total, tt.n, tt.total)
			}
			if c := qn.Completed(tt.section, tt.answers); c != tt.completed {
				t.Errorf("Completed = %v, want %v", c, tt.completed)
			}
		})
	}
}

func TestQuestionnaireLookups(t *testing.T) {
	qn := questionnaireOf(t, "basic", "kids")
	if q, ok := qn.Question("email"); !ok || q.Type != QuestionEmail {
		t.Fatalf("Question(email) = %v, %v", q, ok)
	}
	if _, ok := qn.Question("nope"); ok {
		t.Fatal("Question(nope) found")
	}
	if s, ok := qn.Section("kids"); !ok || s.Offer != OfferNudge {
		t.Fatalf("Section(kids) = %v, %v", s, ok)
	}
	var ids []string
	for _, q := range qn.InSection("basic") {
		ids = append(ids, q.ID)
	}
	if strings.Join(ids, ",") != "birthday,email,gender,city" {
		t.Fatalf("InSection(basic) = %v", ids)
	}
	kids := qn.InSection("kids")[0]
	if f, ok := kids.Field("sex"); !ok || len(f.Options) != 2 {
		t.Fatalf("Field(sex) = %v, %v", f, ok)
	}
	if kids.MaxItems() != 5 || (&Question{Type: QuestionGroup}).MaxItems() != DefaultGroupItems {
		t.Fatal("MaxItems")
	}
	if o, ok := qn.InSection("basic")[2].Option("male"); !ok || o.Text["en"] != "Male" {
		t.Fatalf("Option(male) = %v, %v", o, ok)
	}
	// InSection hands out pointers into the questionnaire.
	qn.InSection("basic")[0].Reward = 99
	if qn.Questions[0].Reward != 99 {
		t.Fatal("InSection returned copies")
	}
}

func TestSectionApplies(t *testing.T) {
	qn := questionnaireOf(t, "basic", "pets")
	qn.Sections = append(qn.Sections, Section{ID: "dogs", Title: presetText("Собака", "Dog", "Dog"), Offer: OfferNudge})
	qn.Questions = append(qn.Questions, Question{ID: "dog_food", Type: QuestionText, Section: "dogs",
		Text: presetText("Корм?", "Food?", "Food?"), If: &Condition{Question: "has_pet", Equals: "yes"}})
	if err := qn.Validate([]string{"ru", "en"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		section string
		answers map[string]Answer
		want    bool
	}{
		{"basic", nil, true},
		{"pets", nil, true},
		{"pets", map[string]Answer{"has_pet": no()}, true}, // answered, still the customer's
		{"dogs", nil, false},
		{"dogs", map[string]Answer{"has_pet": no()}, false},
		{"dogs", map[string]Answer{"has_pet": yes()}, true},
		{"nope", nil, false},
	}
	for _, tt := range tests {
		if got := qn.SectionApplies(tt.section, tt.answers); got != tt.want {
			t.Errorf("SectionApplies(%q, %v) = %v, want %v", tt.section, tt.answers, got, tt.want)
		}
	}
}
