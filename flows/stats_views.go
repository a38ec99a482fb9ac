package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// kpiText is the indicators view: members, lifecycle, purchases, points,
// ratings, answers, nudges and referrals, one short line each; waiting
// is how many of the period's questions wait for an answer.
func kpiText(s *Session, p domain.Period, shopID int64, store string, loc *time.Location) (text string, waiting int, err error) {
	k, err := s.e.Service.KPIs(s.Ctx, s.Tx, p, shopID)
	if err != nil {
		return "", 0, err
	}
	pct := func(n int) string { return tenths(n, s.Lang) }
	num := func(n int64) string { return domain.FormatCount(n, s.Lang) }
	lines := []string{
		s.T("kpi.title", map[string]any{"Store": store, "Period": periodLabel(p, loc)}),
		"",
		s.T("kpi.members", map[string]any{"Total": num(int64(k.Members)), "New": num(int64(k.NewMembers))}),
		s.T("kpi.reachable", map[string]any{"Share": pct(k.Share(k.Reachable))}),
		s.T("kpi.marketing", map[string]any{"Share": pct(k.Share(k.Marketing))}),
	}
	if k.Sections > 0 {
		lines = append(lines, s.T("kpi.profile", map[string]any{"Share": pct(k.Share(k.ProfileComplete))}))
	}
	lines = append(lines,
		s.T("kpi.lifecycle", map[string]any{"Active": num(int64(k.Active)), "Sleeping": num(int64(k.Sleeping)),
			"Lost": num(int64(k.Lost)), "Never": num(int64(k.NeverBought))}),
		s.T("kpi.repeat", map[string]any{"Rate": pct(k.RepeatRate()), "Buyers": num(int64(k.Buyers))}),
		"",
		s.T("kpi.purchases", map[string]any{"Count": num(int64(k.Purchases)), "Buyers": num(int64(k.PeriodBuyers)), "Frequency": tenths(k.Frequency(), s.Lang)}),
		s.T("kpi.revenue", map[string]any{"Revenue": s.e.money(k.Revenue, s.Lang), "Average": s.e.money(k.AverageReceipt(), s.Lang)}),
	)
	if k.Returns > 0 {
		lines = append(lines, s.T("kpi.returns", map[string]any{"Count": num(int64(k.Returns)),
			"Amount": s.e.money(k.Returned, s.Lang), "Refund": s.e.money(k.Refunded, s.Lang)}))
	}
	for _, ps := range k.Promotions {
		data := map[string]any{"Title": ps.ID, "Count": num(int64(ps.Purchases)), "Share": pct(domain.Rate(ps.Purchases, k.Purchases)),
			"Revenue": s.e.money(ps.Revenue, s.Lang), "Points": num(ps.Earned)}
		id := "kpi.promotion.ended" // no longer in the config: its multiplier is unknown
		if pr, err := s.e.Service.PromotionByID(s.Ctx, s.Tx, ps.ID); err != nil {
			return "", 0, err
		} else if pr != nil {
			id, data["Title"], data["Extra"] = "kpi.promotion", pr.TitleIn(s.Lang, s.e.Business.DefaultLanguage), num(ps.Extra(pr.Multiplier))
		}
		lines = append(lines, s.T(id, data))
	}
	lines = append(lines,
		"",
		s.T("kpi.points", map[string]any{"Issued": num(k.PointsIssued), "Redeemed": num(k.PointsRedeemed), "Expired": num(k.PointsExpired),
			"Rate": pct(k.RedemptionRate())}),
	)
	if k.PointsForfeited > 0 {
		lines = append(lines, s.T("kpi.forfeited", map[string]any{"Points": num(k.PointsForfeited)}))
	}
	if k.Prizes > 0 {
		lines = append(lines, s.T("kpi.prizes", map[string]any{"Count": num(int64(k.Prizes)), "Points": num(k.PrizePoints)}))
	}
	lines = append(lines,
		s.T("kpi.outstanding", map[string]any{"Points": num(k.PointsOutstanding),
			"Money": s.e.money(k.Liability(s.e.Business.Program.PointValue), s.Lang)}),
		"",
	)
	if k.Ratings > 0 {
		lines = append(lines, s.T("kpi.feedback", map[string]any{"Count": num(int64(k.Ratings)), "Average": tenths(k.AverageStars(), s.Lang),
			"Bad": pct(k.BadShare())}))
	} else {
		lines = append(lines, s.T("kpi.feedback.none", nil))
	}
	lines = append(lines, s.e.careLines(s.loc, s.Lang, k.BadRatings, k.Care)...)
	if n := k.Nudges; n.Sent+n.HeldOut > 0 {
		lines = append(lines, s.T("kpi.nudges", map[string]any{"Sent": num(int64(n.Sent)), "Held": num(int64(n.HeldOut)),
			"RateSent": pct(domain.Rate(n.ConvertedSent, n.Sent)), "RateHeld": pct(domain.Rate(n.ConvertedHeldOut, n.HeldOut)),
			"Uplift": signedTenths(n.Uplift(), s.Lang), "Revenue": s.e.money(n.RevenueSent, s.Lang)}))
	} else {
		lines = append(lines, s.T("kpi.nudges.none", nil))
	}
	if k.Referrals {
		lines = append(lines, s.T("kpi.referrals", map[string]any{"Count": num(int64(k.ReferralJoins))}))
	} else {
		lines = append(lines, s.T("kpi.referrals.none", nil))
	}
	return strings.Join(lines, "\n"), k.Care.Waiting(), nil
}

