package domain

import (
	"errors"
	"testing"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"+7 999 123-45-67", "+79991234567"},
		{"8 (999) 123 45 67", "+79991234567"},
		{"89991234567", "+79991234567"},
		{"79991234567", "+79991234567"},
		{"+79991234567", "+79991234567"},
		{"+1 (415) 555-0100", "+14155550100"},
		{"00 44 20 7946 0958", "+442079460958"},
		{"+44.20.7946.0958", "+442079460958"},
		{"  +7\u00a0999\u00a01234567 ", "+79991234567"},
		{"14155550100", "+14155550100"},
		{"+8 999 123 45 67", "+89991234567"}, // "+" means no trunk rewrite
		{"+123456789012345", "+123456789012345"},

		{"", ""},
		{"+", ""},
		{"phone", ""},
		{"+7 999 CALL-ME", ""},
		{"+7 999 123", ""},        // too short
		{"999 12 34", ""},         // too short
		{"+1234567890123456", ""}, // 16 digits
		{"7+9991234567", ""},      // misplaced +
		{"++79991234567", ""},
		{"+0 999 123 45 67", ""},
		{"0 999 123 45 67", ""},
		{"+7 999 123 45 67 ext 2", ""},
		{"+7/999/1234567", ""},
		{"+７９９９１２３４５６７", ""}, // fullwidth digits
		{"00", ""},
	}
	for _, tt := range tests {
		got, err := ParsePhone(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != "error.phone.invalid" || got != "" {
			t.Errorf("ParsePhone(%q) = %q, %v; want error.phone.invalid", tt.in, got, err)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, seed := range []string{"+7 999 123-45-67", "8 (999) 123 45 67", "79991234567", "+1 (415) 555-0100",
		"00 44 20 7946 0958", "", "+", "00", "8"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePhone(in)
		if err != nil {
			if p != "" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePhone(%q) = %q, %v", in, p, err)
			}
			return
		}
		if len(p) < 11 || len(p) > 16 || p[0] != '+' || p[1] == '0' || !allDigits(p[1:]) {
			t.Fatalf("ParsePhone(%q) = %q is not E.164", in, p)
		}
		if again, err := ParsePhone(p); err != nil || again != p {
			t.Fatalf("re-parse of %q = %q, %v", p, again, err)
		}
	})
}
