package flows

import (
	"cmp"
	"errors"
	"slices"
	"strconv"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Prizes at the register (domain.GivePrize): the scanned card's screen
// offers the prizes of [[rewards]] its points pay for, a button each.
// The cashier taps one, sees the balance before and after, confirms, and
// stays on the card to ring up a purchase of the same visit.

// prizeTap prefixes a prize button's value at the amount step.
const prizeTap = "g:"

// prizesShown bounds the prize buttons under a scanned card: the cheapest
// the card pays for.
const prizesShown = 8

// prizeRows are the buttons of the prizes the scanned card's points pay
// for, cheapest first; none for a card found by phone (paying with points
// takes the card).
func (s *Session) prizeRows() [][]Button {
	if s.byPhone() {
		return nil
	}
	balance, stamps := s.dataInt("bal"), int(s.dataInt("stamps"))
	rs := slices.Clone(s.e.Business.Gamification.Rewards)
	slices.SortStableFunc(rs, func(a, b domain.RewardItem) int {
		return cmp.Or(cmp.Compare(a.Stamps, b.Stamps), cmp.Compare(a.Points, b.Points))
	})
	var rows [][]Button
	for _, r := range rs {
		if len(rows) == prizesShown {
			break
		}
		if r.ByStamps() && r.Stamps <= stamps || !r.ByStamps() && r.Points <= balance {
			rows = append(rows, []Button{{Text: s.T("prize.button", map[string]any{
				"Title": r.TitleIn(s.Lang), "Points": s.price(r)}), Data: s.cb(flowCheckout, stepAmount, prizeTap+r.ID)}})
		}
	}
	return rows
}

// price says what a prize takes: "150 points", or "10 stamps".
func (s *Session) price(r domain.RewardItem) string {
	if r.ByStamps() {
		return s.stamps(r.Stamps)
	}
	return s.points(r.Points)
}

// stamps says a number of stamps, with the noun's form.
func (s *Session) stamps(n int) string { return s.e.stamps(s.loc, n) }

// askPrize shows what giving the prize tapped does to the card.
func (c checkout) askPrize(s *Session) error {
	r, ok := s.e.Business.Gamification.Reward(s.Data("prize"))
	if !ok {
		s.Say("error.prize.gone", nil)
		return s.Goto(stepAmount)
	}
	q, err := domain.QuoteCard(s.Ctx, s.Tx, &s.e.Business.Program, s.cardID(), 0, s.e.Now())
	if err != nil {
		return err
	}
	s.SetData("bal", strconv.FormatInt(q.Card.Balance, 10))
	have, need, id := q.Card.Balance, r.Points, "prize.confirm"
	if r.ByStamps() {
		n, err := s.e.Service.Stamps(s.Ctx, s.Tx, q.Card.ID)
		if err != nil {
			return err
		}
		s.SetData("stamps", strconv.Itoa(n))
		have, need, id = int64(n), int64(r.Stamps), "prize.confirm_stamps"
	}
	if have < need {
		// Spent meanwhile (another till, the POS).
		s.Say(tooDearID(r), map[string]any{"Points": s.price(r), "Balance": s.num(have)})
		return s.Goto(stepAmount)
	}
	s.Send(Reply{Text: s.T(id, map[string]any{"Name": orDash(q.Customer.FirstName),
		"Title": r.TitleIn(s.Lang), "Points": s.price(r), "Balance": s.num(have),
		"After": s.num(have - need)}), Inline: [][]Button{
		{{Text: s.T("prize.confirm.yes", nil), Data: s.cb(flowCheckout, stepPrize, "yes")}},
		{{Text: s.T("checkout.confirm.back", nil), Data: s.cb(flowCheckout, stepPrize, "back")}},
		c.cancelRow(s),
	}})
	return nil
}

// prize handles the prize's confirmation: Give, Back to the card, or an
// amount typed instead, which rings up a purchase as at the card's
// screen.
func (c checkout) prize(s *Session) error {
	if s.In.Kind == InputText {
		if _, err := domain.ParseAmount(s.In.Text, s.e.Business.Currency, s.e.Business.Program.MaxReceipt); err != nil {
			s.Say("prize.hint", nil)
			return c.Ask(s)
		}
		return c.amount(s)
	}
	v, ok := tapped(s, "prize.hint")
	if !ok {
		return c.Ask(s)
	}
	switch v {
	case "back":
		s.Edit(Reply{Text: s.T("prize.back", nil)})
		return s.Goto(stepAmount)
	case "yes":
		return c.givePrize(s)
	}
	return c.Ask(s)
}

// givePrize gives the prize confirmed and keeps the card on screen, with
// a new draft, for a purchase of the same visit.
func (c checkout) givePrize(s *Session) error {
	shop, err := checkoutShop(s)
	if err != nil {
		return err
	}
	res, err := s.e.Service.GivePrize(s.Ctx, s.Tx, domain.PrizeRequest{
		CardID: s.cardID(), Reward: s.Data("prize"), ShopID: shop, By: s.Staff, Source: domain.SourceBot,
		IdempotencyKey: "bot:" + s.Data("draft"),
	})
	var dear *domain.PrizeTooDearError
	var v *domain.ValidationError
	switch {
	case errors.As(err, &dear):
		// The balance changed since the card was scanned.
		r, _ := s.e.Business.Gamification.Reward(s.Data("prize"))
		if dear.Stamps {
			s.SetData("stamps", strconv.FormatInt(dear.Balance, 10))
		} else {
			s.SetData("bal", strconv.FormatInt(dear.Balance, 10))
		}
		s.Edit(Reply{Text: s.T(tooDearID(r), map[string]any{"Points": s.price(r), "Balance": s.num(dear.Balance)})})
		return s.Goto(stepAmount)
	case errors.As(err, &v):
		s.Edit(Reply{Text: s.T(v.Reason, reasonData(s, v))})
		return s.Goto(stepAmount)
	case errors.Is(err, domain.ErrNotFound):
		s.Leave()
		s.Edit(Reply{Text: s.T("checkout.card.invalid", nil)})
		return nil
	case err != nil:
		return err
	}
	p := res.Prize
	given := "prize.given"
	if p.Stamps > 0 {
		given = "prize.given_stamps"
		s.SetData("stamps", strconv.Itoa(res.Stamps))
	}
	r := Reply{Text: s.T(given, map[string]any{"Name": orDash(res.Customer.FirstName),
		"Title": res.Reward.TitleIn(s.Lang), "Points": s.price(res.Reward), "Balance": s.num(res.Balance),
		"Stamps": s.num(int64(res.Stamps))})}
	if s.Staff.CanManage() {
		r.Inline = [][]Button{{{Text: s.T("prize.cancel", nil), Data: action("prizeask", p.PublicID)}}}
	}
	s.Edit(r)
	// The same card, for a purchase of the same visit.
	s.SetData("draft", newDraft())
	s.SetData("bal", strconv.FormatInt(res.Balance, 10))
	return s.Goto(stepAmount)
}

// prizePrice says what a prize given took: points or stamps.
func (s *Session) prizePrice(p *domain.Prize) string {
	if p.Stamps > 0 {
		return s.stamps(p.Stamps)
	}
	return s.points(p.Points)
}

// tooDearID is the message for a prize the card no longer pays for.
func tooDearID(r domain.RewardItem) string {
	if r.ByStamps() {
		return "prize.too_few_stamps"
	}
	return "prize.too_dear"
}

// askCancelPrize asks a manager to confirm cancelling a prize given.
func askCancelPrize(s *Session, publicID string) error {
	p, name, ok, err := managedPrize(s, publicID, "staff.manager_only")
	if !ok || err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("prize.cancel.ask", map[string]any{"Title": s.prizeTitle(p.Reward), "Name": orDash(name),
		"Points": s.prizePrice(p), "Time": p.CreatedAt.In(staffLocation(s)).Format("02.01 15:04")}), Inline: [][]Button{{
		{Text: s.T("checkout.cancel_purchase.yes", nil), Data: action("prizecancel", publicID)},
		{Text: s.T("checkout.cancel_purchase.no", nil), Data: action("prizekeep", publicID)},
	}}})
	return nil
}

