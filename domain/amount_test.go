package domain

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const testMaxMinor = 10_000_000_00 // 10 million roubles

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		reason string // "" means ok
	}{
		{"1234", 123400, ""},
		{"1 234,50", 123450, ""},
		{"1234.50", 123450, ""},
		{"1234,50", 123450, ""},
		{"1234.5", 123450, ""},
		{"1 234", 123400, ""},
		{"1\u00a0234,50", 123450, ""},
		{"1\u202f234\u2009567", 123456700, ""},
		{"1,234.50", 123450, ""},
		{"1.234,50", 123450, ""},
		{"1,234,567.89", 123456789, ""},
		{"1.234.567", 123456700, ""},
		{"1,234", 123400, ""},   // one separator + 3 digits, short integer part: thousands
		{"12.345", 1234500, ""}, // same
		{"123,456", 12345600, ""},
		{"0,5", 50, ""},
		{"0.05", 5, ""},
		{"12,3", 1230, ""},
		{"007", 700, ""},
		{"1234 ₽", 123400, ""},
		{"1234₽", 123400, ""},
		{"1 234,50 руб", 123450, ""},
		{"1 234,50 руб.", 123450, ""},
		{"150 р.", 15000, ""},
		{"150р", 15000, ""},
		{"150 Р", 15000, ""},
		{"150 RUB", 15000, ""},
		{"150 rub", 15000, ""},
		{"150 000 soʻm", 15000000, ""},
		{"150 000 so'm", 15000000, ""},
		{"150000 SUM", 15000000, ""},
		{"150 000 UZS", 15000000, ""},
		{"150 000 сўм", 15000000, ""},
		{"  99,99  ", 9999, ""},
		{"10000000", 10_000_000_00, ""},

		{"", 0, "error.amount.empty"},
		{"   ", 0, "error.amount.empty"},
		{"руб", 0, "error.amount.empty"},
		{"-100", 0, "error.amount.negative"},
		{"−100", 0, "error.amount.negative"},
		{"- 100", 0, "error.amount.negative"},
		{"0", 0, "error.amount.zero"},
		{"0,00", 0, "error.amount.zero"},
		{"0 ₽", 0, "error.amount.zero"},
		{"abc", 0, "error.amount.letters"},
		{"1e5", 0, "error.amount.letters"},
		{"1O0", 0, "error.amount.letters"},
		{"100 USD", 0, "error.amount.letters"},
		{"+100", 0, "error.amount.letters"},
		{"1\t000", 0, "error.amount.letters"},
		{"1234,567", 0, "error.amount.precision"},  // long integer part: decimal
		{"0,500", 0, "error.amount.precision"},     // leading 0: decimal
		{"1 234,567", 0, "error.amount.precision"}, // spaces present: decimal
		{"1.2345", 0, "error.amount.precision"},
		{"1,234.567", 0, "error.amount.precision"},
		{"1.001", 100100, ""},
		{"12 34", 0, "error.amount.format"},
		{"1234 567", 0, "error.amount.format"},
		{"1  234", 0, "error.amount.format"},
		{"1,23,456", 0, "error.amount.format"},
		{"1.2.3", 0, "error.amount.format"},
		{"1,2.3,4", 0, "error.amount.format"},
		{"1 234.567,5", 0, "error.amount.format"},
		{"1 234,5,0", 0, "error.amount.format"},
		{".50", 0, "error.amount.format"},
		{"100.", 0, "error.amount.format"},
		{",", 0, "error.amount.format"},
		{"1,,5", 0, "error.amount.format"},
		{"10000000,01", 0, "error.amount.too_large"},
		{"99999999999999999999", 0, "error.amount.too_large"},
		{"92233720368547758,07", 0, "error.amount.too_large"},
		{"92233720368547758,08", 0, "error.amount.too_large"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, testCurrency(tt.in), testMaxMinor)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != tt.reason || got != 0 {
			t.Errorf("ParseAmount(%q) = %d, %v; want %s", tt.in, got, err, tt.reason)
		}
	}
}

func TestParseAmountNoLimit(t *testing.T) {
	got, err := ParseAmount("92233720368547758,07", "RUB", math.MaxInt64)
	if err != nil || got != math.MaxInt64 {
		t.Errorf("ParseAmount(max int64) = %d, %v", got, err)
	}
	if _, err := ParseAmount("92233720368547758,08", "RUB", math.MaxInt64); err == nil {
		t.Error("ParseAmount accepted max int64 + 1")
	}
}

