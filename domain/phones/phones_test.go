package phones

import (
	"errors"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

func TestReaderReadsNationalNumbers(t *testing.T) {
	tests := []struct {
		region, in, want string // want "" means refused
	}{
		{"RU", "+7 999 123-45-67", "+79991234567"},
		{"RU", "8 (999) 123 45 67", "+79991234567"},
		{"RU", "89991234567", "+79991234567"},
		{"RU", "79991234567", "+79991234567"},
		{"RU", "999 123-45-67", "+79991234567"}, // read as +999… before phone_region
		{"RU", "9991234567", "+79991234567"},
		{"RU", "(495) 123-45-67", "+74951234567"},
		{"RU", "+1 (415) 555-0100", "+14155550100"},
		{"RU", "00 44 20 7946 0958", "+442079460958"},
		{"RU", "+44.20.7946.0958", "+442079460958"},
		{"RU", "  +7\u00a0999\u00a01234567 ", "+79991234567"},
		{"RU", "+998 90 123 45 67", "+998901234567"},
		{"UZ", "90 123 45 67", "+998901234567"},
		{"UZ", "998901234567", "+998901234567"},
		{"UZ", "+7 999 123 45 67", "+79991234567"},
		{"KZ", "8 701 123 45 67", "+77011234567"},
		{"KZ", "701 123 4567", "+77011234567"},

		{"RU", "", ""},
		{"RU", "+", ""},
		{"RU", "phone", ""},
		{"RU", "+7 999 CALL-ME", ""},
		{"RU", "+7 999 123", ""},       // too short for Russia
		{"RU", "999 12 34", ""},        // too short
		{"RU", "+999 123 45 67", ""},   // no country has +999
		{"RU", "+8 999 123 45 67", ""}, // nor +8
		{"RU", "+7 999 123 45 67 8", ""},
		{"RU", "7+9991234567", ""}, // misplaced +
		{"RU", "++79991234567", ""},
		{"RU", "+0 999 123 45 67", ""},
		{"RU", "+7 999 123 45 67 ext 2", ""},
		{"RU", "+7/999/1234567", ""},
		{"RU", "+７９９９１２３４５６７", ""}, // fullwidth digits
		{"RU", "00", ""},
		{"RU", "+12345678901234567890", ""},
		{"UZ", "79991234567", ""}, // a Russian number needs its +7 in Uzbekistan
	}
	for _, tt := range tests {
		got, err := Reader(tt.region)(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("%s: read %q = %q, %v; want %q", tt.region, tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.Reason != "error.phone.invalid" || got != "" {
			t.Errorf("%s: read %q = %q, %v; want error.phone.invalid", tt.region, tt.in, got, err)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for _, r := range []string{"RU", "UZ", "KZ", "US", "DE"} {
		if !ValidRegion(r) {
			t.Errorf("%s refused", r)
		}
	}
	for _, r := range []string{"", "ru", "XX", "RUS", "Russia", "001"} {
		if ValidRegion(r) {
			t.Errorf("%q accepted", r)
		}
	}
}

// A shared contact is always a full number: in Uzbekistan too, Telegram's
// "79991234567" is a Russian one.
func TestSharedContactIsInternational(t *testing.T) {
	b := &domain.Business{Phones: Reader("UZ")}
	for in, want := range map[string]string{"79991234567": "+79991234567", "+998901234567": "+998901234567", "998901234567": "+998901234567"} {
		if got, err := b.SharedPhone(in); err != nil || got != want {
			t.Errorf("shared %q = %q, %v; want %q", in, got, err, want)
		}
	}
}

func FuzzReader(f *testing.F) {
	for _, seed := range []string{"+7 999 123-45-67", "8 (999) 123 45 67", "79991234567", "999 123 45 67", "+1 (415) 555-0100",
		"00 44 20 7946 0958", "", "+", "00", "8", "90 123 45 67"} {
		f.Add(seed)
	}
	read := Reader("RU")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := read(in)
		if err != nil {
			if p != "" || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("read %q = %q, %v", in, p, err)
			}
			return
		}
		if len(p) < 4 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
			t.Fatalf("read %q = %q is not E.164", in, p)
		}
		for _, r := range p[1:] {
			if r < '0' || r > '9' {
				t.Fatalf("read %q = %q is not E.164", in, p)
			}
		}
		if again, err := read(p); err != nil || again != p {
			t.Fatalf("re-read of %q = %q, %v", p, again, err)
		}
	})
}
