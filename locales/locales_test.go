package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

type message map[string]string

func load(t *testing.T, lang string) map[string]message {
	t.Helper()
	raw, err := File(lang)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]message
	if err := toml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.toml: %v", lang, err)
	}
	return m
}

// pluralForms lists the CLDR plural forms a language needs for integers;
// TestPluralFormsMatchGoI18n checks the list against go-i18n's own rules.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"ru": {"one", "few", "many", "other"},
	"uz": {"one", "other"},
}

// TestParity fails when any message id is missing from a language, when a
// plural message lacks a form the language needs, or when a template does
// not parse.
func TestParity(t *testing.T) {
	langs := Languages()
	if len(langs) < 2 {
		t.Fatalf("want at least two languages, got %v", langs)
	}
	all := map[string]map[string]message{}
	ids := map[string]bool{}
	for _, l := range langs {
		all[l] = load(t, l)
		for id := range all[l] {
			ids[id] = true
		}
	}
	for id := range ids {
		for _, l := range langs {
			msg, ok := all[l][id]
			if !ok {
				t.Errorf("%s.toml misses %q", l, id)
				continue
			}
			if msg["other"] == "" {
				t.Errorf("%s.toml %q: no \"other\" form", l, id)
			}
			plural := len(msg) > 1 || msg["one"] != ""
			for _, other := range langs {
				if m2 := all[other][id]; len(m2) > 1 {
					plural = true
				}
			}
			if plural {
				forms, ok := pluralForms[l]
				if !ok {
					t.Errorf("no plural rules listed for %s", l)
				}
				for _, f := range forms {
					if msg[f] == "" {
						t.Errorf("%s.toml %q: plural message misses form %q", l, id, f)
					}
				}
			}
			for form, text := range msg {
				if _, err := template.New(id).Parse(text); err != nil {
					t.Errorf("%s.toml %q/%s: %v", l, id, form, err)
				}
			}
		}
	}
	if _, err := Bundle(); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateFieldsAgree catches a translation that uses a field the code
// does not pass (it would print "<no value>").
func TestTemplateFieldsAgree(t *testing.T) {
	field := regexp.MustCompile(`\{\{\s*\.(\w+)`)
	fieldsOf := func(m message) string {
		set := map[string]bool{}
		for _, text := range m {
			for _, f := range field.FindAllStringSubmatch(text, -1) {
				set[f[1]] = true
			}
		}
		var out []string
		for f := range set {
			out = append(out, f)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	langs := Languages()
	base := load(t, langs[0])
	for _, l := range langs[1:] {
		other := load(t, l)
		for id, m := range base {
			if o, ok := other[id]; ok && fieldsOf(m) != fieldsOf(o) {
				t.Errorf("%q: %s uses {%s}, %s uses {%s}", id, langs[0], fieldsOf(m), l, fieldsOf(o))
			}
		}
	}
}

// TestCodeUsesKnownIDs scans the Go sources for message ids in string
// literals and fails on any id no message file defines, whatever its area:
// every dotted lower-case literal is taken for a message id unless it is
// a file name or a Telegram host, so a new flow's ids are checked the day
// it is written. A literal ending in "." is a prefix completed at run time
// ("alert.velocity." + flag): some message must start with it.
func TestCodeUsesKnownIDs(t *testing.T) {
	known := load(t, "en")
	lit := regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\.?)"`)
	notID := regexp.MustCompile(`\.(png|jpg|json|toml|sql|csv|html|txt|pid|log|yaml)$|^(www\.)?(t|telegram)\.me$`)
	root := ".."
	checked := 0
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && (info.Name() == "testdata" || strings.HasPrefix(info.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			id := m[1]
			switch {
			case notID.MatchString(id):
			case strings.HasSuffix(id, "."):
				if !hasPrefix(known, id) {
					t.Errorf("%s builds message ids from %q, but no locale message starts with it", path, id)
				}
			default:
				checked++
				if _, ok := known[id]; !ok {
					t.Errorf("%s uses message id %q that no locale defines", path, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d message ids found in the code: the scan is broken", checked)
	}
}

func hasPrefix(known map[string]message, prefix string) bool {
	for id := range known {
		if strings.HasPrefix(id, prefix) {
			return true
		}
	}
	return false
}

// TestPluralsRender renders every plural message for counts that hit each
// form, in every language.
func TestPluralsRender(t *testing.T) {
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages() {
		loc := i18n.NewLocalizer(b, l)
		for id, m := range load(t, l) {
			if len(m) < 2 {
				continue
			}
			for _, n := range []int{0, 1, 2, 5, 11, 21, 101} {
				data := map[string]any{"Count": n, "Bonus": n, "Balance": n, "Points": n, "Title": "T", "Name": "X", "Business": "B", "Code": "1", "Minutes": 10, "Store": "S", "Average": "4.5", "When": "25.12.2026 18:00", "Expires": "31.12.2026", "Limit": 5, "Reason": "R"}
				out, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
				if err != nil || strings.Contains(out, "<no value>") {
					t.Errorf("%s %q n=%d: %q %v", l, id, n, out, err)
				}
			}
		}
	}
}

// TestPluralsAreTheMessagesWithForms checks Plurals against go-i18n
// itself: every message it leaves out fails when asked for the form of 1
// ("one") in each language (it has no forms, so the engine passes the
// count as data), and every one it lists renders
// every count in every language (TestPluralsRender).
func TestPluralsAreTheMessagesWithForms(t *testing.T) {
	ids, err := Plurals()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, l := range Languages() {
		if len(pluralForms[l]) < 2 {
			continue // every count takes "other": nothing to tell apart
		}
		loc := i18n.NewLocalizer(b, l)
		for id := range load(t, l) {
			if ids[id] {
				listed++
				continue
			}
			// 1 is "one" in every language here, never "other".
			_, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: 1,
				TemplateData: map[string]any{"Count": 1}})
			if err == nil {
				t.Errorf("%s %q: go-i18n found its form for 1, but Plurals leaves it out", l, id)
			}
		}
	}
	if listed == 0 {
		t.Error("Plurals lists no message: the messages with forms are not found")
	}
}

// TestPluralFormsMatchGoI18n asks go-i18n which plural form it picks for
// the counts 0..1000 in each language and fails when that set, with
// "other", differs from pluralForms: a language whose rules the test does
// not know, or a form listed that go-i18n never chooses (so translators
// would fill it in vain).
func TestPluralFormsMatchGoI18n(t *testing.T) {
	all := []string{"zero", "one", "two", "few", "many", "other"}
	for _, l := range Languages() {
		b := i18n.NewBundle(language.Make(l))
		msg := &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
		if err := b.AddMessages(language.Make(l), msg); err != nil {
			t.Fatal(err)
		}
		loc := i18n.NewLocalizer(b, l)
		// "other" is always needed: go-i18n falls back to it, and it is the
		// form of fractions (Russian uses it for no integer).
		used := map[string]bool{"other": true}
		for n := range 1001 {
			out, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: n})
			if err != nil {
				t.Fatalf("%s n=%d: %v", l, n, err)
			}
			used[out] = true
		}
		var got []string
		for _, f := range all {
			if used[f] {
				got = append(got, f)
			}
		}
		if want := pluralForms[l]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: go-i18n uses the forms %v for integers, pluralForms lists %v", l, got, want)
		}
	}
}

// TestTranslated fails when a message of another language is the English
// text word for word: a message copied from en.toml to satisfy TestParity
// and never translated. Messages with no words of their own (only fields,
// emoji and punctuation, like "✅ {{.Title}}") may match.
func TestTranslated(t *testing.T) {
	strip := regexp.MustCompile(`\{\{[^}]*\}\}|/[a-z_]+`)
	word := regexp.MustCompile(`\pL{2,}`)
	en := load(t, "en")
	for _, l := range Languages() {
		if l == "en" {
			continue
		}
		for id, m := range load(t, l) {
			e, ok := en[id]
			if !ok {
				continue
			}
			for form, text := range m {
				if text == e[form] && word.MatchString(strip.ReplaceAllString(text, "")) {
					t.Errorf("%s.toml %q/%s is the English text: %q", l, id, form, text)
				}
			}
		}
	}
}

// countedNouns are the words that change with the number before them, per
// language with more than one plural form: "1 point", "2 points"; "1 балл",
// "2 балла", "5 баллов", and in Russian the adjectives that stand for a
// noun ("5 активных"). Stems, so every case and number is caught. Uzbek
// keeps a noun singular after any number ("5 ball"): nothing to count.
var countedNouns = map[string]string{
	"uz": "",
	"en": `points?|customers?|buyers?|members?|purchases?|days?|weeks?|months?|hours?|minutes?|answers?|lookups?|visits?|ratings?|reviews?|messages?|friends?|times?|badges?|receipts?|stamps?|people|persons?`,
	"ru": `балл\pL*|покупател\pL*|покуп\pL*|участник\pL*|клиент\pL*|д(ень|ня|ней|ням)|недел\pL*|месяц\pL*|час(а|ов)?|минут\pL*|попыт\pL*|ответ\pL*|визит\pL*|отзыв\pL*|оцен\pL*|сообщени\pL*|друз\pL*|друг\pL*|человек\pL*|раз|значк\pL*|чек\pL*|штамп\pL*|\pL+[ыи]х`,
}

// textFields hold words or formatted text, never a bare number: a noun
// after them agrees with nothing ("{{.Customer}} answers", "{{.Stars}}
// rating", "{{.Amount}}" as "1 500 ₽").
var textFields = map[string]bool{
	"Name": true, "Customer": true, "Who": true, "Store": true, "Business": true, "Title": true,
	"Tier": true, "Role": true, "Stars": true, "Zone": true, "Category": true, "Items": true,
	"Amount": true, "Money": true, "Pay": true, "Week": true, "From": true, "When": true,
	"Expires": true, "Link": true, "Staff": true, "Topic": true, "Text": true, "Emoji": true, "Word": true,
}

// fixedCounts are numeric fields that always carry one constant, written
// with the plural form it takes: nudge statistics over 30 days
// (flows.nudgeStatsDays), charts of 12 weeks (domain.ChartWeeks), staff
// invitations valid 72 hours (domain.InviteTTL), lookup limits over 15
// minutes (domain's keyLimit and staffLimit). Changing one of those
// constants means reading these messages again.
var fixedCounts = map[string]bool{"Days": true, "Weeks": true, "Hours": true, "Minutes": true}

// TestCountedNounsHaveForms fails when a message without plural forms
// writes a counted noun right after a number field (or after one word
// between, as in "{{.Count}} неудачных попыток"): "Сейчас у вас 34
// баллов", "You paid 1 points". Such a message either gets plural forms
// (and its caller a Count) or names the number instead of counting it:
// "Баллов на карте: 34".
func TestCountedNounsHaveForms(t *testing.T) {
	for _, l := range Languages() {
		nouns, ok := countedNouns[l]
		if !ok {
			t.Errorf("%s: countedNouns does not say which of its nouns change with a number", l)
			continue
		}
		if nouns == "" {
			continue
		}
		counted := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}(?:[ \t\x{a0}]+\pL+)?[ \t\x{a0}]+(` + nouns + `)(?:[^\pL]|$)`)
		for id, m := range load(t, l) {
			if len(m) > 1 {
				continue // plural forms: the noun agrees with Count
			}
			for _, hit := range counted.FindAllStringSubmatch(m["other"], -1) {
				if !textFields[hit[1]] && !fixedCounts[hit[1]] {
					t.Errorf("%s %q: %q counts a noun after a number without plural forms", l, id, strings.TrimSpace(hit[0]))
				}
			}
		}
	}
}
