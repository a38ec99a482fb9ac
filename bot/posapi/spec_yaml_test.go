package posapi

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// LoadSpec reads openapi.yaml into maps, lists and strings, for the
// tests that hold the spec to the API's answers (spec_test.go). The
// module has no YAML library, so this reads the subset the spec is
// written in: block mappings and sequences, literal blocks (|), one-line
// flow mappings and sequences, quoted and plain scalars. A flow entry
// without its colon (a plain scalar cut at a comma, as YAML reads it) is
// an error, since a real YAML reader would make it a key of its own.
func LoadSpec(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []yline
	for i, l := range strings.Split(string(raw), "\n") {
		t := strings.TrimLeft(l, " ")
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			lines = append(lines, yline{n: i + 1, indent: -1, raw: l})
			continue
		}
		lines = append(lines, yline{n: i + 1, indent: len(l) - len(t), text: strings.TrimRight(t, " "), raw: l})
	}
	p := &yparser{lines: lines}
	v, err := p.block(0)
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.i < len(p.lines) {
		return nil, fmt.Errorf("line %d: unexpected indentation", p.lines[p.i].n)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the spec is not a mapping")
	}
	return m, nil
}

type yline struct {
	n, indent int // indent -1: blank or comment
	text, raw string
}

type yparser struct {
	lines []yline
	i     int
}

func (p *yparser) skipBlank() {
	for p.i < len(p.lines) && p.lines[p.i].indent < 0 {
		p.i++
	}
}

// block reads the mapping or sequence whose lines are at indent.
func (p *yparser) block(indent int) (any, error) {
	p.skipBlank()
	if p.i >= len(p.lines) {
		return nil, nil
	}
	if l := p.lines[p.i]; l.text == "-" || strings.HasPrefix(l.text, "- ") {
		var seq []any
		for p.skipBlank(); p.i < len(p.lines) && p.lines[p.i].indent == indent && strings.HasPrefix(p.lines[p.i].text+" ", "- "); p.skipBlank() {
			l := p.lines[p.i]
			rest := strings.TrimSpace(strings.TrimPrefix(l.text, "-"))
			if rest != "" && !strings.HasPrefix(rest, "{") && !strings.HasPrefix(rest, "[") && !strings.HasPrefix(rest, `"`) && keyOf(rest) != "" {
				// "- key: value": a mapping whose lines are at indent+2.
				p.lines[p.i].indent, p.lines[p.i].text = indent+2, rest
				v, err := p.block(indent + 2)
				if err != nil {
					return nil, err
				}
				seq = append(seq, v)
				continue
			}
			p.i++
			v, err := scalarOrFlow(rest, l.n)
			if err != nil {
				return nil, err
			}
			seq = append(seq, v)
		}
		return seq, nil
	}
	m := map[string]any{}
	for p.skipBlank(); p.i < len(p.lines) && p.lines[p.i].indent == indent; p.skipBlank() {
		l := p.lines[p.i]
		key := keyOf(l.text)
		if key == "" {
			return nil, fmt.Errorf("line %d: no key in %q", l.n, l.text)
		}
		rest := strings.TrimSpace(strings.TrimPrefix(l.text, key))
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		key = unquote(key)
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("line %d: key %q twice", l.n, key)
		}
		p.i++
		switch {
		case rest == "|" || rest == "|-" || rest == ">":
			var b strings.Builder
			for ; p.i < len(p.lines) && (p.lines[p.i].indent < 0 || p.lines[p.i].indent > indent); p.i++ {
				b.WriteString(strings.TrimSpace(p.lines[p.i].raw) + "\n")
			}
			m[key] = b.String()
		case rest == "":
			p.skipBlank()
			if p.i < len(p.lines) && (p.lines[p.i].indent > indent ||
				p.lines[p.i].indent == indent && strings.HasPrefix(p.lines[p.i].text, "- ")) {
				v, err := p.block(p.lines[p.i].indent)
				if err != nil {
					return nil, err
				}
				m[key] = v
			} else {
				m[key] = nil
			}
		default:
			v, err := scalarOrFlow(rest, l.n)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
	}
	return m, nil
}

// keyOf is the key of "key: value" or "key:", or "" when s is no entry.
func keyOf(s string) string {
	if strings.HasPrefix(s, `"`) {
		end := strings.Index(s[1:], `"`)
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return ""
		}
		return s[:end+2]
	}
	if i := strings.Index(s, ": "); i > 0 {
		return s[:i]
	}
	if strings.HasSuffix(s, ":") {
		return s[:len(s)-1]
	}
	return ""
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

func scalarOrFlow(s string, line int) (any, error) {
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		f := &flow{s: s, line: line}
		v, err := f.value()
		if err != nil {
			return nil, err
		}
		if f.skip(); f.i != len(f.s) {
			return nil, fmt.Errorf("line %d: data after a flow value: %q", line, f.s[f.i:])
		}
		return v, nil
	}
	return unquote(s), nil
}

// flow reads a one-line flow value.
type flow struct {
	s    string
	i    int
	line int
}

func (f *flow) skip() {
	for f.i < len(f.s) && f.s[f.i] == ' ' {
		f.i++
	}
}

