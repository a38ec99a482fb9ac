package flows

import (
	"slices"
	"strings"
	"time"
)

// offersCommand is /offers for members: the points promotions running
// now and the ones planned, at their store (the one they joined at, or
// a shop's only store; for a member of a chain who joined without a
// poster, those of every store), so a visit can wait for double points.
func offersCommand(s *Session) error {
	shop, err := s.memberStore()
	if err != nil {
		return err
	}
	live, err := s.e.Service.LivePromotionsFor(s.Ctx, s.Tx, shop)
	if err != nil {
		return err
	}
	code := ""
	var here *time.Location // the member's store's clock, for promotions of every store
	if shop != 0 {
		sh, loc, err := s.e.Service.Shop(s.Ctx, s.Tx, shop)
		if err != nil {
			return err
		}
		code, here = sh.Code, loc
	}
	now := s.e.Service.Now()
	lines := []string{s.T("offers.title", nil)}
	for i := range s.e.Business.Program.Promotions {
		p := &s.e.Business.Program.Promotions[i]
		if len(p.Stores) > 0 && !slices.Contains(p.Stores, code) {
			continue
		}
		id := "offers.config"
		if s.configPromotionRuns(p, code, now) {
			id = "offers.config_now"
		}
		lines = append(lines, s.T(id, map[string]any{"Title": p.TitleIn(s.Lang, s.e.Business.DefaultLanguage),
			"Multiplier": p.Multiplier, "Min": s.promoMin(p.MinAmount)}))
	}
	for _, p := range live {
		store, minimum, loc, err := s.e.promoWhere(s.Ctx, s.Tx, p.ShopID, p.MinAmount, s.Lang)
		if err != nil {
			return err
		}
		if p.ShopID == 0 && here != nil {
			loc = here // runs at the member's store by its clock, not the first store's
		}
		id := "offers.live_now"
		if p.Start.After(now) {
			id = "offers.live_later"
		}
		lines = append(lines, s.T(id, map[string]any{"Title": p.TitleIn(s.Lang, s.e.Business.DefaultLanguage),
			"Multiplier": p.Multiplier, "Store": store, "Min": minimum,
			"From": s.promoUntil(p.Start, loc), "Until": s.promoUntil(p.End, loc)}))
	}
	if len(lines) == 1 {
		lines = append(lines, s.T("offers.none", nil))
	}
	if s.e.Business.Nudges.TillOffers() {
		// The customer's own discounts and gifts, for one who lost the
		// message that promised them.
		mine, err := s.e.Service.OpenOffers(s.Ctx, s.Tx, s.Customer)
		if err != nil {
			return err
		}
		if len(mine) > 0 {
			lines = append(lines, "", s.T("offers.mine", nil))
		}
		for _, o := range mine {
			lines = append(lines, s.tillOfferLine(o, s.e.location(s)))
		}
	}
	s.Send(Reply{Text: strings.Join(lines, "\n")})
	return s.e.resume(s)
}

func init() {
	registerCommand("offers", MenuCustomer, 81, membersOnly(offersCommand))
}