func TestFormatCount(t *testing.T) {
	tests := []struct {
		n    int64
		lang string
		want string
	}{
		{0, "en", "0"},
		{999, "en", "999"},
		{1000, "en", "1,000"},
		{28538, "en", "28,538"},
		{28538, "ru", "28 538"},
		{1234567, "uz", "1 234 567"},
		{-85694, "ru-RU", "-85 694"},
		{math.MinInt64, "en", "-9,223,372,036,854,775,808"},
		{math.MaxInt64, "ru", "9 223 372 036 854 775 807"},
	}
	for _, tt := range tests {
		if got := FormatCount(tt.n, tt.lang); got != tt.want {
			t.Errorf("FormatCount(%d, %q) = %q, want %q", tt.n, tt.lang, got, tt.want)
		}
	}
	if got := FormatCount(12345, "en"); got != "12,345" { // an int, as counts of rows are
		t.Errorf("FormatCount(int 12345) = %q", got)
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		minor          int64
		currency, lang string
		want           string
	}{
		{123450, "RUB", "ru", "1 234,50 ₽"},
		{123400, "RUB", "ru", "1 234 ₽"},
		{123405, "RUB", "ru-RU", "1 234,05 ₽"},
		{5, "RUB", "ru", "0,05 ₽"},
		{0, "RUB", "ru", "0 ₽"},
		{123456789, "RUB", "ru", "1 234 567,89 ₽"},
		{-123450, "RUB", "ru", "-1 234,50 ₽"},
		{123450, "USD", "ru", "1 234,50 USD"},
		{123450, "RUB", "en", "1,234.50 RUB"},
		{123400, "RUB", "en", "1,234 RUB"},
		{99, "RUB", "en", "0.99 RUB"},
		{100000000, "RUB", "", "1,000,000 RUB"},
		{123450, "", "en", "1,234.50"},
		{math.MinInt64, "", "en", "-92,233,720,368,547,758.08"},
		{math.MaxInt64, "", "ru", "92 233 720 368 547 758,07"},
		{123450000, "UZS", "uz", "1 234 500 soʻm"},
		{123450, "UZS", "uz-UZ", "1 234,50 soʻm"},
		{123450, "RUB", "uz", "1 234,50 RUB"},
		{123450, "UZS", "ru", "1 234,50 UZS"},
		{123450, "UZS", "en", "1,234.50 UZS"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.minor, tt.currency, tt.lang); got != tt.want {
			t.Errorf("FormatMoney(%d, %q, %q) = %q, want %q", tt.minor, tt.currency, tt.lang, got, tt.want)
		}
	}
}

func TestParsePoints(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		reason string
	}{
		{"200", 200, ""},
		{" 200 ", 200, ""},
		{"1 000", 1000, ""},
		{"1\u00a0000", 1000, ""},
		{"0200", 200, ""},
		{"100000", 100000, ""},

		{"", 0, "error.points.invalid"},
		{"-5", 0, "error.points.invalid"},
		{"+5", 0, "error.points.invalid"},
		{"1.5", 0, "error.points.invalid"},
		{"1,000", 0, "error.points.invalid"},
		{"12 34", 0, "error.points.invalid"},
		{"abc", 0, "error.points.invalid"},
		{"0", 0, "error.points.zero"},
		{"000", 0, "error.points.zero"},
		{"100001", 0, "error.points.too_large"},
		{"99999999999999999999999", 0, "error.points.too_large"},
	}
	for _, tt := range tests {
		got, err := ParsePoints(tt.in, 100000)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParsePoints(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != tt.reason || got != 0 {
			t.Errorf("ParsePoints(%q) = %d, %v; want %s", tt.in, got, err, tt.reason)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, seed := range []string{"1234", "1 234,50", "1234.50", "1,234.50", "1.234,50", "1,234", "0,500",
		"1234 ₽", "150 р.", "150 000 soʻm", "-1", "", "руб", "92233720368547758,07", "1\u202f234"} {
		f.Add(seed, int64(testMaxMinor))
	}
	f.Add("5", int64(0))
	f.Add("5", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, in string, maxMinor int64) {
		v, err := ParseAmount(in, testCurrency(in), maxMinor)
		if err != nil {
			if v != 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAmount(%q) = %d, %v", in, v, err)
			}
			return
		}
		if v <= 0 || v > maxMinor {
			t.Fatalf("ParseAmount(%q, %d) = %d out of bounds", in, maxMinor, v)
		}
		for _, lang := range []string{"ru", "en", "uz"} {
			for _, cur := range []string{"RUB", "UZS", "KZT", "USD"} {
				s := FormatMoney(v, cur, lang)
				if again, err := ParseAmount(s, cur, maxMinor); err != nil || again != v {
					t.Fatalf("ParseAmount(FormatMoney(%d) = %q) = %d, %v", v, s, again, err)
				}
			}
		}
	})
}