// keepPrize answers No to the cancellation: the message says the prize
// stands and keeps its Cancel button, for a second thought.
func keepPrize(s *Session, publicID string) error {
	p, name, ok, err := managedPrize(s, publicID, "error.stale_button")
	if !ok || err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("prize.kept", map[string]any{"Title": s.prizeTitle(p.Reward), "Name": orDash(name),
		"Points": s.prizePrice(p)}), Inline: [][]Button{{{Text: s.T("prize.cancel", nil), Data: action("prizeask", publicID)}}}})
	return nil
}

// managedPrize reads the prize a manager's button names, with its
// customer's first name; ok is false when it answered the tap itself
// (not a manager: the toast refused; no such prize).
func managedPrize(s *Session, publicID, refused string) (p *domain.Prize, name string, ok bool, err error) {
	if !s.Staff.CanManage() {
		s.Toast(refused)
		return nil, "", false, nil
	}
	p, err = s.Tx.FindPrizeByPublicID(s.Ctx, publicID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && s.Staff.ShopID != 0 && p.ShopID != s.Staff.ShopID {
		// Another store's prize (a button from before a move) is as
		// unknown as CancelPrize will answer it: no name, no title.
		s.Edit(Reply{Text: s.T("prize.not_found", nil)})
		return nil, "", false, nil
	} else if err != nil {
		return nil, "", false, err
	}
	return p, s.customerFirstName(p.CustomerID), true, nil
}

// customerFirstName is a customer's first name for staff, "" once they
// erased their data (or cannot be read).
func (s *Session) customerFirstName(id int64) string {
	if c, err := s.Tx.FindCustomerByID(s.Ctx, id); err == nil && !c.Erased {
		return c.FirstName
	}
	return ""
}

// cancelPrize gives a prize's points back; the customer is told by the
// reaction, the first time only.
func cancelPrize(s *Session, publicID string) error {
	if !s.Staff.CanManage() {
		s.Toast("staff.manager_only")
		return nil
	}
	res, err := s.e.Service.CancelPrize(s.Ctx, s.Tx, publicID, s.Staff.ShopID, s.Staff)
	if done, err := editRefusal(s, err, "prize.not_found"); done || err != nil {
		return err
	}
	name := ""
	if res.Customer != nil && !res.Customer.Erased {
		name = res.Customer.FirstName
	}
	s.Edit(Reply{Text: s.T("prize.cancelled", map[string]any{"Title": res.Reward.TitleIn(s.Lang),
		"Name": orDash(name), "Points": s.prizePrice(&res.Prize), "Balance": s.num(res.Balance)})})
	return nil
}

// prizeTitle names a prize of the config in the chat's language, or by
// its id when the config no longer has it.
func (s *Session) prizeTitle(id string) string {
	if r, ok := s.e.Business.Gamification.Reward(id); ok {
		return r.TitleIn(s.Lang)
	}
	return id
}

func init() {
	registerAction("prizeask", askCancelPrize)
	registerAction("prizecancel", cancelPrize)
	registerAction("prizekeep", keepPrize)
}
