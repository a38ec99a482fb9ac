package domain

import (
	"strconv"
	"strings"
	"time"
)

// ParseDateTime reads a date and a time of day as an owner types them to
// schedule something, in loc: "25.12 18:00", "25.12.2026 18:00",
// "2026-12-25 18:00", "25/12 18:00", "25.12.26 18:00" (a two-digit year is this
// century's), or any date ParseDate reads, then the time; a day
// in words ("завтра 10:00", "tomorrow at 18:00", "ertaga soat 9", a day
// of the week: "в субботу в 10", "saturday 9:30", the next such day), or a
// time alone ("18:00": today if it is still ahead, else tomorrow). With a
// day the time may be "18.00" or a bare hour ("завтра в 10", parseClock);
// alone it needs the colon, so "10.12" is never read as a time. A date without a
// year is the next such day from now (today included). Errors are
// *ValidationError with reason "error.answer.datetime".
func ParseDateTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	bad := &ValidationError{Reason: "error.answer.datetime"}
	if len(s) > 100 {
		return time.Time{}, bad
	}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if !timeConnectors[w] {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return time.Time{}, bad
	}
	datePart, clock := strings.Join(words[:len(words)-1], " "), words[len(words)-1]
	if datePart == "" && !strings.Contains(clock, ":") {
		return time.Time{}, bad // "10.12" alone is a date, not a time
	}
	minutes, err := parseClock(clock, false)
	if err != nil {
		return time.Time{}, bad
	}
	h, m := minutes/60, minutes%60
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	var d time.Time
	if days, ok := relativeDays[datePart]; ok {
		d = today.AddDate(0, 0, days)
		if datePart == "" && !time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc).After(now) {
			d = d.AddDate(0, 0, 1) // 09:00 said at noon: tomorrow's
		}
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
	}
	if wd, ok := weekdays[datePart]; ok {
		// The next such day: today if the time is still ahead.
		d = today.AddDate(0, 0, (int(wd)-int(local.Weekday())+7)%7)
		if !time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc).After(now) {
			d = d.AddDate(0, 0, 7)
		}
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
	}
	noYear := false
	if parts := strings.Split(datePart, "."); len(parts) == 2 || (len(parts) == 3 && parts[2] == "") {
		datePart = parts[0] + "." + parts[1] + "." + strconv.Itoa(local.Year())
		noYear = true
	} else if parts := strings.Split(datePart, "/"); len(parts) == 2 {
		datePart = parts[0] + "/" + parts[1] + "/" + strconv.Itoa(local.Year()) // "25/12"
		noYear = true
	} else {
		// "25.12.26", "25-12-26": a time to schedule is ahead, so this
		// century's year, not ParseDate's latest one not after now (1926).
		for _, sep := range []string{".", "-", "/"} {
			p := strings.Split(datePart, sep)
			for i := range p {
				p[i] = strings.TrimSpace(p[i]) // "25. 12. 26", as ParseDate reads it
			}
			if len(p) == 3 && len(p[0]) <= 2 && len(p[2]) == 2 {
				if yy, err := strconv.Atoi(p[2]); err == nil && yy >= 0 {
					datePart = p[0] + sep + p[1] + sep + strconv.Itoa(local.Year()/100*100+yy)
				}
			}
		}
	}
	d, err = ParseDate(datePart, now)
	if err != nil && !noYear {
		// "25 декабря", "December 25": a written date without its year.
		d, err = ParseDate(datePart+" "+strconv.Itoa(local.Year()), now)
		noYear = true
	}
	if err != nil {
		return time.Time{}, bad
	}
	if noYear && d.Before(today) {
		next := d.AddDate(1, 0, 0) // 25.12 on the 26th: next year's
		if next.Day() != d.Day() {
			return time.Time{}, bad // 29.02 with no leap year next
		}
		d = next
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
}

// relativeDays are the days said in words, from today ("" a time alone).
var relativeDays = map[string]int{"": 0,
	"сегодня": 0, "завтра": 1, "послезавтра": 2,
	"today": 0, "tomorrow": 1,
	"bugun": 0, "ertaga": 1, "indinga": 2, "indinda": 2}

// weekdays are the days of the week in words, in the forms a person
// types before a time ("суббота 10:00", "в субботу в 10", "sat 9:30",
// "shanba soat 10").
var weekdays = map[string]time.Weekday{
	"понедельник": time.Monday, "пн": time.Monday, "вторник": time.Tuesday, "вт": time.Tuesday,
	"среда": time.Wednesday, "среду": time.Wednesday, "ср": time.Wednesday, "четверг": time.Thursday, "чт": time.Thursday,
	"пятница": time.Friday, "пятницу": time.Friday, "пт": time.Friday, "суббота": time.Saturday, "субботу": time.Saturday,
	"сб": time.Saturday, "воскресенье": time.Sunday, "вс": time.Sunday,
	"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday, "wednesday": time.Wednesday,
	"wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "sunday": time.Sunday, "sun": time.Sunday,
	"dushanba": time.Monday, "seshanba": time.Tuesday, "chorshanba": time.Wednesday, "payshanba": time.Thursday,
	"juma": time.Friday, "shanba": time.Saturday, "yakshanba": time.Sunday,
}

// timeConnectors are the words between a day and a time ("завтра в 10",
// "tomorrow at 18:00", "ertaga soat 9:00").
var timeConnectors = map[string]bool{"в": true, "во": true, "at": true, "soat": true}
