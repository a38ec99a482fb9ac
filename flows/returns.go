package flows

import (
	"errors"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowReturn = "return"

// Steps of a return. Ids are stored in conversations: never rename one.
const (
	stepReturnPick    = "pick"    // which purchase
	stepReturnAmount  = "amount"  // how much of it, typed or All
	stepReturnConfirm = "confirm" // the last look before points move
)

// returnsListed bounds the purchases offered for a return: the newest
// of the last year that stand, of the manager's store, returnsPerPage at
// a time (a regular's purchase of three weeks ago is a few pages back).
const (
	returnsListed  = 50
	returnsPerPage = 10
)

// returnFlow takes back part of a purchase when a customer brings items
// back (domain.ReturnPurchase): a manager (or a cashier, where the
// program lets them) scans the card, taps ↩ Return instead of typing a
// receipt, picks the purchase, types the amount returned (or All), sees
// what it does to the points and the money to pay back, and confirms. Like a checkout, each return has a draft key,
// so a double tap records one return.
type returnFlow struct{}

func (returnFlow) Name() string { return flowReturn }

// startReturn leaves the checkout of the card scanned for a return of
// one of its purchases.
func startReturn(s *Session) error {
	card := s.Data("card")
	s.Conv.Reset()
	s.SetData("card", card)
	s.SetData("draft", newDraft())
	return s.Enter(flowReturn, stepReturnPick)
}

func (returnFlow) cancelRow(s *Session) []Button {
	return []Button{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowReturn, s.Conv.Step, "cancel")}}
}

func (f returnFlow) Ask(s *Session) error {
	if !s.Staff.CanTakeReturns(&s.e.Business.Program) {
		s.Leave() // revoked meanwhile: the purchase is not shown again
		return nil
	}
	switch s.Conv.Step {
	case stepReturnPick:
		return f.askPick(s)
	case stepReturnAmount:
		return f.askAmount(s)
	case stepReturnConfirm:
		return f.askConfirm(s)
	}
	return nil
}

// askPick lists the card's purchases a return may be of, a button each.
func (f returnFlow) askPick(s *Session) error {
	r, ok, err := f.pickReply(s, 0)
	if err != nil {
		return err
	}
	if !ok {
		s.Leave()
		s.Say("return.none", nil)
		return nil
	}
	s.Send(r)
	return nil
}

// pickReply is page (from 0) of the purchases a return may be of, with ◀
// ▶ between pages; ok is false when there are none. Each button taps the
// purchase's place in the whole list, kept in the conversation.
func (f returnFlow) pickReply(s *Session, page int) (r Reply, ok bool, err error) {
	ps, err := s.Tx.ListCardPurchases(s.Ctx, s.cardID(), s.Staff.ShopID, s.e.Now().AddDate(-1, 0, 0), returnsListed)
	if err != nil || len(ps) == 0 {
		return Reply{}, false, err
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.PublicID
	}
	s.SetData("list", strings.Join(ids, ","))
	pages := (len(ps) + returnsPerPage - 1) / returnsPerPage
	page = min(max(page, 0), pages-1)
	var rows [][]Button
	for i := page * returnsPerPage; i < min(len(ps), (page+1)*returnsPerPage); i++ {
		p := &ps[i]
		label := s.T("return.pick.button", map[string]any{"Time": s.purchaseTime(p),
			"Amount": s.e.money(p.Receipt(), s.Lang)}) + s.returnedMark(p)
		rows = append(rows, []Button{{Text: label, Data: s.cb(flowReturn, stepReturnPick, strconv.Itoa(i))}})
	}
	nav := s.pageNav(page, pages, func(page int) string {
		return s.cb(flowReturn, stepReturnPick, storePagePrefix+strconv.Itoa(page))
	})
	if nav != nil {
		rows = append(rows, nav)
	}
	rows = append(rows, f.cancelRow(s))
	return Reply{Text: s.T("return.pick.ask", nil), Inline: rows}, true, nil
}

// purchaseTime shows when a purchase was rung up, in the staff's zone.
func (s *Session) purchaseTime(p *domain.Purchase) string {
	return p.CreatedAt.In(staffLocation(s)).Format("02.01.06 15:04")
}