// careLines say how the shop answered its customers in the period: the
// bad ratings answered and how soon, the questions to the shop and what
// became of them.
func (e *Engine) careLines(l *i18n.Localizer, lang string, bad int, c domain.CareStat) []string {
	num := func(n int) string { return domain.FormatCount(int64(n), lang) }
	var lines []string
	switch {
	case bad == 0:
	case c.BadHandled == 0:
		lines = append(lines, e.translate(l, "kpi.care.bad_none", map[string]any{"Bad": num(bad)}))
	default:
		lines = append(lines, e.translate(l, "kpi.care.bad", map[string]any{"Handled": num(c.BadHandled), "Bad": num(bad),
			"Median": e.span(l, c.BadMedian)}))
	}
	data := map[string]any{"Count": num(c.Questions), "Answered": num(c.Answered), "NoAnswer": num(c.NoAnswer),
		"Waiting": num(c.Waiting()), "Median": e.span(l, c.QuestionsMedian)}
	switch {
	case c.Questions == 0:
		lines = append(lines, e.translate(l, "kpi.care.questions_none", nil))
	case c.Answered == 0:
		lines = append(lines, e.translate(l, "kpi.care.questions_unanswered", data))
	default:
		lines = append(lines, e.translate(l, "kpi.care.questions", data))
	}
	if c.ReviewInvites > 0 {
		lines = append(lines, e.translate(l, "kpi.care.review_invites", map[string]any{"Count": num(c.ReviewInvites)}))
	}
	return lines
}

// span writes a wait for people, rounded up to the minute: "25 min",
// "3 h 05 min", "2 d 4 h".
func (e *Engine) span(l *i18n.Localizer, d time.Duration) string {
	m := max(1, waitMinutes(d))
	switch {
	case m < 60:
		return e.translate(l, "kpi.span.minutes", map[string]any{"M": m})
	case m < 48*60:
		return e.translate(l, "kpi.span.hours", map[string]any{"H": m / 60, "M": fmt.Sprintf("%02d", m%60)})
	default:
		return e.translate(l, "kpi.span.days", map[string]any{"D": m / (24 * 60), "H": m % (24 * 60) / 60})
	}
}

// span is Engine.span in the session's language.
func (s *Session) span(d time.Duration) string { return s.e.span(s.loc, d) }

