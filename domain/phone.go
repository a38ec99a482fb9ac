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
	d, plus, err := PhoneDigits(s)
	if err != nil {
		return "", err
	}
	if !plus && len(d) == 11 && d[0] == '8' {
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

// PhoneDigits reads the digits of a typed phone number: plus is true when
// they are international ("+7 999…", or "00 44…" with its "00" dropped),
// false for a number that may be a national one ("8 999…", "999…"). Only
// spaces, dashes, dots and parentheses may stand between the digits.
func PhoneDigits(s string) (digits string, plus bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false, badPhone("empty or too long")
	}
	plus = strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	b := make([]byte, 0, 16)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", false, badPhone("unexpected character")
		}
	}
	digits = string(b)
	if !plus && strings.HasPrefix(digits, "00") {
		digits, plus = digits[2:], true
	}
	if digits == "" {
		return "", false, badPhone("no digits")
	}
	return digits, plus, nil
}

// PhoneReader reads a phone number as ParsePhone does, knowing the
// shop's country: a number typed without its country code is one of that
// country's (see domain/phones).
type PhoneReader func(raw string) (string, error)

// ParsePhone reads a typed phone number with the business's reader
// (Phones, set with the config's phone_region), or ParsePhone's rules
// when it has none (a Business built by hand).
func (b *Business) ParsePhone(raw string) (string, error) {
	if b.Phones != nil {
		return b.Phones(raw)
	}
	return ParsePhone(raw)
}

// SharedPhone reads the number of a contact Telegram shared: always the
// full international number, with or without its "+" ("79991234567"),
// never a national one.
func (b *Business) SharedPhone(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "+") {
		raw = "+" + raw
	}
	if phone, err := b.ParsePhone(raw); err == nil {
		return phone, nil
	}
	// Telegram vouches for its account's number even where the metadata
	// knows no such length (an anonymous +888 number): kept as it is.
	return ParsePhone(raw)
}

// BadPhone is the error for a number that cannot be read; detail says
// why, for the logs.
func BadPhone(detail string) error { return badPhone(detail) }

func badPhone(detail string) error {
	return &ValidationError{Reason: "error.phone.invalid", Detail: detail}
}
