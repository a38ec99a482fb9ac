package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseDate reads a calendar date as people type it, case-insensitively:
// "12.03.1990", "2.3.1990", "12.03.90" (a two-digit year is the latest such
// year not after now), "1990-03-12", "12-03-1990", "12/03/1990" and
// "12,03,1990" or "12, 03, 1990" (day, month, year, as with dots; a space
// beside a separator is no matter: "12. 03. 1990", "12 - 03 - 1990"), and
// with slashes month first when only that reads ("03/25/1990", an
// American date: 25 March; "12.13.1990" with dots is a slip), and a
// day, a month name and a year: "12 марта 1990", "12 март 1990 г.",
// "12 мар. 1990", "12 March 1990", "March 12, 1990", "12th Mar 1990",
// "12 mart 1990", "12-mart 1990-yil", "1990-yil 12-mart",
// "1990 yil 12 mart". Russian month names are taken in the genitive and nominative, English ones in full or abbreviated, Uzbek
// ones in the Latin script (sentabr or sentyabr alike) and the Cyrillic
// (январ, апрел, сентябр; "1990-йил"). The result is
// midnight UTC; errors are *ValidationError with reason
// "error.answer.date", or "error.answer.no_such_day" for a date that reads
// well but is not in the calendar (31.02, 29.02 of a common year, a 13th
// month), so the person is told to check it rather than how to type it.
func ParseDate(s string, now time.Time) (time.Time, error) {
	bad := &ValidationError{Reason: "error.answer.date"}
	if len(s) > 100 || !utf8.ValidString(s) {
		return time.Time{}, bad
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, suffix := range []string{"года", "год", "г.", "г", "-yil", " yil", "y.", "-йил", " йил", "й.", "."} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			if rest = strings.TrimSpace(rest); rest != "" && rest[len(rest)-1] >= '0' && rest[len(rest)-1] <= '9' {
				s = rest
				break
			}
		}
	}
	for _, sep := range []string{",", ".", "-", "/"} {
		if strings.Trim(s, "0123456789 "+sep) == "" && (sep == "," || strings.Contains(s, sep)) {
			s = strings.ReplaceAll(strings.ReplaceAll(s, sep+" ", sep), " "+sep, sep) // "12, 03, 1990", "12. 03. 1990"
		}
	}
	var y, m, d int
	var ok bool
	switch sep, parts := dateParts(s); {
	case sep == '-' && len(parts[0]) == 4:
		var okY, okM, okD bool
		y, okY = dateNumber(parts[0], 4, 4)
		m, okM = dateNumber(parts[1], 1, 2)
		d, okD = dateNumber(parts[2], 1, 2)
		ok = okY && okM && okD && y >= 1000 && m > 0 && d > 0
	case sep != 0:
		d, m, y, ok = dateDMY(parts[0], parts[1], parts[2], now)
		if ok && sep == '/' && d <= 12 && m > 12 {
			d, m = m, d // "03/25/1990": no 25th month, so the American month first
		}
	default:
		d, m, y, ok = dateFromWords(dateWords(s), now)
	}
	if !ok {
		if monthAndYear(s) {
			return time.Time{}, Invalid("error.answer.date_no_day")
		}
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, Invalid("error.answer.no_such_day")
	}
	return t, nil
}

// dateFromWords reads a date written in three words: "12 марта 1990",
// "March 12, 1990", "1990-yil 12-mart".
func dateFromWords(words []string, now time.Time) (d, m, y int, ok bool) {
	if len(words) != 3 {
		return 0, 0, 0, false
	}
	if _, isYear := dateNumber(words[0], 4, 4); isYear {
		words = append(words[1:], words[0]) // Uzbek: "1990-yil 12-mart"
	}
	if _, isMonth := monthNames[strings.TrimSuffix(words[0], ".")]; isMonth {
		words[0], words[1] = words[1], words[0]
	}
	day := strings.TrimSuffix(words[0], "-го")
	for _, ord := range []string{"st", "nd", "rd", "th"} {
		if rest, cut := strings.CutSuffix(day, ord); cut {
			day = rest
			break
		}
	}
	mon, known := monthNames[strings.TrimSuffix(words[1], ".")]
	d, _, y, ok = dateDMY(day, "1", words[2], now)
	return d, int(mon), y, ok && known
}

