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
		{"123456789012", CardRef{Code: "123456789012"}, true},
		{"1234 5678 9012", CardRef{Code: "123456789012"}, true},
		{"1234-5678-9012", CardRef{Code: "123456789012"}, true},
		{" 12 34 56 78 90 12 ", CardRef{Code: "123456789012"}, true},

		{"", CardRef{}, false},
		{"   ", CardRef{}, false},
		{"12345678901", CardRef{}, false},   // 11 digits
		{"1234567890123", CardRef{}, false}, // 13 digits
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
		{"1234 5678 901a", CardRef{}, false},
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
		"1234 5678 9012", "1234-5678-9012", "", "tg://resolve?domain=b&start=c_" + tok} {
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
			if len(ref.Code) != 12 || !allDigits(ref.Code) {
				t.Fatalf("code %q not 12 digits", ref.Code)
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
