package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a first name so it fits greetings, receipts and the
// cashier's screen.
const maxNameRunes = 64

// ParseFirstName cleans the name a customer types so it can be shown back to
// them and to staff: surrounding space is trimmed and inner runs of spaces
// (including NBSP, tabs, newlines) become one space. The result must have
// 1-64 characters and at least one letter, so "🙂" or "123" is refused;
// control and invisible formatting characters (bidi overrides, zero-width
// spaces) are refused because they can disguise a name on the staff screen.
// Zero-width (non-)joiners are kept, as some scripts and emoji need them.
// Errors are *ValidationError with reason "error.name.invalid".
func ParseFirstName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", badName("invalid UTF-8")
	}
	if len(s) > 4*maxNameRunes*2 {
		return "", badName("too long")
	}
	name := strings.Join(strings.Fields(s), " ")
	letter := false
	for _, r := range name {
		switch {
		case r == '\u200c' || r == '\u200d':
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError ||
			unicode.Is(unicode.Co, r) || unicode.Is(unicode.Cs, r) || unicode.Is(unicode.Zl, r) ||
			unicode.Is(unicode.Zp, r):
			return "", badName("control or invisible character")
		case unicode.IsLetter(r):
			letter = true
		}
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > maxNameRunes {
		return "", badName("length")
	}
	if !letter {
		return "", badName("no letter")
	}
	return name, nil
}

func badName(detail string) error {
	return &ValidationError{Reason: "error.name.invalid", Detail: detail}
}