// purchase reads the purchase picked, as it stands now.
func (returnFlow) purchase(s *Session) (*domain.Purchase, error) {
	return s.Tx.FindPurchaseByPublicID(s.Ctx, s.Data("purchase"))
}

func (f returnFlow) askAmount(s *Session) error {
	p, err := f.purchase(s)
	if err != nil {
		return err
	}
	data := map[string]any{"Time": s.purchaseTime(p),
		"Receipt": s.e.money(p.Receipt(), s.Lang), "Left": s.e.money(p.Amount, s.Lang),
		"Returned": s.e.money(p.ReturnedAmount, s.Lang)}
	id := "return.amount.ask"
	if p.ReturnedAmount > 0 {
		id = "return.amount.ask_rest"
	}
	s.Send(Reply{Text: s.T(id, data), Inline: [][]Button{
		{{Text: s.T("return.amount.all", data), Data: s.cb(flowReturn, stepReturnAmount, "all")}},
		f.cancelRow(s),
	}})
	return nil
}

func (f returnFlow) askConfirm(s *Session) error {
	p, err := f.purchase(s)
	if err != nil {
		return err
	}
	q, err := domain.QuoteCard(s.Ctx, s.Tx, &s.e.Business.Program, p.CardID, 0, s.e.Now())
	if err != nil {
		return err
	}
	amount := s.dataInt("amount")
	promos, err := s.e.Service.ReturnPromotions(s.Ctx, s.Tx, p, amount)
	if err != nil {
		return err
	}
	balance, err := domain.ReturnBalance(s.Ctx, s.Tx, q.Card, q.Customer)
	if err != nil {
		return err
	}
	r := domain.PreviewReturn(&s.e.Business.Program, p, amount, balance, promos)
	data := map[string]any{"Name": orDash(q.Customer.FirstName), "Amount": s.e.money(amount, s.Lang),
		"Receipt": s.e.money(p.Receipt(), s.Lang), "Time": s.purchaseTime(p),
		"Taken": s.num(r.Taken), "Given": s.num(r.Given), "Refund": s.e.money(r.Refund, s.Lang),
		"Short": s.num(r.Short), "Kept": s.e.money(r.Short*s.e.Business.Program.PointValue, s.Lang)}
	text := s.T("return.confirm", data)
	if r.Short > 0 {
		text += "\n" + s.T("return.confirm.short", data)
	}
	s.Send(Reply{Text: text, Inline: [][]Button{
		{{Text: s.T("return.confirm.yes", nil), Data: s.cb(flowReturn, stepReturnConfirm, "yes")}},
		f.cancelRow(s),
	}})
	return nil
}

func (f returnFlow) Handle(s *Session) error {
	if s.leftStaffFlow(s.Staff.CanTakeReturns(&s.e.Business.Program), "staff.manager_only", "return.cancelled") {
		return nil
	}
	switch s.Conv.Step {
	case stepReturnPick:
		v, ok := tapped(s, "common.use_buttons")
		if !ok {
			return f.Ask(s)
		}
		if page, ok := storePage(v); ok {
			r, ok, err := f.pickReply(s, page)
			if err != nil {
				return err
			}
			if ok {
				s.Edit(r)
			}
			return nil
		}
		ids := strings.Split(s.Data("list"), ",")
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(ids) {
			return f.Ask(s)
		}
		s.SetData("purchase", ids[i])
		p, err := f.purchase(s)
		if err != nil {
			return err
		}
		if p.Cancelled() {
			// Cancelled or returned in full since the list was shown.
			s.Say("error.return.cancelled", nil)
			return f.Ask(s)
		}
		s.Edit(Reply{Text: s.T("return.pick.chosen", map[string]any{
			"Time": s.purchaseTime(p), "Amount": s.e.money(p.Receipt(), s.Lang)})})
		return s.Goto(stepReturnAmount)
	case stepReturnAmount:
		if s.In.Kind == InputCallback && s.tapValue() == "all" {
			p, err := f.purchase(s)
			if err != nil {
				return err
			}
			if p.Cancelled() {
				s.Leave()
				s.Say("error.return.cancelled", nil)
				return nil
			}
			s.SetData("amount", strconv.FormatInt(p.Amount, 10))
			return s.Goto(stepReturnConfirm)
		}
		return f.typed(s)
	case stepReturnConfirm:
		if s.In.Kind == InputText {
			// An amount typed again corrects the return, as at a checkout.
			return f.typed(s)
		}
		v, ok := tapped(s, "common.use_buttons")
		if !ok || v != "yes" {
			return f.Ask(s)
		}
		return f.confirm(s)
	}
	return nil
}

