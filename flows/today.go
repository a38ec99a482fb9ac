package flows

import (
	"errors"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// todayCommand is /today for anyone on the staff: what they rang up since
// midnight, to check against the till at the end of a shift. Totals
// count what stands of the purchases (returns taken off); cancelled ones
// are counted apart and marked in the list of the newest, and the
// returns they took (of any day's purchases) are counted with the money
// they paid back.
func todayCommand(s *Session) error {
	loc := staffLocation(s)
	d, err := s.e.Service.StaffDay(s.Ctx, s.Tx, s.Staff, loc)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Say(v.Reason, nil)
		return s.e.resume(s)
	} else if err != nil {
		return err
	}
	date := d.Since.Format("02.01.2006")
	if d.Count+d.Cancelled+d.Returns+d.Prizes == 0 {
		s.Say("today.none", map[string]any{"Date": date})
		return s.e.resume(s)
	}
	lines := []string{
		s.T("today.title", map[string]any{"Date": date}),
		s.T("today.totals", map[string]any{"Count": s.num(int64(d.Count)), "Amount": s.e.money(d.Amount, s.Lang),
			"Earned": s.num(d.Earned), "Redeemed": s.num(d.Redeemed)}),
	}
	if d.Cancelled > 0 {
		lines = append(lines, s.T("today.cancelled", map[string]any{"Count": s.num(int64(d.Cancelled))}))
	}
	if d.Returns > 0 {
		lines = append(lines, s.T("today.returns", map[string]any{"Count": s.num(int64(d.Returns)),
			"Amount": s.e.money(d.Refunded, s.Lang)}))
	}
	if d.Prizes > 0 {
		line := s.T("today.prizes", map[string]any{"Count": s.num(int64(d.Prizes))})
		if d.PrizePoints > 0 { // none for prizes of the stamp card
			line += " · −" + s.points(d.PrizePoints)
		}
		lines = append(lines, line)
	}
	if len(d.Recent) > 0 {
		lines = append(lines, "", s.T("today.recent", nil))
	}
	var rows [][]Button
	now := s.e.Now()
	for _, p := range d.Recent {
		ploc, err := s.clockOf(p.ShopID) // the store's clock, as Recent purchases (one moved since rang up elsewhere)
		if err != nil {
			return err
		}
		at, name, amount := p.CreatedAt.In(ploc).Format("15:04"), orDash(p.CustomerName), s.e.money(p.Amount, s.Lang)
		line := s.T("today.line", map[string]any{"Time": at, "Customer": name,
			"Amount": amount, "Earned": s.num(p.Earned), "Redeemed": s.num(p.Redeemed)})
		line += s.returnedMark(&p.Purchase)
		lines = append(lines, line)
		// A cashier's purchase still theirs to cancel (a mistake seen a
		// few minutes on, its receipt scrolled away); managers cancel from
		// /staff → Recent purchases.
		if s.Staff.Role == domain.RoleCashier && !p.Cancelled() && s.Staff.CanCancel(&p.Purchase, &s.e.Business.Program, now) {
			rows = append(rows, []Button{{Text: s.T("staff.purchases.cancel", withShortName(map[string]any{"Time": at, "Customer": name, "Amount": amount})),
				Data: action("cancelask", p.PublicID)}})
		}
	}
	s.Send(Reply{Text: strings.Join(lines, "\n"), Inline: rows})
	return s.e.resume(s)
}

func init() {
	registerCommand("today", MenuCashier, 15, todayCommand)
}
