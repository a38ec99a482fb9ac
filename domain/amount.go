package domain

import (
	"math"
	"strconv"
	"strings"
)

// ParseAmount reads money typed by a cashier and returns it in minor units
// (kopecks, cents). It never uses floats: digits go straight into an int64
// with overflow checks, so 0.1+0.2 mistakes cannot happen.
//
// Accepted: "1234", "1234.5", "1234.50", "1234,50", "1 234", "1 234,50",
// "1,234.50", "1.234,50", with spaces, NBSP, thin or narrow spaces as
// thousands separators, and an optional mark of currency after the
// amount or before it ("$12.50"), the shop's (any case): its ISO code, and for RUB "₽", "руб", "руб.", "р",
// "р.", for UZS "soʻm" (any apostrophe), "som", "sum", "сўм", "сум", and
// the others of currencySuffixes; another currency's mark is refused as
// letters. The rules for separators:
//
//   - Thousands groups are checked: the first has 1-3 digits, every other
//     exactly 3 ("12 34" is refused as a likely typo). Only one kind of
//     thousands separator may appear.
//   - If both ',' and '.' appear, the last one is the decimal separator
//     and the other separates thousands.
//   - If one of them appears several times, it separates thousands.
//   - If one of them appears once, it is the decimal separator, except when
//     no spaces appear, exactly 3 digits follow it and 1-3 digits (not
//     starting with 0) precede it: "1,234" and "12.345" are whole amounts,
//     since three decimals would be refused anyway.
//   - At most 2 decimals, and at least one digit on both sides.
//
// Errors are *ValidationError with these reasons: "error.amount.empty",
// "error.amount.negative", "error.amount.letters" (any other character),
// "error.amount.format" (misplaced separators), "error.amount.precision"
// (more than 2 decimals), "error.amount.zero", "error.amount.too_large"
// (above maxMinor, or beyond int64).
func ParseAmount(s, currency string, maxMinor int64) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return 0, badAmount("error.amount.format", "too long")
	}
	s = strings.TrimSpace(trimCurrency(s, currency))
	if s == "" {
		return 0, badAmount("error.amount.empty", "")
	}
	for _, minus := range []string{"-", "−", "–"} {
		if strings.HasPrefix(s, minus) {
			return 0, badAmount("error.amount.negative", "")
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9' || r == ',' || r == '.':
			b.WriteRune(r)
		case isGroupSpace(r):
			b.WriteByte(' ')
		default:
			return 0, badAmount("error.amount.letters", "")
		}
	}
	intPart, thou, frac, err := splitAmount(b.String())
	if err != nil {
		return 0, err
	}
	wholeDigits, ok := joinGroups(intPart, thou)
	if !ok {
		return 0, badAmount("error.amount.format", "bad digit groups")
	}
	if len(frac) > 2 {
		return 0, badAmount("error.amount.precision", "")
	}
	whole, ok := parseDigits(wholeDigits)
	if !ok {
		return 0, badAmount("error.amount.too_large", "overflow")
	}
	cents := int64(0)
	if frac != "" {
		cents, _ = parseDigits((frac + "0")[:2])
	}
	if whole > (math.MaxInt64-cents)/100 {
		return 0, badAmount("error.amount.too_large", "overflow")
	}
	v := whole*100 + cents
	if v == 0 {
		return 0, badAmount("error.amount.zero", "")
	}
	if v > maxMinor {
		return 0, badAmount("error.amount.too_large", "")
	}
	return v, nil
}

func badAmount(reason, detail string) error {
	return &ValidationError{Reason: reason, Detail: detail}
}

// currencySuffixes are the trailing marks cashiers type for a currency
// besides its ISO code, longest first so "руб." is not cut to "руб" +
// "."; the Uzbek soʻm comes with each apostrophe people type. Only the
// shop's own currency's marks are taken: "5000 руб" in a tenge shop is
// not read as 5000 tenge.
var currencySuffixes = map[string][]string{
	"RUB": {"руб.", "руб", "р.", "р", "₽"},
	"UZS": {"soʻm", "so'm", "so‘m", "so’m", "soʼm", "so`m", "som", "sum", "сўм", "сум"},
	"KZT": {"тенге", "тг.", "тг", "₸"},
	"BYN": {"руб.", "руб", "р.", "р", "br"},
	"KGS": {"сом", "som"},
	"USD": {"$"},
	"EUR": {"€"},
}

// trimCurrency cuts the currency's ISO code or one of its marks off the
// end of s, or else off its start ("$12.50", "€ 5", "USD 12.50", as
// cashiers write dollars and euros), once.
func trimCurrency(s, currency string) string {
	currency = strings.ToUpper(currency)
	marks := append([]string{currency}, currencySuffixes[currency]...)
	for _, suf := range marks {
		if suf != "" && len(s) >= len(suf) && strings.EqualFold(s[len(s)-len(suf):], suf) {
			return s[:len(s)-len(suf)]
		}
	}
	for _, pre := range marks {
		if pre != "" && len(s) >= len(pre) && strings.EqualFold(s[:len(pre)], pre) {
			return s[len(pre):]
		}
	}
	return s
}

// isGroupSpace reports the spaces people and spreadsheets put between
// thousands.
func isGroupSpace(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '\u2007':
		return true
	}
	return false
}

