package tgfake

import (
	"fmt"
	"strings"
)

// htmlTags are the tags Telegram accepts with parse_mode HTML.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "code": true, "pre": true, "a": true,
	"tg-spoiler": true, "span": true, "blockquote": true, "tg-emoji": true,
}

// checkEntities rejects text that real Telegram would refuse to parse, so a
// bot that forgets to escape a customer's name fails in tests, not in
// production. It is deliberately partial: HTML tags and the MarkdownV2
// characters that are never markup.
func checkEntities(parseMode, text string) error {
	var err string
	switch strings.ToLower(parseMode) {
	case "html":
		err = checkHTML(text)
	case "markdownv2":
		err = checkMarkdownV2(text)
	}
	if err != "" {
		return badRequest("can't parse entities: " + err)
	}
	return nil
}

func checkHTML(text string) string {
	var stack []string
	for i := 0; i < len(text); i++ {
		if text[i] != '<' {
			continue
		}
		end := strings.IndexByte(text[i:], '>')
		if end < 0 {
			return fmt.Sprintf("Unclosed start tag at byte offset %d", i)
		}
		tag := text[i+1 : i+end]
		if name, ok := strings.CutPrefix(tag, "/"); ok {
			name = strings.ToLower(strings.TrimSpace(name))
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top(stack), name)
			}
			stack = stack[:len(stack)-1]
		} else {
			name := strings.ToLower(strings.Fields(tag + " ")[0])
			if !htmlTags[name] {
				return fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, i)
			}
			stack = append(stack, name)
		}
		i += end
	}
	if len(stack) > 0 {
		return fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", top(stack))
	}
	return ""
}

func top(stack []string) string {
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

func checkMarkdownV2(text string) string {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\':
			i++
			continue
		case c == '`': // code: only ` and \ are special inside
			if j := strings.IndexByte(text[i+1:], '`'); j >= 0 {
				i += j + 1
			}
			continue
		case c == ']' && i+1 < len(text) && text[i+1] == '(': // link URL
			if j := strings.IndexByte(text[i+1:], ')'); j >= 0 {
				i += j + 1
			}
			continue
		}
		if strings.IndexByte(".!-=+#|{}", c) >= 0 {
			return fmt.Sprintf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
	}
	return ""
}

// Telegram's limits on a message's text and a media caption, in UTF-16
// code units after entities parsing.
const (
	MaxTextLen    = 4096
	MaxCaptionLen = 1024
)

// checkLength refuses a text or caption longer than Telegram takes, as
// Telegram does ("message is too long"), counting it as Telegram does:
// after the markup of parse_mode HTML is taken out.
func checkLength(parseMode, text string, limit int, what string) error {
	if strings.EqualFold(parseMode, "html") {
		text = plainHTML(text)
	}
	n := 0
	for _, r := range text {
		n++
		if r > 0xFFFF {
			n++ // a surrogate pair
		}
	}
	if n > limit {
		return badRequest(what + " is too long")
	}
	return nil
}

// plainHTML is text without its HTML tags and with the four entities
// Telegram reads turned back into characters.
func plainHTML(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '<' {
			if end := strings.IndexByte(text[i:], '>'); end >= 0 {
				i += end
				continue
			}
		}
		b.WriteByte(text[i])
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(b.String())
}