func FuzzParsePoints(f *testing.F) {
	for _, seed := range []string{"200", "1 000", "0", "-1", "", "1.5", "99999999999999999999"} {
		f.Add(seed, int64(100000))
	}
	f.Fuzz(func(t *testing.T, in string, maxPoints int64) {
		v, err := ParsePoints(in, maxPoints)
		if err != nil {
			if v != 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePoints(%q) = %d, %v", in, v, err)
			}
			return
		}
		if v <= 0 || v > maxPoints {
			t.Fatalf("ParsePoints(%q, %d) = %d out of bounds", in, maxPoints, v)
		}
		for _, s := range []string{strconv.FormatInt(v, 10), groupThousands(strconv.FormatInt(v, 10), "\u00a0")} {
			if again, err := ParsePoints(s, maxPoints); err != nil || again != v {
				t.Fatalf("ParsePoints(%q) = %d, %v; want %d", s, again, err, v)
			}
		}
	})
}

func TestParseAdjustment(t *testing.T) {
	for in, want := range map[string]int64{"50": 50, "+50": 50, "+ 1 000": 1000, "-30": -30, "−30": -30, "– 30": -30,
		"—5": -5, " -100000 ": -MaxAdjustPoints} {
		if got, err := ParseAdjustment(in); err != nil || got != want {
			t.Errorf("ParseAdjustment(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, reason := range map[string]string{"fifty": "error.points.invalid", "+-5": "error.points.invalid", "--5": "error.points.invalid",
		"": "error.points.invalid", "0": "error.points.zero", "-0": "error.points.zero", "100001": "error.points.too_large",
		"-100001": "error.points.too_large", "5-": "error.points.invalid"} {
		got, err := ParseAdjustment(in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != reason || got != 0 {
			t.Errorf("ParseAdjustment(%q) = %d, %v; want %s", in, got, err, reason)
		}
	}
}

func FuzzParseAdjustment(f *testing.F) {
	for _, seed := range []string{"50", "+50", "-30", "−30", "– 1 000", "0", "+-5", "", "fifty"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ParseAdjustment(in)
		if err != nil {
			if v != 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAdjustment(%q) = %d, %v", in, v, err)
			}
			return
		}
		if v == 0 || v > MaxAdjustPoints || v < -MaxAdjustPoints {
			t.Fatalf("ParseAdjustment(%q) = %d out of bounds", in, v)
		}
		if again, err := ParseAdjustment(fmt.Sprintf("%+d", v)); err != nil || again != v {
			t.Fatalf("ParseAdjustment(%+d) = %d, %v", v, again, err)
		}
		reason, err := ParseAdjustReason(in)
		if err == nil && (reason == "" || utf8.RuneCountInString(reason) > MaxAdjustReasonRunes || strings.ContainsAny(reason, "\n\r\t")) {
			t.Fatalf("ParseAdjustReason(%q) = %q", in, reason)
		}
	})
}

// testCurrency is the shop's currency a test amount is typed in: soʻm
// for the Uzbek marks, rubles for the rest.
func testCurrency(in string) string {
	l := strings.ToLower(in)
	for _, m := range []string{"so", "sum", "uzs", "сўм"} {
		if strings.Contains(l, m) {
			return "UZS"
		}
	}
	return "RUB"
}

// TestAmountMarksOfTheShopsCurrencyOnly: a cashier types an amount as
// the bot writes it, in any currency; another currency's mark is not
// read as the shop's.
func TestAmountMarksOfTheShopsCurrencyOnly(t *testing.T) {
	for _, cur := range []string{"RUB", "UZS", "KZT", "USD", "EUR"} {
		for _, lang := range []string{"ru", "en", "uz"} {
			shown := FormatMoney(500000, cur, lang)
			if got, err := ParseAmount(shown, cur, 1e12); err != nil || got != 500000 {
				t.Errorf("%s: ParseAmount(%q) = %d, %v", cur, shown, got, err)
			}
		}
	}
	for in, cur := range map[string]string{"5000 ₸": "KZT", "5000 тг": "KZT", "5000 kzt": "KZT", "$5000": "USD", "5000 $": "USD",
		"$ 5,000.00": "USD", "€5000": "EUR", "€ 5 000": "EUR", "USD 5000": "USD", "₽5000": "RUB", "₸ 5000": "KZT"} {
		if got, err := ParseAmount(in, cur, 1e12); err != nil || got != 500000 {
			t.Errorf("%s: ParseAmount(%q) = %d, %v", cur, in, got, err)
		}
	}
	var v *ValidationError
	if _, err := ParseAmount("5000 руб", "KZT", 1e12); !errors.As(err, &v) || v.Reason != "error.amount.letters" {
		t.Errorf("rubles in a tenge shop: %v", err)
	}
	for _, in := range []string{"€5000", "$5000 $", "$$5000"} {
		if _, err := ParseAmount(in, "USD", 1e12); !errors.As(err, &v) || v.Reason != "error.amount.letters" {
			t.Errorf("ParseAmount(%q) in a dollar shop: %v, want letters", in, err)
		}
	}
}
