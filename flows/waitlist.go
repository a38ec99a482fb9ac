package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowWaitlist = "waitlist"

// Waitlist steps. Ids are stored in conversations: never rename one.
const (
	stepWaitName    = "name"    // the open lists, and the name of a new one
	stepWaitPhoto   = "photo"   // an optional photo of the item
	stepWaitRestock = "restock" // confirm "back in stock"
)

// waitlistFlow is staff's /waitlist: "tell me when it is back" lists for
// items that ran out. Any staff member makes one (name, optional photo)
// and gets its deep link and QR for the door or the shelf; the same
// screen lists the open lists with how many wait, and whoever may close
// one (domain.Staff.CanCloseWaitlist) marks it back in stock.
type waitlistFlow struct{}

func (waitlistFlow) Name() string { return flowWaitlist }

// WaitlistLink is the deep link customers open to join a waitlist.
func WaitlistLink(botUsername, code string) string {
	return DeepLink(botUsername, domain.StartWaitlist.Prefix()+code)
}

// startWaitlist opens /waitlist for staff.
func startWaitlist(s *Session) error {
	if !s.Staff.CanCheckout() {
		s.Say("staff.only", nil)
		return s.e.resume(s)
	}
	s.Conv.Reset()
	return s.Enter(flowWaitlist, stepWaitName)
}

func (waitlistFlow) Ask(s *Session) error {
	switch s.Conv.Step {
	case stepWaitName:
		return askWaitlistName(s)
	case stepWaitPhoto:
		s.Send(Reply{Text: s.T("waitlist.photo.ask", map[string]any{"Name": s.Data("wname")}),
			Inline: [][]Button{{{Text: s.T("waitlist.photo.skip", nil), Data: s.cb(flowWaitlist, stepWaitPhoto, "skip")}}}})
	case stepWaitRestock:
		id, _ := strconv.ParseInt(s.Data("restock"), 10, 64)
		w, err := s.Tx.LockWaitlist(s.Ctx, id)
		if err != nil {
			return err
		}
		told, err := s.Tx.ListWaitingCustomers(s.Ctx, w.ID)
		if err != nil {
			return err
		}
		s.Send(Reply{Text: s.T("waitlist.restock.ask", map[string]any{"Name": w.Name, "Count": len(told)}),
			Inline: [][]Button{{
				{Text: s.T("waitlist.restock.yes", nil), Data: s.cb(flowWaitlist, stepWaitRestock, "yes")},
				{Text: s.T("waitlist.restock.no", nil), Data: s.cb(flowWaitlist, stepWaitRestock, "no")},
			}}})
	default:
		return fmt.Errorf("waitlist: unknown step %q", s.Conv.Step)
	}
	return nil
}

// waitlistsPerPage is how many open lists one page of /waitlist shows: a
// shop with many would pass a message's 4,096 characters and its 100
// buttons.
const waitlistsPerPage = 15

// askWaitlistName shows the open lists of the person's store, a "back in
// stock" button on each they may close, and asks for a new item's name.
func askWaitlistName(s *Session) error {
	r, err := waitlistReply(s)
	if err != nil {
		return err
	}
	s.Send(r)
	return nil
}

// waitlistReply is the page of the open lists the conversation is at
// ("wpage", from 0), with ◀ ▶ between pages, and the question for a new
// item's name under them.
func waitlistReply(s *Session) (Reply, error) {
	lists, err := s.Tx.ListOpenWaitlists(s.Ctx, s.Staff.ShopID)
	if err != nil {
		return Reply{}, err
	}
	var b strings.Builder
	var rows [][]Button
	if len(lists) > 0 {
		pages := (len(lists) + waitlistsPerPage - 1) / waitlistsPerPage
		page := min(max(int(s.dataInt("wpage")), 0), pages-1)
		b.WriteString(s.T("waitlist.list.header", nil))
		if pages > 1 {
			b.WriteString(" " + s.T("staff.list.page", map[string]any{"Page": page + 1, "Pages": pages}))
		}
		for _, w := range lists[page*waitlistsPerPage : min(len(lists), (page+1)*waitlistsPerPage)] {
			b.WriteString("\n" + s.T("waitlist.list.line", map[string]any{"Name": w.Name, "Count": w.Waiting}))
			if s.Staff.CanCloseWaitlist(&w) {
				rows = append(rows, []Button{{Text: s.T("waitlist.restock.button", map[string]any{"Name": w.Name}),
					Data: s.cb(flowWaitlist, stepWaitName, "r:"+strconv.FormatInt(w.ID, 10))}})
			}
		}
		nav := s.pageNav(page, pages, func(page int) string {
			return s.cb(flowWaitlist, stepWaitName, storePagePrefix+strconv.Itoa(page))
		})
		if nav != nil {
			rows = append(rows, nav)
		}
		b.WriteString("\n\n")
	}
	b.WriteString(s.T("waitlist.name.ask", nil))
	return Reply{Text: b.String(), Inline: rows}, nil
}