// monthAndYear tells a date without its day ("05.2020", "май 2020",
// "2020-yil may"): the person is asked for the day, not told the date is
// unreadable.
func monthAndYear(s string) bool {
	if p := strings.FieldsFunc(s, func(c rune) bool { return c == '.' || c == '-' || c == '/' }); len(p) == 2 {
		_, okM := dateNumber(p[0], 1, 2)
		_, okY := dateNumber(p[1], 4, 4)
		if okM && okY && !strings.ContainsAny(s, " ,") {
			return true
		}
	}
	words := dateWords(s)
	if len(words) != 2 {
		return false
	}
	if _, isYear := dateNumber(words[0], 4, 4); isYear {
		words[0], words[1] = words[1], words[0]
	}
	_, isMonth := monthNames[strings.TrimSuffix(words[0], ".")]
	_, isYear := dateNumber(words[1], 4, 4)
	return isMonth && isYear
}

// dateWords splits a written date into words at spaces and commas, and
// reads the Uzbek "12-mart" as two words and "1990-yil" or "1990 yil"
// (year) as one.
func dateWords(s string) []string {
	var out []string
	fields := strings.Fields(strings.ReplaceAll(s, ",", " "))
	for i, w := range fields {
		if _, afterYear := dateNumber(fields[max(i-1, 0)], 4, 4); i > 0 && afterYear && (w == "yil" || w == "йил") {
			continue
		}
		if before, after, ok := strings.Cut(w, "-"); ok {
			if _, isMonth := monthNames[after]; isMonth {
				out = append(out, before, after)
				continue
			}
			if after == "yil" || after == "йил" {
				out = append(out, before)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// dateParts splits a numeric date at its separator, '.', '-', '/' or ','
// used twice; sep is 0 when s is not shaped like one.
func dateParts(s string) (sep rune, parts []string) {
	for _, c := range []rune{'.', '-', '/', ','} {
		comma := strings.Contains(s, ",") // "12,03,1990", not "12,mart,1990" (words)
		if c == ',' && strings.Trim(s, "0123456789,") != "" {
			continue
		}
		if p := strings.Split(s, string(c)); len(p) == 3 && !strings.Contains(s, " ") && comma == (c == ',') {
			return c, p
		}
	}
	return 0, nil
}

// dateDMY reads day, month and a four- or two-digit year.
func dateDMY(ds, ms, ys string, now time.Time) (d, m, y int, ok bool) {
	d, okD := dateNumber(ds, 1, 2)
	m, okM := dateNumber(ms, 1, 2)
	y, okY := dateNumber(ys, 2, 4)
	switch {
	case !okD || !okM || !okY || len(ys) == 3 || d == 0 || m == 0:
		return 0, 0, 0, false
	case len(ys) == 2:
		if y += 2000; y > now.Year() {
			y -= 100
		}
	case y < 1000:
		return 0, 0, 0, false
	}
	return d, m, y, true
}

// dateNumber reads min to max ASCII digits.
func dateNumber(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

var monthNames = map[string]time.Month{}

func init() {
	for i, names := range [12]string{
		"январь января янв january jan yanvar январ",
		"февраль февраля фев февр february feb fevral феврал",
		"март марта мар march mar mart",
		"апрель апреля апр april apr aprel апрел",
		"май мая may",
		"июнь июня июн june jun iyun",
		"июль июля июл july jul iyul",
		"август августа авг august aug avgust",
		"сентябрь сентября сен сент september sep sept sentabr sentyabr сентябр",
		"октябрь октября окт october oct oktabr oktyabr октябр",
		"ноябрь ноября ноя нояб november nov noyabr ноябр",
		"декабрь декабря дек december dec dekabr декабр",
	} {
		for _, n := range strings.Fields(names) {
			monthNames[n] = time.Month(i + 1)
		}
	}
}

// LastDayEnd is the last instant of the day days days after t, in loc: a
// bonus the customer is told is "valid until" that day is good through
// it, not until the hour of the day it was given.
func LastDayEnd(t time.Time, days int, loc *time.Location) time.Time {
	d := t.In(loc).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).Add(-time.Microsecond)
}

// zoneOf is the time zone a customer who joined at store joinedStoreID
// (0: none) reads dates in: that store's, or the business's.
func (s *Service) zoneOf(ctx context.Context, tx Tx, joinedStoreID int64) *time.Location {
	if joinedStoreID != 0 {
		if _, loc, err := s.shop(ctx, tx, joinedStoreID); err == nil {
			return loc
		}
	}
	return s.Business.Location()
}
