package domain

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template"
)

// An owner writes a nudge's text, its button and an offer's line per
// language as Go templates over the fields below. Each is parsed when the
// config is read, so a typo ("{{.Nmae}}", "{{.Name") stops the bot at
// start-up with the field that holds it, not at 10:00 with a customer's
// message.

// nudgeTextSample is a value of each field a rule's text and button see
// (flows' renderNudge fills them); Percent only when an offer has one.
var nudgeTextSample = map[string]any{
	"Name": "Anna", "Balance": int64(1200), "Business": "Shop", "Points": int64(100), "Expires": "07.12.2026",
	"Items": "Bucket", "Who": "Masha", "Category": "coffee", "Percent": 10,
}

// offerTextSample is the same for an offer's line (flows' offerLine).
var offerTextSample = map[string]any{
	"Points": int64(100), "Count": int64(100), "Expires": "07.12.2026", "Percent": 10, "Category": "coffee", "Code": int64(42),
}

// ParseOwnText parses an owner's template written in lang. Besides the
// fields it may call num, which writes a number with its digits grouped
// as people of lang do ("{{num .Balance}}": "12 345" in Russian); the
// fields themselves stay numbers, so "{{if gt .Balance 1000}}" works.
func ParseOwnText(name, lang, src string) (*template.Template, error) {
	return template.New(name).Option("missingkey=zero").Funcs(template.FuncMap{
		"num": func(n any) (string, error) {
			switch n := n.(type) {
			case int:
				return FormatCount(n, lang), nil
			case int64:
				return FormatCount(n, lang), nil
			}
			return "", fmt.Errorf("num takes a number, not %v", n)
		},
	}).Parse(src)
}

// checkOwnText parses a template and runs it over sample values, refusing
// a field the message does not have.
func checkOwnText(lang, src string, sample map[string]any) error {
	t, err := ParseOwnText("text", lang, src)
	if err == nil {
		err = t.Option("missingkey=error").Execute(io.Discard, sample)
	}
	if err != nil {
		// "template: text:1:2: executing "text" at <.Nmae>: map has no
		// entry for key "Nmae"" reads "1:2: <.Nmae>: map has no …".
		msg := strings.TrimPrefix(err.Error(), "template: text:")
		msg = strings.Replace(msg, `: executing "text" at `, ": ", 1)
		return fmt.Errorf("%s (it may use %s)", msg, fieldList(sample))
	}
	return nil
}

func fieldList(sample map[string]any) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(sample)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{{." + k + "}}")
	}
	b.WriteString(" and {{num .Field}}")
	return b.String()
}

// validateTexts checks every template of the rule: its texts, buttons,
// texts by category and offers' lines.
func (r NudgeRule) validateTexts(bad func(field, problem string) error) error {
	check := func(field string, texts map[string]string, sample map[string]any) error {
		for _, lang := range slices.Sorted(maps.Keys(texts)) {
			if err := checkOwnText(lang, texts[lang], sample); err != nil {
				return bad(field+"."+lang, err.Error())
			}
		}
		return nil
	}
	if err := check("text", r.Text, nudgeTextSample); err != nil {
		return err
	}
	if err := check("button", r.Button, nudgeTextSample); err != nil {
		return err
	}
	for _, c := range slices.Sorted(maps.Keys(r.CategoryText)) {
		if err := check("categories."+c+".text", r.CategoryText[c], nudgeTextSample); err != nil {
			return err
		}
	}
	for i, o := range r.Offers {
		if err := check(fmt.Sprintf("offers[%d].text", i), o.Text, offerTextSample); err != nil {
			return err
		}
	}
	return nil
}
