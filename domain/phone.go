package domain

import "strings"

// ParsePhone normalises a phone number to E.164 ("+79991234567") so one
// person's number compares equal however it was typed or shared by
// Telegram. It accepts spaces, dashes, dots and parentheses between digits
// and these prefixes:
//
//   - "+<country code>…" as is: "+7 999 123-45-67", "+1 (415) 555-0100";
//   - "00" as the international prefix: "00 44 20 7946 0958" → "+442079460958";
//   - the Russian trunk prefix, 8 and 10 digits: "8 (999) 123 45 67" → "+79991234567";
//   - otherwise digits are taken as a full international number without
//     "+", the way Telegram shares contacts: "79991234567".
//
// The result has 10 to 15 digits and no leading 0. Letters, a misplaced
// "+", or any other character are refused with reason "error.phone.invalid".
func ParsePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", badPhone("empty or too long")
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	digits := make([]byte, 0, 16)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", badPhone("unexpected character")
		}
	}
	d := string(digits)
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case len(d) == 11 && d[0] == '8':
		d = "7" + d[1:]
	}
	if len(d) < 10 || len(d) > 15 {
		return "", badPhone("needs 10 to 15 digits")
	}
	if d[0] == '0' {
		return "", badPhone("country code starts with 0")
	}
	return "+" + d, nil
}

func badPhone(detail string) error {
	return &ValidationError{Reason: "error.phone.invalid", Detail: detail}
}
