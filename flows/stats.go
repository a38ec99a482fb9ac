package flows

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgeStatsDays is the period of /stats nudges.
const nudgeStatsDays = 30

// Views of /stats, as their buttons carry them.
const (
	viewKPIs    = "k"
	viewStaff   = "s"
	viewCohorts = "c"
)

// statsCommand is /stats for owners and managers: the indicators of a
// period and a store, with buttons that change the period, the store and
// the view in place. "/stats staff" and "/stats cohorts" open those views;
// "/stats today", "/stats 7", "/stats 30" or two dates pick the period;
// "/stats nudges" is the nudge engine's report.
func statsCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	args := strings.ToLower(strings.TrimSpace(s.In.Args))
	v := statsView{view: viewKPIs, period: "30"}
	switch args {
	case "nudges":
		return nudgeReport(s)
	case "", "kpi", "kpis":
	case "staff":
		v.view = viewStaff
	case "cohorts":
		v.view = viewCohorts
	case "today", "7", "30":
		v.period = map[string]string{"today": "t", "7": "7", "30": "30"}[args]
	default:
		p, err := parseStatsDates(args, s.e.Now().In(staffLocation(s))) // a year as the reader's calendar has it
		if err != nil {
			s.Say("kpi.usage", nil)
			return s.e.resume(s)
		}
		v.period = p
	}
	if err := showStats(s, v, false); err != nil {
		return err
	}
	return s.e.resume(s)
}

// statsView is what a /stats message shows: the view, the period ("t"
// today, "7", "30" days, or "d" and two days in base 36, see customPeriod;
// "c" and two dates as YYYYMMDD on older buttons) and the store
// code ("" all stores). Its buttons carry the three joined by dots.
type statsView struct {
	view, period, store string
	page                int // the staff view's page, from 0 ("s2": the third)
}

func (v statsView) String() string {
	view := v.view
	if v.view == viewStaff && v.page > 0 {
		view += strconv.Itoa(v.page)
	}
	return view + "." + v.period + "." + v.store
}

// parseStatsView reads a button's view; ok is false for anything a
// button of this version never carried.
func parseStatsView(value string) (statsView, bool) {
	parts := strings.SplitN(value, ".", 3)
	if len(parts) != 3 {
		return statsView{}, false
	}
	v := statsView{view: parts[0], period: parts[1], store: parts[2]}
	if n, err := strconv.Atoi(strings.TrimPrefix(v.view, viewStaff)); len(v.view) > 1 && v.view[:1] == viewStaff && err == nil && n >= 0 {
		v.view, v.page = viewStaff, n
	}
	switch v.view {
	case viewKPIs, viewStaff, viewCohorts:
	default:
		return statsView{}, false
	}
	if _, err := v.dates(time.Now(), time.UTC); err != nil {
		return statsView{}, false
	}
	return v, true
}

// dates is the view's period in loc: whole local days, today included.
func (v statsView) dates(now time.Time, loc *time.Location) (domain.Period, error) {
	now = now.In(loc)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	days := func(n int) domain.Period { return domain.Period{From: tomorrow.AddDate(0, 0, -n), To: tomorrow} }
	switch v.period {
	case "t":
		return days(1), nil
	case "7":
		return days(7), nil
	case "30":
		return days(30), nil
	}
	var from, last time.Time
	if digits, ok := strings.CutPrefix(v.period, "c"); ok && len(digits) == 16 {
		// Buttons sent before 12-06 carry the two days as digits.
		var err1, err2 error
		from, err1 = time.ParseInLocation("20060102", digits[:8], loc)
		last, err2 = time.ParseInLocation("20060102", digits[8:], loc)
		if err1 != nil || err2 != nil {
			return domain.Period{}, domain.ErrInvalid
		}
	} else if days, ok := strings.CutPrefix(v.period, "d"); ok && len(days) == 8 {
		a, err1 := strconv.ParseUint(days[:4], 36, 32)
		b, err2 := strconv.ParseUint(days[4:], 36, 32)
		if err1 != nil || err2 != nil {
			return domain.Period{}, domain.ErrInvalid
		}
		from = time.Date(2000, 1, 1+int(a), 0, 0, 0, 0, loc)
		last = time.Date(2000, 1, 1+int(b), 0, 0, 0, 0, loc)
	} else {
		return domain.Period{}, domain.ErrInvalid
	}
	if last.Before(from) {
		return domain.Period{}, domain.ErrInvalid
	}
	return domain.Period{From: from, To: time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)}, nil
}