func (f *flow) value() (any, error) {
	f.skip()
	if f.i >= len(f.s) {
		return nil, fmt.Errorf("line %d: flow value ends early", f.line)
	}
	switch f.s[f.i] {
	case '{':
		f.i++
		m := map[string]any{}
		for {
			f.skip()
			if f.i < len(f.s) && f.s[f.i] == '}' {
				f.i++
				return m, nil
			}
			k, err := f.scalar(true)
			if err != nil {
				return nil, err
			}
			f.skip()
			if f.i >= len(f.s) || f.s[f.i] != ':' {
				return nil, fmt.Errorf("line %d: flow mapping entry %q has no value (a plain scalar cut at a comma?)", f.line, k)
			}
			f.i++
			v, err := f.value()
			if err != nil {
				return nil, err
			}
			m[k] = v
			f.skip()
			if f.i < len(f.s) && f.s[f.i] == ',' {
				f.i++
			}
		}
	case '[':
		f.i++
		var seq []any
		for {
			f.skip()
			if f.i < len(f.s) && f.s[f.i] == ']' {
				f.i++
				return seq, nil
			}
			v, err := f.value()
			if err != nil {
				return nil, err
			}
			seq = append(seq, v)
			f.skip()
			if f.i < len(f.s) && f.s[f.i] == ',' {
				f.i++
			}
		}
	}
	return f.scalar(false)
}

// scalar reads a quoted scalar, or a plain one up to the flow indicators.
func (f *flow) scalar(key bool) (string, error) {
	if f.i < len(f.s) && (f.s[f.i] == '"' || f.s[f.i] == '\'') {
		q := f.s[f.i]
		for j := f.i + 1; j < len(f.s); j++ {
			if q == '"' && f.s[j] == '\\' {
				j++
				continue
			}
			if f.s[j] == q {
				v := unquote(f.s[f.i : j+1])
				f.i = j + 1
				return v, nil
			}
		}
		return "", fmt.Errorf("line %d: unterminated quote", f.line)
	}
	start := f.i
	for ; f.i < len(f.s); f.i++ {
		c := f.s[f.i]
		if c == ',' || c == '}' || c == ']' || (key && c == ':') || (c == ':' && f.i+1 < len(f.s) && f.s[f.i+1] == ' ') {
			break
		}
	}
	return strings.TrimSpace(f.s[start:f.i]), nil
}

// TestSpecSchemasMatchAnswerTypes: every field an answer type can write
// is a property of its schema in openapi.yaml, and every property of
// the schema is a field the type writes; a property the code may leave
// out (omitempty) is not required by the spec, and one it always writes
// is.
func TestSpecSchemasMatchAnswerTypes(t *testing.T) {
	spec, err := LoadSpec("openapi.yaml")
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	schemas := spec["components"].(map[string]any)["schemas"].(map[string]any)
	card := schemas["Card"].(map[string]any)["properties"].(map[string]any)
	for name, c := range map[string]struct {
		typ    reflect.Type
		schema any
	}{
		"Purchase":           {reflect.TypeFor[purchaseAnswer](), schemas["Purchase"]},
		"Return":             {reflect.TypeFor[returnAnswer](), schemas["Return"]},
		"Prize":              {reflect.TypeFor[prizeAnswer](), schemas["Prize"]},
		"Card":               {reflect.TypeFor[cardAnswer](), schemas["Card"]},
		"Card.promotion_now": {reflect.TypeFor[promotionAnswer](), card["promotion_now"]},
		"Card.prizes[]":      {reflect.TypeFor[prizeOffer](), card["prizes"].(map[string]any)["items"]},
		"Card.offers[]":      {reflect.TypeFor[offerAnswer](), card["offers"].(map[string]any)["items"]},
		"Event":              {reflect.TypeFor[eventAnswer](), schemas["Event"]},
		"PurchaseRequest":    {reflect.TypeFor[purchaseBody](), schemas["PurchaseRequest"]},
		"EventRequest":       {reflect.TypeFor[eventBody](), schemas["EventRequest"]},
		"EventRequest.customer": {reflect.TypeFor[customerRefBody](),
			schemas["EventRequest"].(map[string]any)["properties"].(map[string]any)["customer"]},
		"EventRequest.items[]": {reflect.TypeFor[itemBody](),
			schemas["EventRequest"].(map[string]any)["properties"].(map[string]any)["items"].(map[string]any)["items"]},
	} {
		s, _ := c.schema.(map[string]any)
		if s == nil {
			t.Errorf("%s: no schema in openapi.yaml", name)
			continue
		}
		props, _ := s["properties"].(map[string]any)
		var required []string
		for _, r := range asList(s["required"]) {
			required = append(required, fmt.Sprint(r))
		}
		request := strings.HasSuffix(name, "Request") || strings.HasPrefix(name, "EventRequest.")
		fields := map[string]bool{}
		for i := range c.typ.NumField() {
			f := c.typ.Field(i)
			tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = true
			if _, ok := props[tag]; !ok {
				t.Errorf("%s: the code has the field %q, openapi.yaml's schema does not", name, tag)
			}
			if request {
				continue
			}
			omit := strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer
			if req := slices.Contains(required, tag); omit && req {
				t.Errorf("%s: %q is required in openapi.yaml but the code leaves it out when empty", name, tag)
			} else if !omit && !req {
				t.Errorf("%s: the code always writes %q but openapi.yaml does not list it as required", name, tag)
			}
		}
		var extra []string
		for p := range props {
			if !fields[p] {
				extra = append(extra, p)
			}
		}
		sort.Strings(extra)
		for _, p := range extra {
			t.Errorf("%s: openapi.yaml's schema has %q, which the code never writes or reads", name, p)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
