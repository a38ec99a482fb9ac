package flows

import (
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgeStatsDays is the period of /stats nudges.
const nudgeStatsDays = 30

// statsCommand is /stats for owners and managers. "/stats nudges" is the
// nudge engine's report: per rule, the due customers split into sent,
// held out and capped, conversions in each group, the uplift, the clicks,
// the points given and the revenue of converted customers; then, per offer
// type (points, discount, gift), how many converted on it.
func statsCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	if strings.ToLower(strings.TrimSpace(s.In.Args)) != "nudges" {
		s.Say("stats.usage", nil)
		return s.e.resume(s)
	}
	from := s.e.Now().AddDate(0, 0, -nudgeStatsDays)
	rows, err := s.e.Service.NudgeStatsSince(s.Ctx, s.Tx, from)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		s.Say("stats.nudges.none", map[string]any{"Days": nudgeStatsDays})
		return s.e.resume(s)
	}
	var b strings.Builder
	b.WriteString(s.T("stats.nudges.title", map[string]any{"Days": nudgeStatsDays, "From": from.Format(time.DateOnly)}))
	for _, x := range rows {
		b.WriteString("\n\n")
		b.WriteString(s.T("stats.nudges.rule", map[string]any{
			"Rule": x.Rule, "Due": x.Due, "Sent": x.Sent, "HeldOut": x.HeldOut, "Skipped": x.Skipped,
			"Clicked": x.Clicked, "ConvSent": x.ConvertedSent, "ConvHeld": x.ConvertedHeldOut,
			"RateSent": tenths(domain.Rate(x.ConvertedSent, x.Sent), s.Lang), "RateHeld": tenths(domain.Rate(x.ConvertedHeldOut, x.HeldOut), s.Lang),
			"Uplift": signedTenths(x.Uplift(), s.Lang), "Points": x.Points,
			"Revenue": s.e.money(x.RevenueSent, s.Lang), "RevenueHeld": s.e.money(x.RevenueHeld, s.Lang),
		}))
		b.WriteString("\n" + s.T("stats.nudges.confidence."+x.Confidence(), nil))
	}
	offers, err := s.e.Service.NudgeOfferStatsSince(s.Ctx, s.Tx, from)
	if err != nil {
		return err
	}
	if len(offers) > 0 {
		b.WriteString("\n\n" + s.T("stats.nudges.offers", nil))
	}
	for _, x := range offers {
		b.WriteString("\n" + s.T("stats.nudges.offer", map[string]any{
			"Offer": s.T("nudge.offer_type."+x.Offer, nil), "Sent": x.Sent, "ConvSent": x.ConvertedSent,
			"RateSent": tenths(domain.Rate(x.ConvertedSent, x.Sent), s.Lang), "HeldOut": x.HeldOut,
			"ConvHeld": x.ConvertedHeldOut, "RateHeld": tenths(domain.Rate(x.ConvertedHeldOut, x.HeldOut), s.Lang),
		}))
	}
	s.Send(Reply{Text: b.String()})
	return s.e.resume(s)
}

// signedTenths writes 123 as "+12.3" (with the language's decimal mark).
func signedTenths(n int, lang string) string {
	if n >= 0 {
		return "+" + tenths(n, lang)
	}
	return tenths(n, lang)
}

func init() {
	registerCommand("stats", MenuManager, 30, statsCommand)
}