// customPeriod writes the days from and last (dates in any zone) as a
// view's period: "d" and each day's number since 2000-01-01 in four
// base-36 digits, short enough that a view with the longest store code
// fits a button's 64 bytes (the dates as digits did not).
func customPeriod(from, last time.Time) string {
	day := func(t time.Time) string {
		n := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour)
		d := strconv.FormatInt(max(int64(n), 0), 36)
		return strings.Repeat("0", max(4-len(d), 0)) + d
	}
	return "d" + day(from) + day(last)
}

// dateSeparators turns the dashes and dots people put between two dates
// into a space.
var dateSeparators = strings.NewReplacer("–", " ", "—", " ", " - ", " ", "..", " ")

// parseStatsDates reads "01.03.2026 31.03.2026" (or with a dash between)
// as a custom period; the first day must not be after the last, nor
// before 2000, and the last not after next year (a slip of the year,
// 31.12.9999, is refused, not turned into another period: a day's
// number since 2000 is counted in a time.Duration, which stops at 2292).
// now is in the reader's zone: a two-digit year is read by their
// calendar.
func parseStatsDates(text string, now time.Time) (string, error) {
	text = dateSeparators.Replace(text)
	f := strings.Fields(text)
	if len(f) != 2 {
		return "", domain.ErrInvalid
	}
	from, err := domain.ParseDate(f[0], now)
	if err != nil {
		return "", err
	}
	last, err := domain.ParseDate(f[1], now)
	if err != nil {
		return "", err
	}
	if last.Before(from) || from.Year() < 2000 || last.Year() > now.Year()+1 { // a period's days count from 2000-01-01
		return "", domain.ErrInvalid
	}
	return customPeriod(from, last), nil
}

// statsScope is the store a person may see: a manager of one store sees
// that store whatever a button says; owners and managers of every store
// see the one they chose (nil: all).
func statsScope(s *Session, code string) (*domain.Shop, error) {
	if st := s.Staff; st.Role != domain.RoleOwner && st.ShopID != 0 {
		return s.Tx.FindShopByID(s.Ctx, st.ShopID)
	}
	if code == "" {
		return nil, nil
	}
	shop, err := s.Tx.FindShopByCode(s.Ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil // a store since removed: all stores
	}
	return shop, err
}