// typed takes an amount typed at the amount step, or at the confirmation
// to correct it: a bad one, or one over what is left of the purchase,
// is answered with the reason and the step asked again.
func (f returnFlow) typed(s *Session) error {
	if s.In.Kind != InputText {
		s.Say("return.amount.hint", nil)
		return f.Ask(s)
	}
	amount, err := domain.ParseAmount(s.In.Text, s.e.Business.Currency, s.e.Business.Program.MaxReceipt)
	if err != nil {
		return sayInvalid(s, err, f)
	}
	p, err := f.purchase(s)
	if err != nil {
		return err
	}
	if amount > p.Amount {
		s.Say("return.amount.too_much", map[string]any{"Left": s.e.money(p.Amount, s.Lang)})
		return f.Ask(s)
	}
	s.SetData("amount", strconv.FormatInt(amount, 10))
	return s.Goto(stepReturnConfirm)
}

// confirm records the return and shows what it did.
func (f returnFlow) confirm(s *Session) error {
	amount := s.dataInt("amount")
	res, err := s.e.Service.ReturnPurchase(s.Ctx, s.Tx, domain.ReturnRequest{
		PurchaseID: s.Data("purchase"), ShopID: s.Staff.ShopID, By: s.Staff, Source: domain.SourceBot,
		IdempotencyKey: "bot:" + s.Data("draft"), RequestHash: s.Data("purchase") + ":" + strconv.FormatInt(amount, 10),
		Amount: amount,
	})
	var v *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.Leave()
		s.Edit(Reply{Text: s.T("checkout.cancel_purchase.not_found", nil)})
		return nil
	case errors.As(err, &v) && v.Reason == "error.return.too_much":
		// Another return of the purchase came first: ask again.
		s.Say(v.Reason, nil)
		return s.Goto(stepReturnAmount)
	case errors.As(err, &v):
		s.Leave()
		s.Edit(Reply{Text: s.T(v.Reason, nil)})
		return nil
	case err != nil:
		return err
	}
	s.Leave()
	r, p := res.Return, res.Purchase
	name := ""
	if res.Customer != nil {
		name = res.Customer.FirstName
	}
	text := s.T("return.done", map[string]any{"Return": r.PublicID, "Name": orDash(name),
		"Amount": s.e.money(r.Amount, s.Lang), "Receipt": s.e.money(p.Receipt(), s.Lang),
		"Refund": s.e.money(r.Refund, s.Lang), "Taken": s.num(r.Taken - r.Short), "Given": s.num(r.Given),
		"Balance": s.num(res.Balance), "Count": res.Balance})
	if r.Short > 0 {
		text += "\n" + s.T("return.done.short", map[string]any{"Short": s.num(r.Short),
			"Kept": s.e.money(r.Short*s.e.Business.Program.PointValue, s.Lang)})
	}
	if res.WelcomeTaken > 0 {
		// The balance counts it: the points line adds up only with it named.
		text += "\n" + s.T("return.done.welcome", map[string]any{"Points": s.num(res.WelcomeTaken), "Count": res.WelcomeTaken})
	}
	if p.Cancelled() {
		text += "\n" + s.T("return.done.whole", nil)
	}
	s.Edit(Reply{Text: text})
	return nil // the customer is told by the reaction, the first time only
}

// returnedMark marks a purchase in the staff's lists: " (cancelled)", or
// " (returned 250 RUB)" when returns took part or all of it (a return,
// not a cancel, at the till); "" when it stands whole.
func (s *Session) returnedMark(p *domain.Purchase) string {
	switch {
	case p.Cancelled() && !p.ReturnedInFull():
		return " " + s.T("staff.purchases.cancelled", nil)
	case p.ReturnedAmount > 0:
		return " " + s.T("return.pick.returned", map[string]any{"Amount": s.e.money(p.ReturnedAmount, s.Lang)})
	}
	return ""
}

func init() { registerFlow(returnFlow{}) }
