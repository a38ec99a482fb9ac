package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCardRef(t *testing.T) {
	tok := testSigner(t).Token(42, testNow)
	tests := []struct {
		in   string
		want CardRef
		ok   bool
	}{
		{"c_" + tok, CardRef{Token: tok}, true},
		{tok, CardRef{Token: tok}, true},
		{"  c_" + tok + "\n", CardRef{Token: tok}, true},
		{"https://t.me/any_bot?start=c_" + tok, CardRef{Token: tok}, true},
		{"http://t.me/any_bot?start=c_" + tok, CardRef{Token: tok}, true},
		{"t.me/shop_loyalty_bot?start=c_" + tok, CardRef{Token: tok}, true},
		{"HTTPS://T.ME/Any_Bot?start=c_" + tok, CardRef{Token: tok}, true},
		{"https://telegram.me/any_bot?start=c_" + tok, CardRef{Token: tok}, true},
		{"tg://resolve?domain=any_bot&start=c_" + tok, CardRef{Token: tok}, true},
		{"12345678123456", CardRef{Code: "12345678123456"}, true},
		{"1234 5678 123 456", CardRef{Code: "12345678123456"}, true},
		{"1234-5678-123-456", CardRef{Code: "12345678123456"}, true},
		{" 12 34 56 78 12 34 56 ", CardRef{Code: "12345678123456"}, true},
		{"1234\u00a05678\u00a0123\u00a0456", CardRef{Code: "12345678123456"}, true},

		{"", CardRef{}, false},
		{"   ", CardRef{}, false},
		{"123456789012", CardRef{}, false},    // 12 digits: the old shape
		{"1234567812345", CardRef{}, false},   // 13 digits
		{"123456781234567", CardRef{}, false}, // 15 digits
		{"c_", CardRef{}, false},
		{"c_short", CardRef{}, false},
		{"c_" + tok + "!", CardRef{}, false},
		{"c_" + strings.Repeat("A", 63), CardRef{}, false},
		{"https://t.me/any_bot?start=s_central", CardRef{}, false},
		{"https://t.me/any_bot", CardRef{}, false},
		{"https://evil.example/t.me/?start=c_" + tok, CardRef{}, false},
		{"https://t.me.evil.example/x?start=c_" + tok, CardRef{}, false},
		{"t.me/%zz", CardRef{}, false},
		{"hello world", CardRef{}, false},
		{"1234 5678 123 45a", CardRef{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCardRef(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseCardRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != "error.card.unreadable" || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseCardRef(%q) = %+v, %v; want error.card.unreadable", tt.in, got, err)
		}
	}
}

func FuzzParseCardRef(f *testing.F) {
	s := testSigner(f)
	tok := s.Token(42, testNow)
	for _, seed := range []string{"c_" + tok, tok, "https://t.me/b?start=c_" + tok, "t.me/b?start=c_x",
		"1234 5678 123 456", "1234-5678-123-456", "", "tg://resolve?domain=b&start=c_" + tok} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ref, err := ParseCardRef(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || ref != (CardRef{}) {
				t.Fatalf("ParseCardRef(%q) = %+v, %v", in, ref, err)
			}
			return
		}
		if (ref.Token == "") == (ref.Code == "") {
			t.Fatalf("ParseCardRef(%q) = %+v: want exactly one field", in, ref)
		}
		var again CardRef
		if ref.Code != "" {
			if len(ref.Code) != 14 || !allDigits(ref.Code) {
				t.Fatalf("code %q not 14 digits", ref.Code)
			}
			again, err = ParseCardRef(FormatCode(ref.Code))
		} else {
			if len(ref.Token) > 62 || !payloadChars(ref.Token) {
				t.Fatalf("token %q has a bad shape", ref.Token)
			}
			again, err = ParseCardRef("c_" + ref.Token)
		}
		if err != nil || again != ref {
			t.Fatalf("re-parse of %+v = %+v, %v", ref, again, err)
		}
	})
}