// statsZone is the time zone days are counted in: the store's, or the
// first store's for all of them.
func statsZone(s *Session, shop *domain.Shop) *time.Location {
	zone := ""
	if shop != nil {
		zone = shop.TimeZone
	} else if len(s.e.Business.Stores) > 0 {
		zone = s.e.Business.Stores[0].TimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// showStats renders a view; edit replaces the tapped message in place.
func showStats(s *Session, v statsView, edit bool) error {
	shop, err := statsScope(s, v.store)
	if err != nil {
		return err
	}
	v.store = ""
	var shopID int64
	storeName := s.T("stats.store.all", nil)
	if shop != nil {
		v.store, shopID, storeName = shop.Code, shop.ID, shop.Name
	}
	loc := statsZone(s, shop)
	p, err := v.dates(s.e.Now(), loc)
	if err != nil {
		return err
	}
	var r Reply
	var nav []Button // the staff view's pages
	waiting := 0
	switch v.view {
	case viewStaff:
		var pages int
		r.Text, pages, err = staffText(s, p, shopID, storeName, loc, v.page)
		v.page = min(v.page, pages-1)
		nav = s.pageNav(v.page, pages, func(page int) string { w := v; w.page = page; return action("stats", w.String()) })
	case viewCohorts:
		r.Text, err = cohortText(s, shopID, storeName, loc)
		r.Pre = true
	default:
		r.Text, waiting, err = kpiText(s, p, shopID, storeName, loc)
	}
	if err != nil {
		return err
	}
	r.Inline = statsButtons(s, v)
	if nav != nil {
		r.Inline = append([][]Button{nav}, r.Inline...)
	}
	if waiting > 0 { // the numbers say some wait: answer them from here
		r.Inline = append(r.Inline, []Button{{Text: s.T("kpi.care.answer_button", nil),
			Data: action("questions", strconv.FormatInt(p.From.Unix(), 10))}}) // the period's, however long
	}
	if edit {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// periodLabel is "01.03.2026 – 31.03.2026" (the last day, not the end).
func periodLabel(p domain.Period, loc *time.Location) string {
	last := p.To.In(loc).AddDate(0, 0, -1)
	if from := p.From.In(loc); from.Format(time.DateOnly) != last.Format(time.DateOnly) {
		return from.Format("02.01.2006") + " – " + last.Format("02.01.2006")
	}
	return last.Format("02.01.2006")
}

// statsButtons: the periods (not for cohorts, which span a year), the
// stores (for those who may choose), and the views; the current choice
// of each is marked.
func statsButtons(s *Session, v statsView) [][]Button {
	mark := func(on bool, label string) string {
		if on {
			return "• " + label
		}
		return label
	}
	with := func(change func(*statsView)) string {
		w := v
		w.page = 0
		change(&w)
		return action("stats", w.String())
	}
	var rows [][]Button
	if v.view != viewCohorts {
		var row []Button
		for _, p := range []string{"t", "7", "30"} {
			row = append(row, Button{Text: mark(v.period == p, s.T("stats.period."+p, nil)),
				Data: with(func(w *statsView) { w.period = p })})
		}
		row = append(row, Button{Text: mark(strings.HasPrefix(v.period, "c") || strings.HasPrefix(v.period, "d"), s.T("stats.period.custom", nil)),
			Data: action("statsd", v.String())})
		rows = append(rows, row)
	}
	chooses := s.Staff.Role == domain.RoleOwner || s.Staff.ShopID == 0 // a store's manager sees it alone
	if n := len(s.e.Business.Stores); chooses && n > statsInlineStores {
		// A chain's stores would not fit under the report: a button opens
		// a picker of them, a page at a time.
		store := s.T("stats.store.all", nil)
		if v.store != "" {
			store = s.e.storeNameByCode(v.store)
		}
		rows = append(rows, []Button{{Text: s.T("stats.store.choose", map[string]any{"Store": store}),
			Data: action("statsst", v.view+"."+v.period+".0")}})
	} else if chooses && n > 1 {
		row := []Button{{Text: mark(v.store == "", s.T("stats.store.all", nil)), Data: with(func(w *statsView) { w.store = "" })}}
		for _, c := range s.e.Business.Stores {
			if len(row) == 3 {
				rows, row = append(rows, row), nil
			}
			row = append(row, Button{Text: mark(v.store == c.Code, c.Name), Data: with(func(w *statsView) { w.store = c.Code })})
		}
		rows = append(rows, row)
	}
	var views []Button
	for _, x := range []string{viewKPIs, viewStaff, viewCohorts} {
		views = append(views, Button{Text: mark(v.view == x, s.T("stats.view."+x, nil)), Data: with(func(w *statsView) { w.view = x })})
	}
	return append(rows, views)
}

// statsAction is a tap on a /stats button: the view it names, edited in
// place, for someone who may still read it.
func statsAction(s *Session, value string) error {
	v, ok := parseStatsView(value)
	if !s.Staff.CanManage() || !ok {
		s.Toast("error.stale_button")
		return nil
	}
	return showStats(s, v, true)
}

// nudgeReport is /stats nudges: per rule, the due customers split into
// sent, held out and capped, conversions in each group, the uplift, the
// clicks, the points given and the revenue of converted customers; then,
// per offer type (points, discount, gift), how many converted on it.
func nudgeReport(s *Session) error {
	from := s.e.Now().AddDate(0, 0, -nudgeStatsDays)
	shop, err := statsScope(s, "") // a store's manager reads their store's members only
	if err != nil {
		return err
	}
	var shopID int64
	if shop != nil {
		shopID = shop.ID
	}
	rows, err := s.e.Service.NudgeStatsSince(s.Ctx, s.Tx, from, shopID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		s.Say("stats.nudges.none", map[string]any{"Days": nudgeStatsDays})
		return s.e.resume(s)
	}
	var b strings.Builder
	b.WriteString(s.T("stats.nudges.title", map[string]any{"Days": nudgeStatsDays, "From": from.In(statsZone(s, shop)).Format(time.DateOnly)}))
	for _, x := range rows {
		b.WriteString("\n\n")
		b.WriteString(s.T("stats.nudges.rule", map[string]any{
			"Rule": s.e.ruleName(x.Rule, s.Lang), "Due": s.num(int64(x.Due)), "Sent": s.num(int64(x.Sent)), "HeldOut": s.num(int64(x.HeldOut)),
			"Skipped": s.num(int64(x.Skipped)), "Clicked": s.num(int64(x.Clicked)), "ConvSent": s.num(int64(x.ConvertedSent)),
			"ConvHeld": s.num(int64(x.ConvertedHeldOut)),
			"RateSent": tenths(domain.Rate(x.ConvertedSent, x.Sent), s.Lang), "RateHeld": tenths(domain.Rate(x.ConvertedHeldOut, x.HeldOut), s.Lang),
			"Uplift": signedTenths(x.Uplift(), s.Lang), "Points": s.num(x.Points),
			"Revenue": s.e.money(x.RevenueSent, s.Lang), "RevenueHeld": s.e.money(x.RevenueHeld, s.Lang),
		}))
		if x.Withdrawn > 0 {
			b.WriteString("\n" + s.T("stats.nudges.withdrawn", map[string]any{"Withdrawn": s.num(int64(x.Withdrawn))}))
		}
		b.WriteString("\n" + s.T("stats.nudges.confidence."+x.Confidence(), nil))
	}
	offers, err := s.e.Service.NudgeOfferStatsSince(s.Ctx, s.Tx, from, shopID)
	if err != nil {
		return err
	}
	if len(offers) > 0 {
		b.WriteString("\n\n" + s.T("stats.nudges.offers", nil))
	}
	for _, x := range offers {
		b.WriteString("\n" + s.T("stats.nudges.offer", map[string]any{
			"Offer": s.T("nudge.offer_type."+x.Offer, nil), "Sent": s.num(int64(x.Sent)), "ConvSent": s.num(int64(x.ConvertedSent)),
			"RateSent": tenths(domain.Rate(x.ConvertedSent, x.Sent), s.Lang), "HeldOut": s.num(int64(x.HeldOut)),
			"ConvHeld": s.num(int64(x.ConvertedHeldOut)), "RateHeld": tenths(domain.Rate(x.ConvertedHeldOut, x.HeldOut), s.Lang),
		}))
		if x.Used > 0 {
			b.WriteString(s.T("stats.nudges.offer_used", map[string]any{"Used": s.num(int64(x.Used))}))
		}
	}
	s.Send(Reply{Text: b.String()})
	return s.e.resume(s)
}

// signedTenths writes 123 as "+12.3" and -123 as "−12.3" (with the
// language's decimal mark and, as the weekly report and /today write
// it, the minus sign, not a hyphen).
func signedTenths(n int, lang string) string {
	if n >= 0 {
		return "+" + tenths(n, lang)
	}
	return "−" + tenths(-n, lang)
}

// statsInlineStores is how many stores /stats lists under the report,
// three a row; a chain of more gets a picker instead.
const statsInlineStores = 8

// statsStoresAction is the picker of /stats' stores, in place of the
// report (its value the view, the period and the page, between dots).
// Each store's button shows the report there.
func statsStoresAction(s *Session, value string) error {
	i := strings.LastIndexByte(value, '.')
	page, err := strconv.Atoi(value[i+1:])
	st := s.Staff
	if i < 0 || err != nil || !st.CanManage() || (st.Role != domain.RoleOwner && st.ShopID != 0) {
		s.Toast("error.stale_button")
		return nil
	}
	v, ok := parseStatsView(value[:i] + ".")
	if !ok {
		s.Toast("error.stale_button")
		return nil
	}
	view := func(code string) string { w := v; w.store = code; return action("stats", w.String()) }
	rows := [][]Button{{{Text: s.T("stats.store.all", nil), Data: view("")}}}
	rows = append(rows, s.storeRows(s.e.Business.Stores, page,
		func(sc domain.StoreConfig) Button { return Button{Text: sc.Name, Data: view(sc.Code)} },
		func(page int) string { return action("statsst", value[:i]+"."+strconv.Itoa(page)) })...)
	s.Edit(Reply{Text: s.T("stats.store.ask", nil), Inline: rows})
	return nil
}

func init() {
	registerCommand("stats", MenuManager, 30, statsCommand)
	registerAction("stats", statsAction)
	registerAction("statsst", statsStoresAction)
}
