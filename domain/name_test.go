package domain

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFirstName(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"Anna", "Anna"},
		{"  Анна  ", "Анна"},
		{"Anna   Maria", "Anna Maria"},
		{"Anna\u00a0\tMaria\n", "Anna Maria"},
		{"Jean-Luc", "Jean-Luc"},
		{"O'Brien", "O'Brien"},
		{"李", "李"},
		{"Anna 🌸", "Anna 🌸"},
		{"Anna2", "Anna2"},
		{"می\u200cخواهم", "می\u200cخواهم"}, // ZWNJ is part of Persian spelling
		{strings.Repeat("я", 64), strings.Repeat("я", 64)},

		{"", ""},
		{"   ", ""},
		{"🙂", ""},
		{"🙂 🌸", ""},
		{"123", ""},
		{"---", ""},
		{strings.Repeat("я", 65), ""},
		{"An\x00na", ""},
		{"An\x1bna", ""},
		{"Anna\u202e", ""}, // right-to-left override
		{"An\u200bna", ""}, // zero-width space
		{"An\xffna", ""},   // invalid UTF-8
	}
	for _, tt := range tests {
		got, err := ParseFirstName(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseFirstName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != "error.name.invalid" || got != "" {
			t.Errorf("ParseFirstName(%q) = %q, %v; want error.name.invalid", tt.in, got, err)
		}
	}
}

func FuzzParseFirstName(f *testing.F) {
	for _, seed := range []string{"Anna", "  Анна  Мария ", "🙂", "", "A\u202e", "Jean-Luc", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := ParseFirstName(in)
		if err != nil {
			if name != "" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseFirstName(%q) = %q, %v", in, name, err)
			}
			return
		}
		if n := utf8.RuneCountInString(name); n < 1 || n > 64 || !utf8.ValidString(name) {
			t.Fatalf("ParseFirstName(%q) = %q: bad length or encoding", in, name)
		}
		if strings.Contains(name, "  ") || strings.TrimSpace(name) != name || strings.Join(strings.Fields(name), " ") != name {
			t.Fatalf("ParseFirstName(%q) = %q: spaces not normalised", in, name)
		}
		if again, err := ParseFirstName(name); err != nil || again != name {
			t.Fatalf("re-parse of %q = %q, %v", name, again, err)
		}
	})
}
