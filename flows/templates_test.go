package flows

import (
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"

	"github.com/loyaltybot/loyaltybot/locales"
)

// messageSources returns every text of every message file, plural forms
// included, by language and id.
func messageSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case string:
			out[key] = v
		case map[string]any:
			for k, x := range v {
				walk(key+"."+k, x)
			}
		}
	}
	for _, lang := range locales.Languages() {
		raw, err := locales.File(lang)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := toml.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		walk(lang, m)
	}
	return out
}

type namedString string

var templateField = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)

// TestMessageTemplatesAreTextTemplates: every message of every language,
// with data of every kind the fast path takes and of kinds it leaves to
// text/template (missing keys, nil, floats, named types, data that is not
// a map), reads the same through messageTemplates as through go-i18n's
// own text/template parser; and most messages with actions take the fast
// path.
func TestMessageTemplatesAreTextTemplates(t *testing.T) {
	srcs := messageSources(t)
	ids := make([]string, 0, len(srcs))
	for id := range srcs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	text := &template.TextParser{}
	var actions, fast, compared int
	for _, id := range ids {
		src := srcs[id]
		want, err := text.Parse(src, "", "")
		if err != nil {
			t.Errorf("%s: text/template: %v", id, err)
			continue
		}
		got, err := messageTemplates.Parse(src, "", "")
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if templateField.MatchString(src) {
			actions++
			if _, ok := got.(*fieldTemplate); ok {
				fast++
			}
		}
		var fields []string
		for _, m := range templateField.FindAllStringSubmatch(src, -1) {
			fields = append(fields, m[1])
		}
		values := [][]any{
			{"Маша <b>&amp;</b> \"q\" {{.X}} %d 100%", "", "Rex"},
			{0, -12345, 7},
			{int64(-9_000_000_000), int64(42), int32(-3)},
			{uint64(18_000_000_000_000_000_000), true, false},
			{"a", 1, nil},
			{1.5, namedString("n"), []string{"x"}},
		}
		datas := []any{nil, struct{ Name string }{"Name"}}
		for _, vs := range values {
			d := map[string]any{}
			for i, f := range fields {
				d[f] = vs[i%len(vs)]
			}
			datas = append(datas, d)
			if len(fields) > 0 {
				missing := map[string]any{}
				for k, v := range d {
					missing[k] = v
				}
				delete(missing, fields[len(fields)-1])
				datas = append(datas, missing)
			}
		}
		for _, d := range datas {
			w, werr := want.Execute(d)
			g, gerr := got.Execute(d)
			compared++
			if g != w || (gerr == nil) != (werr == nil) {
				t.Errorf("%s with %#v:\n got %q (%v)\nwant %q (%v)", id, d, g, gerr, w, werr)
			}
		}
	}
	if actions == 0 || fast*10 < actions*8 {
		t.Errorf("%d of %d messages with fields take the fast path; want at least 80 %%", fast, actions)
	}
	t.Logf("%d messages, %d with fields, %d of them on the fast path; %d texts compared", len(srcs), actions, fast, compared)
}

// TestFieldParts: what the fast path takes and what it leaves.
func TestFieldParts(t *testing.T) {
	for src, want := range map[string]string{
		"Balance: {{.Balance}} pts":   `["Balance: " .Balance " pts"]`,
		"{{ .A }}{{.b_2}}":            `[.A .b_2]`,
		"a }} b {{.X}}":               `["a }} b " .X]`,
		"no actions":                  `["no actions"]`,
		"{{- .X}}":                    "text/template",
		"{{.X -}}":                    "text/template",
		"{{.X.Y}}":                    "text/template",
		"{{.}}":                       "text/template",
		"{{.1X}}":                     "text/template",
		"{{.Ä}}":                      "text/template",
		"{{if .X}}y{{end}}":           "text/template",
		"{{.X | printf \"%d\"}}":      "text/template",
		"{{/* note */}}":              "text/template",
		"{{.X}} and {{ unclosed":      "text/template",
		"{{\"}}\"}}":                  "text/template",
		"{{.Name}}{{template \"x\"}}": "text/template",
	} {
		parts, ok := fieldParts(src)
		got := "text/template"
		if ok {
			got = "["
			for i, p := range parts {
				if i > 0 {
					got += " "
				}
				if p.field != "" {
					got += "." + p.field
				} else {
					got += fmt.Sprintf("%q", p.text)
				}
			}
			got += "]"
		}
		if got != want {
			t.Errorf("fieldParts(%q) = %s; want %s", src, got, want)
		}
	}
}

// BenchmarkMessageTemplate: a message with two fields, through
// text/template and through messageTemplates.
func BenchmarkMessageTemplate(b *testing.B) {
	const src = "You're in, {{.Name}}! 🎉 We have credited {{.Bonus}} welcome points to your card."
	data := map[string]any{"Name": "Маша", "Bonus": int64(150)}
	for _, c := range []struct {
		name string
		p    template.Parser
	}{{"text-template", &template.TextParser{}}, {"fields", messageTemplates}} {
		pt, err := c.p.Parse(src, "", "")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pt.Execute(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzMessageTemplates: whatever the text and whatever the data's values,
// a template messageTemplates parses reads as go-i18n's text/template
// parser reads it, or both refuse it.
func FuzzMessageTemplates(f *testing.F) {
	for _, s := range []string{
		"Balance: {{.Balance}} pts", "{{ .A }}{{.b_2}}", "a }} b {{.X}}", "{{- .X}}",
		"{{if .X}}y{{end}}", "{{.X.Y}}", "{{.}}", "{{.A}}{{.A}}", "{{", "}}{{.B}",
	} {
		f.Add(s, "Маша", int64(-7), true, uint8(0))
	}
	text := &template.TextParser{}
	f.Fuzz(func(t *testing.T, src, str string, n int64, flag bool, mix uint8) {
		want, werr := text.Parse(src, "", "")
		got, gerr := messageTemplates.Parse(src, "", "")
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: parse errors differ: %v against %v", src, gerr, werr)
		}
		if werr != nil {
			return
		}
		values := []any{str, n, int(n), int32(n), uint64(n), flag, nil, float64(n), namedString(str)}
		d := map[string]any{}
		for i, m := range templateField.FindAllStringSubmatch(src, -1) {
			if (mix>>(i%8))&1 == 0 { // some fields missing
				d[m[1]] = values[(int(mix)+i)%len(values)]
			}
		}
		w, werr := want.Execute(d)
		g, gerr := got.Execute(d)
		if g != w || (gerr == nil) != (werr == nil) {
			t.Fatalf("%q with %#v: got %q (%v), want %q (%v)", src, d, g, gerr, w, werr)
		}
	})
}
