package flows

import (
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// messageTemplates is the go-i18n template parser of every message the
// engine translates. go-i18n runs each message through text/template,
// which walks the data by reflection: under the chat load that was about
// 2 % of the bot's CPU, for messages that, all but a few, only put the
// data's fields into the text ("Balance: {{.Balance}}"). A message made
// of text and {{.Field}} actions alone is put together here, with the
// field written as text/template writes it: a string as it is, an
// integer or a bool as fmt prints it. Anything else, another action
// ({{if}}, a pipeline, trim markers, a comment), a missing key or a
// value of another type, goes to text/template, with the same options
// go-i18n's own parser uses, so the text is the same either way
// (TestMessageTemplatesAreTextTemplates holds every message to it).
var messageTemplates template.Parser = fieldParser{}

// fieldParser parses with text/template, and keeps the parts of a
// message made of text and {{.Field}} actions alone.
type fieldParser struct{ text template.TextParser }

// Cacheable: go-i18n keeps each message's parsed template.
func (fieldParser) Cacheable() bool { return true }

func (p fieldParser) Parse(src, leftDelim, rightDelim string) (template.ParsedTemplate, error) {
	text, err := p.text.Parse(src, leftDelim, rightDelim)
	if err != nil || !strings.Contains(src, "{{") || leftDelim != "" || rightDelim != "" {
		return text, err
	}
	parts, ok := fieldParts(src)
	if !ok {
		return text, nil
	}
	return &fieldTemplate{parts: parts, text: text, size: len(src)}, nil
}

// part is a piece of a message: literal text, or the data's field.
type part struct {
	text  string
	field string
}

// fieldParts splits src into text and {{.Field}} actions; ok is false
// when src has any other action.
func fieldParts(src string) (parts []part, ok bool) {
	for rest := src; rest != ""; {
		open := strings.Index(rest, "{{")
		if open < 0 {
			parts = append(parts, part{text: rest})
			break
		}
		if open > 0 {
			parts = append(parts, part{text: rest[:open]})
		}
		rest = rest[open+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return nil, false
		}
		name, ok := fieldName(rest[:end])
		if !ok {
			return nil, false
		}
		parts = append(parts, part{field: name})
		rest = rest[end+2:]
	}
	return parts, true
}

// fieldName reads an action that is a field of the data and nothing else
// (spaces around it allowed, as text/template allows them): ".Balance".
func fieldName(action string) (string, bool) {
	a := strings.Trim(action, " \t\r\n")
	if len(a) < 2 || a[0] != '.' {
		return "", false
	}
	name := a[1:]
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return "", false
		}
	}
	return name, true
}

// fieldTemplate is a message of text and fields, with its text/template
// for the data it does not put together itself.
type fieldTemplate struct {
	parts []part
	text  template.ParsedTemplate
	size  int
}

func (t *fieldTemplate) Execute(data any) (string, error) {
	m, ok := data.(map[string]any)
	if !ok {
		return t.text.Execute(data)
	}
	var b strings.Builder
	b.Grow(t.size + 32)
	var num [24]byte
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		switch v := m[p.field].(type) {
		case string:
			b.WriteString(v)
		case int:
			b.Write(strconv.AppendInt(num[:0], int64(v), 10))
		case int32:
			b.Write(strconv.AppendInt(num[:0], int64(v), 10))
		case int64:
			b.Write(strconv.AppendInt(num[:0], v, 10))
		case uint64:
			b.Write(strconv.AppendUint(num[:0], v, 10))
		case bool:
			b.Write(strconv.AppendBool(num[:0], v))
		default: // missing, nil, or another type: as text/template writes it
			return t.text.Execute(data)
		}
	}
	return b.String(), nil
}