// splitAmount decides which separator is decimal (see ParseAmount) and
// splits s into the integer part, its thousands separator (0 if none) and
// the fraction digits. s holds only digits, ',', '.' and ' '.
func splitAmount(s string) (intPart string, thou byte, frac string, err error) {
	commas, dots := strings.Count(s, ","), strings.Count(s, ".")
	spaces := strings.Contains(s, " ")
	var dec byte
	switch {
	case commas > 0 && dots > 0:
		dec, thou = ',', '.'
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			dec, thou = '.', ','
		}
	case commas+dots == 1:
		c := byte(',')
		if dots == 1 {
			c = '.'
		}
		i := strings.IndexByte(s, c)
		before, after := s[:i], s[i+1:]
		if !spaces && len(after) == 3 && len(before) >= 1 && len(before) <= 3 && before[0] != '0' {
			thou = c
		} else {
			dec = c
		}
	case commas > 1:
		thou = ','
	case dots > 1:
		thou = '.'
	}
	if spaces {
		if thou != 0 {
			return "", 0, "", badAmount("error.amount.format", "mixed thousands separators")
		}
		thou = ' '
	}
	intPart = s
	if dec != 0 {
		if strings.Count(s, string(dec)) > 1 {
			return "", 0, "", badAmount("error.amount.format", "several decimal separators")
		}
		i := strings.IndexByte(s, dec)
		intPart, frac = s[:i], s[i+1:]
		if frac == "" || !allDigits(frac) {
			return "", 0, "", badAmount("error.amount.format", "bad decimals")
		}
	}
	return intPart, thou, frac, nil
}

// joinGroups checks the thousands grouping of s and returns its digits.
func joinGroups(s string, thou byte) (string, bool) {
	if thou == 0 {
		return s, s != "" && allDigits(s)
	}
	groups := strings.Split(s, string(thou))
	for i, g := range groups {
		if !allDigits(g) || i == 0 && (len(g) < 1 || len(g) > 3) || i > 0 && len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDigits turns ASCII digits into an int64, reporting false on overflow.
func parseDigits(s string) (int64, bool) {
	var v int64
	for i := 0; i < len(s); i++ {
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// FormatMoney shows minor units the way people of lang write money:
// "1 234,50 ₽" for Russian (lang "ru" or "ru-…"), "1 234,50 soʻm" for
// Uzbek (UZS; other currencies by their code), "1,234.50 RUB" otherwise.
// Kopecks are shown only when non-zero ("1 234 ₽"), as on price tags.
// Separators are plain spaces so messages stay easy to compare in tests;
// ParseAmount reads every output of FormatMoney back to the same value.
func FormatMoney(minor int64, currency string, lang string) string {
	u := uint64(minor)
	if minor < 0 {
		u = -u
	}
	thou, dec := ",", "."
	if DecimalComma(lang) {
		thou, dec = " ", ","
	}
	num := groupThousands(strconv.FormatUint(u/100, 10), thou)
	if cents := u % 100; cents != 0 {
		num += dec + string([]byte{byte('0' + cents/10), byte('0' + cents%10)})
	}
	if minor < 0 {
		num = "-" + num
	}
	switch {
	case isLang(lang, "ru") && strings.EqualFold(currency, "RUB"):
		currency = "₽"
	case isLang(lang, "uz") && strings.EqualFold(currency, "UZS"):
		currency = "soʻm"
	}
	if currency == "" {
		return num
	}
	return num + " " + currency
}

// FormatCount writes a whole number as people of lang group its digits:
// "28,538" in English, "28 538" in Russian and Uzbek, as FormatMoney does.
func FormatCount[N ~int | ~int64](n N, lang string) string {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	thou := ","
	if DecimalComma(lang) {
		thou = " "
	}
	num := groupThousands(strconv.FormatUint(u, 10), thou)
	if n < 0 {
		num = "-" + num
	}
	return num
}

// DecimalComma reports whether people of lang write "1 234,5" (Russian
// and Uzbek) rather than "1,234.5", for every number a message shows.
func DecimalComma(lang string) bool { return isLang(lang, "ru") || isLang(lang, "uz") }

// isLang reports whether lang is base or one of its regional forms
// ("ru", "ru-RU", "uz_UZ").
func isLang(lang, base string) bool {
	lang = strings.ToLower(lang)
	return lang == base || strings.HasPrefix(lang, base+"-") || strings.HasPrefix(lang, base+"_")
}

func groupThousands(digits, sep string) string {
	var b strings.Builder
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// ParsePoints reads a whole number of points typed by staff ("200",
// "1 000"); points are never fractional. Errors are *ValidationError with
// reasons "error.points.invalid" (empty, signs, decimals, letters, bad
// grouping), "error.points.zero" and "error.points.too_large" (above maxPoints).
func ParsePoints(s string, maxPoints int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, &ValidationError{Reason: "error.points.invalid", Detail: "empty or too long"}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case isGroupSpace(r):
			b.WriteByte(' ')
		default:
			return 0, &ValidationError{Reason: "error.points.invalid", Detail: "not a whole number"}
		}
	}
	var thou byte
	if strings.Contains(b.String(), " ") {
		thou = ' '
	}
	digits, ok := joinGroups(b.String(), thou)
	if !ok {
		return 0, &ValidationError{Reason: "error.points.invalid", Detail: "bad digit groups"}
	}
	v, ok := parseDigits(digits)
	if !ok || v > maxPoints {
		return 0, &ValidationError{Reason: "error.points.too_large"}
	}
	if v == 0 {
		return 0, &ValidationError{Reason: "error.points.zero"}
	}
	return v, nil
}
