package flows

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/chart"
	"github.com/loyaltybot/loyaltybot/domain"
)

// Charts an owner or manager can ask for. Stored in button data: never
// rename one.
const (
	chartMembers = "members"
	chartRevenue = "revenue"
	chartRatings = "ratings"
)

var chartKinds = []string{chartMembers, chartRevenue, chartRatings}

// chartCommand is /chart: pick a chart with a button (or name it:
// "/chart revenue"). Managers of a store see their store.
func chartCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	if kind := strings.ToLower(strings.TrimSpace(s.In.Args)); slices.Contains(chartKinds, kind) {
		if err := sendChart(s, kind); err != nil {
			return err
		}
		return s.e.resume(s)
	}
	var row []Button
	for _, k := range chartKinds {
		row = append(row, Button{Text: s.T("chart.button."+k, nil), Data: action("chart", k)})
	}
	s.Send(Reply{Text: s.T("chart.ask", map[string]any{"Weeks": domain.ChartWeeks}), Inline: [][]Button{row}})
	return s.e.resume(s)
}

// chartAction draws the chart tapped; the buttons stay for the next one.
func chartAction(s *Session, kind string) error {
	if !s.Staff.CanManage() || !slices.Contains(chartKinds, kind) {
		s.Toast("error.stale_button")
		return nil
	}
	return sendChart(s, kind)
}

func sendChart(s *Session, kind string) error {
	// The reader's scope and weeks as /stats has them: a store's manager
	// their store's, in its time zone; an owner every store.
	shop, err := statsScope(s, "")
	if err != nil {
		return err
	}
	var shopID int64
	if shop != nil {
		shopID = shop.ID
	}
	weeks, err := s.e.Service.WeeklyStats(s.Ctx, s.Tx, shopID, domain.ChartWeeks, statsZone(s, shop))
	if err != nil {
		return err
	}
	png, err := chart.PNG(s.e.chartOf(kind, weeks, s.Lang))
	if err != nil {
		return err
	}
	last := weeks[len(weeks)-1]
	caption := s.T("chart.caption."+kind, s.e.weekData(last, s.Lang))
	s.Send(Reply{PNG: png, Text: s.T("chart.title."+kind, nil) + "\n" + caption})
	return nil
}

// weekData is what the captions and the weekly report say of a week.
func (e *Engine) weekData(w domain.WeekStats, lang string) map[string]any {
	return map[string]any{
		"Week": w.Start.Format("02.01"), "Members": e.num(int64(w.Members), lang), "New": e.num(int64(w.NewMembers), lang),
		"Active": e.num(int64(w.Active), lang), "Revenue": e.money(w.Revenue, lang), "Receipts": e.num(int64(w.Receipts), lang),
		"Average": e.money(w.AverageReceipt(), lang), "Ratings": e.num(int64(w.Ratings), lang), "Stars": starsText(w, lang),
		"Bad": e.num(int64(w.Bad), lang),
	}
}

// starsText is a week's average rating, or a dash for a week without any.
func starsText(w domain.WeekStats, lang string) string {
	if w.Ratings == 0 {
		return "—"
	}
	return tenths(w.AverageRating(), lang)
}