func (f waitlistFlow) Handle(s *Session) error {
	if !s.Staff.CanCheckout() {
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	switch s.Conv.Step {
	case stepWaitName:
		return f.name(s)
	case stepWaitPhoto:
		return f.photo(s)
	case stepWaitRestock:
		return f.restock(s)
	}
	return fmt.Errorf("waitlist: unknown step %q", s.Conv.Step)
}

func (f waitlistFlow) name(s *Session) error {
	switch s.In.Kind {
	case InputCallback:
		if page, ok := storePage(s.tapValue()); ok {
			s.SetData("wpage", strconv.Itoa(page))
			r, err := waitlistReply(s)
			if err != nil {
				return err
			}
			s.Edit(r)
			return nil
		}
		id, ok := strings.CutPrefix(s.tapValue(), "r:")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			return f.Ask(s)
		}
		// A flow button's value is the client's to change: only a list
		// the person may close (one of their store) is asked about, or
		// another store's list would be named and counted to them.
		w, err := s.Tx.LockWaitlist(s.Ctx, n)
		if isNotFound(err) || err == nil && !s.Staff.CanCloseWaitlist(w) {
			s.Toast("error.stale_button")
			return f.Ask(s)
		} else if err != nil {
			return err
		}
		s.SetData("restock", id)
		return s.Goto(stepWaitRestock)
	case InputText:
		name, err := domain.ParseWaitlistName(s.In.Text)
		if err != nil {
			return sayInvalid(s, err, f)
		}
		s.SetData("wname", name)
		return s.Goto(stepWaitPhoto)
	}
	s.Say("waitlist.name.hint", nil)
	return f.Ask(s)
}

func (f waitlistFlow) photo(s *Session) error {
	switch {
	case s.In.Kind == InputPhoto:
		return createWaitlist(s, s.In.Photo)
	case s.In.Kind == InputCallback && s.tapValue() == "skip":
		s.Edit(Reply{Text: s.T("waitlist.photo.skipped", nil)})
		return createWaitlist(s, "")
	}
	s.Say("waitlist.photo.hint", nil)
	return f.Ask(s)
}

// createWaitlist makes the list and hands over its link and QR.
func createWaitlist(s *Session, photoID string) error {
	w, err := s.e.Service.CreateWaitlist(s.Ctx, s.Tx, s.Staff, s.Data("wname"), photoID)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Say(v.Reason, nil)
		return s.Goto(stepWaitName)
	}
	if err != nil {
		return err
	}
	s.Leave()
	link := WaitlistLink(s.e.BotUsername, w.Code)
	s.Send(Reply{QR: link, Text: s.T("waitlist.created", map[string]any{"Name": w.Name, "Link": link})})
	return nil
}

func (f waitlistFlow) restock(s *Session) error {
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return f.Ask(s)
	}
	id, _ := strconv.ParseInt(s.Data("restock"), 10, 64)
	s.Leave()
	if v != "yes" {
		s.Edit(Reply{Text: s.T("waitlist.restock.kept", nil)})
		return nil
	}
	w, err := s.e.Service.RestockWaitlist(s.Ctx, s.Tx, s.Staff, id)
	var bad *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrConflict):
		s.Edit(Reply{Text: s.T("waitlist.restock.already", map[string]any{"Name": w.Name})})
		return nil
	case errors.As(err, &bad):
		s.Edit(Reply{Text: s.T(bad.Reason, nil)})
		return nil
	case err != nil:
		return err
	}
	// Those the restock's message goes to: a member who blocked the bot
	// waits on the list but is not told.
	told, err := s.Tx.ListWaitingCustomers(s.Ctx, w.ID)
	if err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("waitlist.restock.done", map[string]any{"Name": w.Name, "Count": len(told)})})
	return nil
}

// openWaitlist handles a w_ link. A member goes on the list at once;
// anyone else is told what the link is for and joins the program first,
// with the list remembered in the conversation (onboarding's finish puts
// them on it), the way a store link is remembered.
func openWaitlist(s *Session, p domain.StartPayload) error {
	if s.Customer.Member() {
		if err := joinWaitlist(s, p.Value); err != nil {
			return err
		}
		return s.e.resume(s)
	}
	w, err := s.Tx.FindWaitlistByCode(s.Ctx, p.Value)
	switch {
	case isNotFound(err):
		s.Say("waitlist.invalid", nil)
		p = noPayload
	case err != nil:
		return err
	case w.Closed():
		s.Say("waitlist.closed", map[string]any{"Name": w.Name})
		p = noPayload
	default:
		s.Say("waitlist.join_first", map[string]any{"Name": w.Name})
	}
	if s.Conv.Flow == flowOnboarding {
		if p.Kind == domain.StartWaitlist {
			s.SetData("waitlist", p.Value)
		}
		s.Say("onboarding.resume", nil)
		return s.e.resume(s)
	}
	if s.Conv.Flow != "" && s.Staff.CanCheckout() {
		return s.e.resume(s) // a staff step half way (a checkout) stays
	}
	return startOnboarding(s, p)
}

// joinWaitlist puts the member on the list with this code and says so.
func joinWaitlist(s *Session, code string) error {
	w, res, err := s.e.Service.JoinWaitlist(s.Ctx, s.Tx, code, s.Customer)
	switch {
	case isNotFound(err):
		s.Say("waitlist.invalid", nil)
		return nil
	case err != nil:
		return err
	}
	id := map[domain.WaitlistJoin]string{
		domain.WaitlistJoined: "waitlist.joined", domain.WaitlistAlready: "waitlist.already", domain.WaitlistClosed: "waitlist.closed",
	}[res]
	s.Say(id, map[string]any{"Name": w.Name})
	return nil
}

// notifyRestocked tells everyone waiting that the item is back: one
// message each, through the outbox. It is a service message (they asked
// for it), so marketing consent and topics do not apply.
func (e *Engine) notifyRestocked(ctx context.Context, tx domain.Tx, w *domain.Waitlist) error {
	waiting, err := tx.ListWaitingCustomers(ctx, w.ID)
	if err != nil {
		return err
	}
	for _, c := range waiting {
		lang := e.Business.Language(c.Language, "")
		text := e.translate(e.localizer(lang), "waitlist.back", map[string]any{"Name": w.Name, "Business": e.Business.Name})
		if err := e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: text, Photo: w.PhotoID}); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	registerFlow(waitlistFlow{})
	registerCommand("waitlist", MenuCashier, 20, startWaitlist)
}
