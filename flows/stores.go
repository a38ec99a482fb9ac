package flows

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// storesPerMessage is how many stores one /stores message describes:
// each takes up to six lines, and a chain's list goes by the page.
const storesPerMessage = 6

// storesCommand is /stores, for anyone (someone deciding whether to
// join too): where the shops are, whether each is open now and until
// when, the week's hours and the days that differ, the phone; a store
// with a place on the map has a button that sends it as a map pin.
func storesCommand(s *Session) error {
	s.Send(storesPage(s, 0))
	return s.e.resume(s)
}

// storesPage is page (from 0; past the end: the last) of /stores.
func storesPage(s *Session, page int) Reply {
	stores := s.e.Business.Stores
	pages := (len(stores) + storesPerMessage - 1) / storesPerMessage
	page = min(max(page, 0), pages-1)
	described := false
	for _, st := range stores {
		described = described || st.Described()
	}
	lines := []string{s.T("stores.title", map[string]any{"Business": s.e.Business.Name})}
	var rows [][]Button
	for _, st := range stores[page*storesPerMessage : min(len(stores), (page+1)*storesPerMessage)] {
		lines = append(lines, "", storeText(s, st))
		if st.Location != nil {
			rows = append(rows, []Button{{Text: s.T("stores.map", map[string]any{"Store": st.Name}), Data: action("venue", st.Code)}})
		}
	}
	if !described {
		lines = append(lines, "", s.T("stores.none", nil))
	}
	if nav := s.pageNav(page, pages, func(p int) string { return action("stores", strconv.Itoa(p)) }); nav != nil {
		rows = append(rows, nav)
	}
	return Reply{Text: strings.Join(lines, "\n"), Inline: rows}
}

// storeText describes one store in the person's language, at the
// store's own time.
func storeText(s *Session, st domain.StoreConfig) string {
	lines := []string{s.T("stores.name", map[string]any{"Store": st.Name})}
	if a := st.AddressIn(s.Lang, s.e.Business.DefaultLanguage); a != "" {
		lines = append(lines, a)
	}
	if st.Hours.Known() {
		loc, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			loc = time.UTC // validated at start; never here
		}
		now := s.e.Now().In(loc)
		lines = append(lines, openText(s, st.Hours.At(now), now))
		if w := weekText(s, st.Hours); w != "" {
			lines = append(lines, w)
		}
		if d := specialDaysText(s, st.Hours, now); d != "" {
			lines = append(lines, d)
		}
	}
	if st.Phone != "" {
		lines = append(lines, s.T("stores.phone", map[string]any{"Phone": st.Phone}))
	}
	return strings.Join(lines, "\n")
}

// closingSoon is how near closing "closes in 20 min" is said.
const closingSoon = 30 * time.Minute

// openText says whether the store is open at now and until when, or
// when it opens.
func openText(s *Session, o domain.OpenState, now time.Time) string {
	hm := func(t time.Time) string { return t.Format("15:04") }
	switch {
	case o.AroundTheClock:
		return s.T("stores.open_24", nil)
	case o.Open && o.Until.Sub(now) <= closingSoon:
		// At least a minute: "closes in 0 min" reads as closed.
		return s.T("stores.closing_soon", map[string]any{"Time": hm(o.Until), "Minutes": max(1, int(o.Until.Sub(now).Round(time.Minute)/time.Minute))})
	case o.Open && o.Until.Sub(now) < 24*time.Hour:
		return s.T("stores.open_until", map[string]any{"Time": hm(o.Until)})
	case o.Open:
		return s.T("stores.open_until", map[string]any{"Time": o.Until.Format("02.01 15:04")})
	case o.Opens.IsZero():
		return s.T("stores.closed", nil)
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch days := daysBetween(today, o.Opens); {
	case days == 0:
		return s.T("stores.opens_today", map[string]any{"Time": hm(o.Opens)})
	case days == 1:
		return s.T("stores.opens_tomorrow", map[string]any{"Time": hm(o.Opens)})
	case days < 7:
		return s.T("stores.opens_day", map[string]any{"Day": s.T("stores.on."+weekdayIDs[o.Opens.Weekday()], nil), "Time": hm(o.Opens)})
	default:
		return s.T("stores.opens_date", map[string]any{"Date": o.Opens.Format("02.01"), "Time": hm(o.Opens)})
	}
}

// daysBetween counts calendar days from the midnight today to t's day.
func daysBetween(today, t time.Time) int {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return int(day.Sub(today).Round(24*time.Hour) / (24 * time.Hour))
}

// weekdayIDs name the days in message ids, by time.Weekday.
var weekdayIDs = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// weekText is the week's hours, days alike put together, Monday first:
// "Mon–Fri 08:00–22:00 · Sat, Sun 10:00–18:00", or "Daily 09:00–21:00".
func weekText(s *Session, h domain.OpeningHours) string {
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	known := false
	for _, d := range order {
		known = known || len(h.Week[d]) > 0
	}
	if !known {
		return "" // only the days that differ were given
	}
	day := func(d time.Weekday) string { return s.T("stores.day."+weekdayIDs[d], nil) }
	var parts []string
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && slices.Equal(h.Week[order[j+1]], h.Week[order[i]]) {
			j++
		}
		var days string
		switch j - i {
		case 6:
			days = s.T("stores.daily", nil)
		case 0:
			days = day(order[i])
		case 1:
			days = day(order[i]) + ", " + day(order[j])
		default:
			days = day(order[i]) + "–" + day(order[j])
		}
		parts = append(parts, days+" "+spansText(s, h.Week[order[i]]))
		i = j + 1
	}
	return strings.Join(parts, " · ")
}

// specialDaysText lists the days of the next two weeks whose hours
// differ from the week's: "Special hours: 31.12 10:00–16:00 · 01.01
// closed".
func specialDaysText(s *Session, h domain.OpeningHours, now time.Time) string {
	var parts []string
	for i := range 14 {
		day := time.Date(now.Year(), now.Month(), now.Day()+i, 0, 0, 0, 0, now.Location())
		if spans, special := h.Day(day); special {
			parts = append(parts, day.Format("02.01")+" "+spansText(s, spans))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return s.T("stores.special", map[string]any{"Days": strings.Join(parts, " · ")})
}

// spansText is a day's hours as people read them: "10:00–14:00,
// 15:00–18:00", "24 hours", "closed".
func spansText(s *Session, spans []domain.Span) string {
	switch {
	case len(spans) == 0:
		return s.T("stores.day_off", nil)
	case len(spans) == 1 && spans[0] == (domain.Span{From: 0, To: 1440}):
		return s.T("stores.hours_24", nil)
	}
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = sp.Text("–")
	}
	return strings.Join(parts, ", ")
}

// storesAction turns /stores to another page.
func storesAction(s *Session, value string) error {
	page, err := strconv.Atoi(value)
	if err != nil {
		s.Toast("error.stale_button")
		return nil
	}
	s.Edit(storesPage(s, page))
	return nil
}

// venueAction sends a store's place on the map (a button of /stores).
func venueAction(s *Session, code string) error {
	st, ok := s.e.Business.Store(code)
	if !ok || st.Location == nil {
		s.Toast("error.stale_button") // the store left the config since
		return nil
	}
	s.Send(Reply{Venue: &Venue{LatE6: st.Location.LatE6, LonE6: st.Location.LonE6, Title: st.Name,
		Address: st.AddressIn(s.Lang, s.e.Business.DefaultLanguage)}})
	return nil
}

func init() {
	registerCommand("stores", MenuCustomer, 87, storesCommand)
	registerViewAction("stores", storesAction)
	registerViewAction("venue", venueAction)
}