// chartOf lays a chart out from the weekly series: the series are the
// numbers of domain.WeekStats (money in major units, ratings in stars),
// the labels the weeks' Mondays.
func (e *Engine) chartOf(kind string, weeks []domain.WeekStats, lang string) chart.Chart {
	l := e.localizer(lang)
	t := func(id string) string {
		return e.translate(l, id, map[string]any{"Currency": e.Business.Currency})
	}
	c := chart.Chart{Thousands: ","}
	if domain.DecimalComma(lang) {
		c.Thousands = " "
	}
	series := func(name string, bars bool, f func(w domain.WeekStats) float64) chart.Series {
		s := chart.Series{Name: t(name), Bars: bars, Values: make([]float64, len(weeks))}
		for i, w := range weeks {
			s.Values[i] = f(w)
		}
		return s
	}
	for _, w := range weeks {
		c.Labels = append(c.Labels, w.Start.Format("02.01"))
	}
	members := chart.Panel{Title: t("chart.panel.members"), Series: []chart.Series{
		series("chart.series.members", false, func(w domain.WeekStats) float64 { return float64(w.Members) }),
		series("chart.series.active", false, func(w domain.WeekStats) float64 { return float64(w.Active) }),
	}}
	revenue := chart.Panel{Title: t("chart.panel.revenue"), Series: []chart.Series{
		series("chart.series.revenue", true, func(w domain.WeekStats) float64 { return major(w.Revenue) }),
	}}
	average := chart.Panel{Title: t("chart.panel.average"), Series: []chart.Series{
		series("chart.series.average", false, func(w domain.WeekStats) float64 { return major(w.AverageReceipt()) }),
	}}
	stars := chart.Panel{Title: t("chart.panel.stars"), Max: 5, Fractions: true, Series: []chart.Series{
		series("chart.series.stars", false, func(w domain.WeekStats) float64 {
			if w.Ratings == 0 {
				return math.NaN() // no average, not 0 stars
			}
			return float64(w.AverageRating()) / 10
		}),
	}}
	ratings := chart.Panel{Title: t("chart.panel.ratings"), Series: []chart.Series{
		series("chart.series.ratings", true, func(w domain.WeekStats) float64 { return float64(w.Ratings) }),
		series("chart.series.bad", true, func(w domain.WeekStats) float64 { return float64(w.Bad) }),
	}}
	switch kind {
	case chartMembers:
		c.Panels = []chart.Panel{members}
	case chartRevenue:
		c.Panels = []chart.Panel{revenue, average}
	case chartRatings:
		c.Panels = []chart.Panel{stars, ratings}
	default: // the weekly report's overview
		c.Panels = []chart.Panel{members, revenue, stars}
	}
	return c
}

// major turns minor units into major ones for drawing only: the picture
// needs coordinates, not exact money.
func major(minor int64) float64 { return float64(minor) / 100 }

// SendWeeklyReport queues the weekly report for every owner: the last
// full weeks in one chart and the week's movements against the one
// before. It runs once per week however often the job ticks (the week is
// recorded in the same transaction); it reports how many owners it
// queued for.
func (e *Engine) SendWeeklyReport(ctx context.Context) (int, error) {
	n := 0
	err := e.Store.Update(ctx, func(tx domain.Tx) error {
		n = 0
		rep, ok, err := e.Service.TakeWeeklyReport(ctx, tx)
		if err != nil || !ok {
			return err
		}
		staff, err := tx.ListStaff(ctx, 0)
		if err != nil {
			return err
		}
		pngs := map[string][]byte{}
		for _, s := range staff {
			if s.Role != domain.RoleOwner {
				continue
			}
			lang := e.staffLang(ctx, tx, &s)
			if pngs[lang] == nil {
				if pngs[lang], err = chart.PNG(e.chartOf("", rep.Weeks, lang)); err != nil {
					return err
				}
			}
			if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, PNG: pngs[lang], Text: e.reportText(rep, lang)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// reportText is the report's caption: the week's numbers, each with its
// movement against the week before.
func (e *Engine) reportText(rep domain.WeeklyReport, lang string) string {
	l := e.localizer(lang)
	w, p := rep.Last(), rep.Previous()
	data := e.weekData(w, lang)
	data["To"] = w.Start.AddDate(0, 0, 6).Format("02.01")
	data["RevenueChange"] = e.change(l, p.Revenue, w.Revenue)
	data["ReceiptsChange"] = e.change(l, int64(p.Receipts), int64(w.Receipts))
	data["AverageChange"] = e.change(l, p.AverageReceipt(), w.AverageReceipt())
	data["NewBefore"] = e.num(int64(p.NewMembers), lang)
	data["ActiveDelta"] = signed(int64(w.Active - p.Active))
	data["BadBefore"] = e.num(int64(p.Bad), lang)
	data["StarsBefore"] = starsText(p, lang)
	care := e.careLines(l, lang, rep.Bad, rep.Care)
	return e.translate(l, "report.weekly", data) + "\n" + strings.Join(care, "\n")
}

// change says a movement in percent ("+12 %"), or that there is no base.
func (e *Engine) change(l *i18n.Localizer, before, after int64) string {
	pct, ok := domain.ChangePercent(before, after)
	if !ok {
		return e.translate(l, "report.no_base", nil)
	}
	return e.translate(l, "report.percent", map[string]any{"Percent": signed(pct)})
}

// signed writes 5 as "+5" and -5 as "−5".
func signed(n int64) string {
	switch {
	case n > 0:
		return "+" + strconv.FormatInt(n, 10)
	case n < 0:
		return "−" + strconv.FormatInt(-n, 10)
	}
	return "0"
}

func init() {
	registerCommand("chart", MenuManager, 32, chartCommand)
	registerAction("chart", chartAction)
}