// staffText is the staff view: per person, the customers they signed up
// and how many came back, their checkouts and their visits' rating.
func staffText(s *Session, p domain.Period, shopID int64, store string, loc *time.Location, page int) (string, int, error) {
	rows, err := s.e.Service.StaffKPIs(s.Ctx, s.Tx, p, shopID)
	if err != nil {
		return "", 0, err
	}
	title := s.T("kpi.staff.title", map[string]any{"Store": store, "Period": periodLabel(p, loc)})
	pages := max(1, (len(rows)+staffKPIPage-1)/staffKPIPage)
	page = min(max(page, 0), pages-1)
	if pages > 1 {
		title += " " + s.T("staff.list.page", map[string]any{"Page": page + 1, "Pages": pages})
	}
	lines := []string{title, ""}
	if len(rows) == 0 {
		lines = append(lines, s.T("kpi.staff.none", nil))
	}
	for _, r := range rows[min(len(rows), page*staffKPIPage):min(len(rows), (page+1)*staffKPIPage)] {
		rating := s.T("kpi.staff.no_rating", nil)
		if r.Ratings > 0 {
			rating = s.T("kpi.staff.rating", map[string]any{"Average": tenths(r.AverageStars(), s.Lang), "Count": r.Ratings})
		}
		line := "kpi.staff.line"
		if r.SignedUp == 0 {
			line = "kpi.staff.line_none" // no share of nobody
		}
		text := s.T(line, map[string]any{
			"Name": r.Name, "Role": s.T("role."+string(r.Role), nil), "SignedUp": s.num(int64(r.SignedUp)),
			"Repeat": tenths(r.RepeatRate(), s.Lang), "Checkouts": s.num(int64(r.Checkouts)), "Rating": rating,
		})
		if r.Prizes > 0 {
			text += s.T("kpi.staff.prizes", map[string]any{"Prizes": s.num(int64(r.Prizes))})
		}
		if r.Answered > 0 {
			text += s.T("kpi.staff.answered", map[string]any{"Count": s.num(int64(r.Answered))})
		}
		if r.OwnCancels > 0 {
			text += s.T("kpi.staff.cancels", map[string]any{"Count": s.num(int64(r.OwnCancels))})
		}
		if r.Returns > 0 {
			text += s.T("kpi.staff.returns", map[string]any{"Count": s.num(int64(r.Returns)), "Amount": s.e.money(r.Refunded, s.Lang)})
		}
		lines = append(lines, text)
	}
	lines = append(lines, "", s.T("kpi.staff.hint", nil))
	return strings.Join(lines, "\n"), pages, nil
}

// staffKPIPage is how many people a page of /stats staff lists: with
// every number a line carries, a page stays inside a Telegram message.
const staffKPIPage = 20

// cohortText is the cohort table, monospace: a row per month of joining,
// a column per month since, each cell the share still buying (%).
func cohortText(s *Session, shopID int64, store string, loc *time.Location) (string, error) {
	cs, err := s.e.Service.Cohorts(s.Ctx, s.Tx, shopID, loc)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(s.T("kpi.cohorts.title", map[string]any{"Store": store}) + "\n\n")
	if len(cs) == 0 {
		b.WriteString(s.T("kpi.cohorts.none", nil))
		return b.String(), nil
	}
	cols := len(cs[0].Retained)
	fmt.Fprintf(&b, "%-7s %5s", s.T("kpi.cohorts.month", nil), s.T("kpi.cohorts.members", nil))
	for k := range cols {
		fmt.Fprintf(&b, " %4s", fmt.Sprintf("+%d", k))
	}
	for _, c := range cs {
		fmt.Fprintf(&b, "\n%04d-%02d %5d", c.Year, int(c.Month), c.Members)
		for k := range c.Retained {
			fmt.Fprintf(&b, " %4d", (c.Share(k)+5)/10)
		}
	}
	b.WriteString("\n\n" + s.T("kpi.cohorts.legend", nil))
	return b.String(), nil
}

// statsDates is the flow of the "Dates…" button: the person types the
// first and the last day, then gets the view for them.
type statsDates struct{}

const (
	flowStatsDates = "stats_dates"
	stepStatsDates = "dates"
)

func (statsDates) Name() string { return flowStatsDates }

func (statsDates) Ask(s *Session) error {
	now := s.e.Now().In(staffLocation(s)) // days as Handle reads them
	s.Say("kpi.dates.ask", map[string]any{"Example": now.AddDate(0, 0, -30).Format("02.01.2006") + " - " +
		now.Format("02.01.2006")})
	return nil
}

func (f statsDates) Handle(s *Session) error {
	if !s.Staff.CanManage() {
		// Revoked (or made a cashier) since Dates…: told, as at every
		// staff step, rather than the dates dropped without a word.
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	if s.In.Kind != InputText {
		return f.Ask(s)
	}
	p, err := parseStatsDates(s.In.Text, s.e.Now().In(staffLocation(s)))
	if err != nil {
		s.Say("kpi.dates.invalid", nil)
		return f.Ask(s)
	}
	v, ok := parseStatsView(s.Data("view"))
	if !ok {
		v = statsView{view: viewKPIs}
	}
	v.period = p
	s.Leave()
	return showStats(s, v, false)
}

// statsDatesAction is the "Dates…" button: it asks for the dates,
// keeping the view and the store of the message it is under.
func statsDatesAction(s *Session, value string) error {
	v, ok := parseStatsView(value)
	if !s.Staff.CanManage() || !ok {
		s.Toast("error.stale_button")
		return nil
	}
	s.Conv.Reset()
	s.SetData("view", v.String())
	return s.Enter(flowStatsDates, stepStatsDates)
}

func init() {
	registerFlow(statsDates{})
	registerAction("statsd", statsDatesAction)
}
