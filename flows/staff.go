package flows

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowStaff = "staff"

// Staff menu steps. Ids are stored in conversations: never rename one.
const (
	stepMenu   = "menu"   // the /staff menu
	stepStore  = "store"  // which store an invitee works at
	stepList   = "list"   // the staff list with revoke buttons
	stepRevoke = "revoke" // confirm a revocation
)

// staffFlow is the owners' and managers' /staff: invite, list, revoke,
// recent purchases.
type staffFlow struct{}

func (staffFlow) Name() string { return flowStaff }

// InviteLink is the deep link of an invitation.
func InviteLink(botUsername, token string) string {
	return DeepLink(botUsername, domain.StartInvite.Prefix()+token)
}

// acceptInvite makes the opener of an i_ link staff.
func acceptInvite(s *Session, token string) error {
	st, err := s.e.Service.AcceptInvite(s.Ctx, s.Tx, token, domain.Staff{
		TelegramID: s.In.User.ID, ChatID: s.In.ChatID, FirstName: s.In.User.FirstName,
	}, s.Staff)
	var v *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrInviteYours):
		s.Say("invite.yours", map[string]any{"Role": s.T("role."+string(st.Role), nil), "Store": s.storeName(st.ShopID)})
		return s.e.resume(s)
	case errors.Is(err, domain.ErrNotFound):
		s.Say("invite.invalid", nil)
		return s.e.resume(s)
	case errors.As(err, &v):
		s.Say(v.Reason, nil)
		return s.e.resume(s)
	case err != nil:
		return err
	}
	if prev := s.Staff; prev.Active() && st.ShopID != 0 && st.ShopID != prev.ShopID {
		// Moved to another store: an export of the old one still on its
		// way goes no further.
		if err := withdrawExports(s, st); err != nil {
			return err
		}
	}
	s.Staff = st
	s.Conv.Reset()
	welcome := "invite.accepted"
	if st.Role == domain.RoleOwner || st.Role == domain.RoleManager {
		welcome += "." + string(st.Role) // where they start: /staff, /stats, /help
	}
	s.Say(welcome, map[string]any{"Role": s.T("role.a."+string(st.Role), nil), "Store": s.storeName(st.ShopID)})
	menu := s.e.StaffMenu(s.Lang, st)
	s.Send(Reply{ChatCommands: &menu})
	return nil
}

// storeName names a store for people; 0 means every store.
func (s *Session) storeName(shopID int64) string {
	if shopID == 0 {
		return s.T("staff.all_stores", nil)
	}
	shop, err := s.Tx.FindShopByID(s.Ctx, shopID)
	if err != nil {
		return "?"
	}
	return shop.Name
}

// startStaff opens the /staff menu for owners and managers.
func startStaff(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	s.Conv.Reset()
	if err := s.Enter(flowStaff, stepMenu); err != nil {
		return err
	}
	// Its buttons work whatever the chat does next (staffMenuAction):
	// nothing is pending, so a command after it does not bring it again.
	s.Leave()
	return nil
}

func (staffFlow) Ask(s *Session) error {
	switch s.Conv.Step {
	case stepMenu:
		// Stateless buttons: the menu stays live after an invitation or
		// a look at the list, so the owner goes on from it (staffMenuAction).
		rows := [][]Button{
			{{Text: s.T("staff.menu.invite_cashier", nil), Data: action("staffmenu", "inv:cashier")}},
			{{Text: s.T("staff.menu.invite_manager", nil), Data: action("staffmenu", "inv:manager")}},
		}
		if s.Staff.Role == domain.RoleOwner {
			rows = append(rows, []Button{{Text: s.T("staff.menu.invite_owner", nil), Data: action("staffmenu", "inv:owner")}})
		}
		rows = append(rows,
			[]Button{{Text: s.T("staff.menu.list", nil), Data: action("staffmenu", "list")}},
			[]Button{{Text: s.T("staff.menu.purchases", nil), Data: action("staffmenu", "purchases")}},
		)
		s.Send(Reply{Text: s.T("staff.menu.ask", nil), Inline: rows})
	case stepStore:
		s.Send(staffStoreReply(s))
	case stepList:
		return listStaff(s)
	case stepRevoke:
		id, _ := strconv.ParseInt(s.Data("revoke"), 10, 64)
		other, err := s.Tx.FindStaffByID(s.Ctx, id)
		if err != nil {
			return err
		}
		s.Send(Reply{Text: s.T("staff.revoke.ask", map[string]any{"Name": other.FirstName, "Role": s.T("role."+string(other.Role), nil)}),
			Inline: [][]Button{{
				{Text: s.T("staff.revoke.yes", nil), Data: s.cb(flowStaff, stepRevoke, "yes")},
				{Text: s.T("staff.revoke.no", nil), Data: s.cb(flowStaff, stepRevoke, "no")},
			}}})
	}
	return nil
}

func (f staffFlow) Handle(s *Session) error {
	if !s.Staff.CanManage() {
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return f.Ask(s)
	}
	switch s.Conv.Step {
	case stepMenu:
		// A menu sent before its buttons were stateless.
		return f.menu(s, v)
	case stepStore:
		if page, ok := storePage(v); ok {
			s.SetData("spage", strconv.Itoa(page))
			s.Edit(staffStoreReply(s))
			return nil
		}
		shop, err := s.Tx.FindShopByCode(s.Ctx, v)
		if isNotFound(err) {
			return f.Ask(s) // a store gone from the config since
		} else if err != nil {
			return err
		}
		role, _ := domain.ParseRole(s.Data("role"))
		s.Edit(Reply{Text: s.T("staff.store.chosen", map[string]any{"Store": shop.Name})})
		return f.invite(s, role, shop.ID)
	case stepList:
		if p, ok := strings.CutPrefix(v, "page:"); ok {
			s.SetData("page", p)
			r, _, err := staffListReply(s)
			if err != nil {
				return err
			}
			s.Edit(r)
			return nil
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(v, "revoke:"), 10, 64)
		if err != nil {
			return f.Ask(s)
		}
		// Only someone they may revoke: no name of another store's staff
		// in a confirmation the revocation would refuse anyway.
		other, err := s.Tx.FindStaffByID(s.Ctx, id)
		if isNotFound(err) || err == nil && !s.Staff.CanRevoke(other) {
			s.Toast("error.stale_button")
			return nil
		} else if err != nil {
			return err
		}
		s.SetData("revoke", strconv.FormatInt(id, 10))
		s.SetData("revoke_v", strconv.FormatInt(other.Version, 10))
		s.Edit(Reply{Text: s.T("staff.list.header", nil)})
		return s.Goto(stepRevoke)
	case stepRevoke:
		id, _ := strconv.ParseInt(s.Data("revoke"), 10, 64)
		version := s.dataInt("revoke_v") // 0: asked before versions were kept
		s.Leave()
		if v != "yes" {
			s.Edit(Reply{Text: s.T("staff.revoke.kept", nil)})
			return nil
		}
		return f.revoke(s, id, version)
	}
	return f.Ask(s)
}

// staffMenuAction is a tap on the /staff menu. Its buttons are valid
// whatever the chat did since, so the menu still works after an
// invitation; the right is checked now.
func staffMenuAction(s *Session, v string) error {
	if !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	s.Conv.Reset()
	s.Conv.Flow, s.Conv.Step = flowStaff, stepMenu
	s.SetData(nonceKey, newNonce())
	return staffFlow{}.menu(s, v)
}

// menu acts on the /staff menu's button v; the menu itself stays.
func (f staffFlow) menu(s *Session, v string) error {
	switch {
	case strings.HasPrefix(v, "inv:"):
		role, ok := domain.ParseRole(strings.TrimPrefix(v, "inv:"))
		if !ok {
			return f.Ask(s)
		}
		s.SetData("role", string(role))
		if role == domain.RoleOwner || s.Staff.ShopID != 0 || len(s.e.Business.Stores) == 1 {
			shop := s.Staff.ShopID
			if role != domain.RoleOwner && shop == 0 {
				sh, err := s.Tx.FindShopByCode(s.Ctx, s.e.Business.Stores[0].Code)
				if err != nil {
					return err
				}
				shop = sh.ID
			}
			if role == domain.RoleOwner {
				shop = 0
			}
			return f.invite(s, role, shop)
		}
		return s.Goto(stepStore)
	case v == "list":
		return s.Goto(stepList)
	case v == "purchases":
		s.Leave()
		return listPurchases(s, 0, false)
	}
	return f.Ask(s)
}

// invite creates the link and shows it as text and QR, for the new person
// to open on their own phone.
func (staffFlow) invite(s *Session, role domain.Role, shopID int64) error {
	token, err := s.e.Service.Invite(s.Ctx, s.Tx, s.Staff, role, shopID)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Leave()
		s.Say(v.Reason, nil)
		return nil
	}
	if err != nil {
		return err
	}
	s.Leave()
	link := InviteLink(s.e.BotUsername, token)
	s.Send(Reply{QR: link, Text: s.T("staff.invite.created", map[string]any{
		"Role": s.T("role.a."+string(role), nil), "Store": s.storeName(shopID), "Link": link,
		"Hours": int(domain.InviteTTL / time.Hour),
	})})
	return nil
}

// staffPage is how many people one page of the staff list shows: a
// chain's list stays inside a Telegram message and its 100 buttons.
const staffPage = 20

func listStaff(s *Session) error {
	r, revocable, err := staffListReply(s)
	if err != nil {
		return err
	}
	s.Send(r)
	if !revocable {
		s.Leave()
	}
	return nil
}

// staffStoreReply asks which store an invitation is for, a page of the
// stores at a time.
func staffStoreReply(s *Session) Reply {
	return Reply{Text: s.T("staff.store.ask", nil), Inline: s.flowStoreRows(flowStaff, stepStore)}
}

// staffListReply is the page of the staff list the conversation is at
// ("page", from 0), with a Revoke button for each person on it whom the
// reader may revoke, and ◀ ▶ between pages. revocable says whether
// anyone on any page may be revoked.
func staffListReply(s *Session) (r Reply, revocable bool, err error) {
	staff, err := s.Tx.ListStaff(s.Ctx, s.Staff.ShopID)
	if err != nil {
		return Reply{}, false, err
	}
	for i := range staff {
		revocable = revocable || s.Staff.CanRevoke(&staff[i])
	}
	pages := max(1, (len(staff)+staffPage-1)/staffPage)
	page := min(max(int(s.dataInt("page")), 0), pages-1)
	var b strings.Builder
	b.WriteString(s.T("staff.list.header", nil))
	if pages > 1 {
		b.WriteString(" " + s.T("staff.list.page", map[string]any{"Page": page + 1, "Pages": pages}))
	}
	var rows [][]Button
	for _, st := range staff[page*staffPage : min(len(staff), (page+1)*staffPage)] {
		b.WriteString("\n" + s.T("staff.list.line", map[string]any{
			"Name": st.FirstName, "Role": s.T("role."+string(st.Role), nil), "Store": s.storeName(st.ShopID),
		}))
		if st.Unreachable {
			// Their alerts go nowhere: the owners should know.
			b.WriteString(" " + s.T("staff.list.unreachable", nil))
		}
		if s.Staff.CanRevoke(&st) {
			rows = append(rows, []Button{{
				Text: s.T("staff.list.revoke", map[string]any{"Name": st.FirstName}),
				Data: s.cb(flowStaff, stepList, "revoke:"+strconv.FormatInt(st.ID, 10)),
			}})
		}
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: s.T("staff.list.prev", nil), Data: s.cb(flowStaff, stepList, "page:"+strconv.Itoa(page-1))})
	}
	if page < pages-1 {
		nav = append(nav, Button{Text: s.T("staff.list.next", nil), Data: s.cb(flowStaff, stepList, "page:"+strconv.Itoa(page+1))})
	}
	if nav != nil {
		rows = append(rows, nav)
	}
	return Reply{Text: b.String(), Inline: rows}, revocable, nil
}

// revoke revokes staff member id, as of version (the record the
// question was about; 0: any).
func (staffFlow) revoke(s *Session, id, version int64) error {
	other, err := s.Tx.FindStaffByID(s.Ctx, id)
	if err != nil {
		return err
	}
	if !other.Active() {
		// Someone else revoked them since the question: they were told
		// then, and are not told again.
		s.Edit(Reply{Text: s.T("staff.revoke.already", map[string]any{"Name": other.FirstName})})
		return nil
	}
	other.Version = version
	var v *domain.ValidationError
	if err := s.e.Service.RevokeStaff(s.Ctx, s.Tx, s.Staff, other); errors.As(err, &v) {
		s.Edit(Reply{Text: s.T(v.Reason, map[string]any{"Name": other.FirstName})})
		return nil
	} else if err != nil {
		return err
	}
	if err := withdrawExports(s, other); err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("staff.revoke.done", map[string]any{"Name": other.FirstName})})
	// Tell them, and take the staff commands off their menu.
	lang := s.e.staffLang(s.Ctx, s.Tx, other)
	none := []Command{}
	// Their own card "still works" only when they have one.
	notice := "staff.revoke.notice_no_card"
	c, err := s.Tx.FindCustomerByTelegramID(s.Ctx, other.TelegramID)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if err == nil && c.Member() && !c.Erased {
		notice = "staff.revoke.notice"
	}
	s.Send(Reply{ChatID: other.ChatID, Text: s.e.translate(s.e.localizer(lang), notice, nil)})
	s.Send(Reply{ChatID: other.ChatID, ChatCommands: &none})
	return nil
}

// recentPage is how many purchases one page of Recent purchases shows.
const recentPage = 10

// listPurchases shows the last day's purchases of the manager's store with
// a cancel button each, a page at a time (◀ ▶ between pages, edited in
// place when edit), and under the first page the prizes given, each with
// its own.
func listPurchases(s *Session, page int, edit bool) error {
	page = max(page, 0)
	ps, err := s.Tx.ListRecentPurchases(s.Ctx, s.Staff.ShopID, s.e.Now().Add(-domain.CancelWindow), (page+1)*recentPage+1)
	if err != nil {
		return err
	}
	more := len(ps) > (page+1)*recentPage
	ps = ps[min(len(ps), page*recentPage):min(len(ps), (page+1)*recentPage)]
	if len(ps) == 0 {
		s.Say("staff.purchases.none", nil)
		return listPrizes(s)
	}
	var b strings.Builder
	b.WriteString(s.T("staff.purchases.header", nil))
	var rows [][]Button
	for _, p := range ps {
		loc, err := s.clockOf(p.ShopID) // the store's clock, as its cashier's /today
		if err != nil {
			return err
		}
		state := s.returnedMark(&p.Purchase)
		by := p.StaffName
		if by == "" {
			by = s.T("staff.purchases.by_pos", nil)
		}
		data := map[string]any{
			"Time": p.CreatedAt.In(loc).Format("15:04"), "Purchase": p.PublicID, "Amount": s.e.money(p.Amount, s.Lang),
			"Earned": s.num(p.Earned), "Redeemed": s.num(p.Redeemed), "Customer": orDash(p.CustomerName), "By": by,
		}
		b.WriteString("\n" + s.T("staff.purchases.line", data) + state)
		if !p.Cancelled() {
			rows = append(rows, []Button{{Text: s.T("staff.purchases.cancel", withShortName(data)), Data: action("cancelask", p.PublicID)}})
		}
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: s.T("staff.list.prev", nil), Data: action("rpurch", strconv.Itoa(page-1))})
	}
	if more {
		nav = append(nav, Button{Text: s.T("staff.list.next", nil), Data: action("rpurch", strconv.Itoa(page+1))})
	}
	if nav != nil {
		rows = append(rows, nav)
	}
	if edit {
		s.Edit(Reply{Text: b.String(), Inline: rows})
		return nil
	}
	s.Send(Reply{Text: b.String(), Inline: rows})
	return listPrizes(s)
}

// recentPurchasesAction turns a page of Recent purchases, for someone who
// may still cancel them.
func recentPurchasesAction(s *Session, value string) error {
	page, err := strconv.Atoi(value)
	if err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	return listPurchases(s, page, true)
}

// clockOf is the time zone of store shopID (0: the staff member's): a
// chain's owner reads each store's purchases at that store's clock.
func (s *Session) clockOf(shopID int64) (*time.Location, error) {
	if shopID == 0 {
		return staffLocation(s), nil
	}
	_, loc, err := s.e.Service.Shop(s.Ctx, s.Tx, shopID)
	return loc, err
}

// listPrizes shows the last day's prizes of the manager's store, if any,
// with a cancel button each: a cashier's mistake is the manager's to undo.
func listPrizes(s *Session) error {
	ps, err := s.Tx.RecentPrizes(s.Ctx, s.Staff.ShopID, s.e.Now().Add(-domain.CancelWindow), 10)
	if err != nil || len(ps) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(s.T("staff.prizes.header", nil))
	var rows [][]Button
	for _, p := range ps {
		loc, err := s.clockOf(p.ShopID)
		if err != nil {
			return err
		}
		by := p.StaffName
		if by == "" {
			by = s.T("staff.purchases.by_pos", nil)
		}
		data := map[string]any{"Time": p.CreatedAt.In(loc).Format("15:04"), "Customer": orDash(p.CustomerName),
			"Title": s.prizeTitle(p.Reward), "Points": s.prizePrice(&p.Prize), "By": by}
		line := s.T("staff.prizes.line", data)
		if p.Cancelled() {
			line += " " + s.T("staff.purchases.cancelled", nil)
		} else {
			rows = append(rows, []Button{{Text: s.T("staff.prizes.cancel", withShortName(data)), Data: action("prizeask", p.PublicID)}})
		}
		b.WriteString("\n" + line)
	}
	s.Send(Reply{Text: b.String(), Inline: rows})
	return nil
}

func init() {
	registerFlow(staffFlow{})
	registerCommand("staff", MenuManager, 10, startStaff)
	registerAction("rpurch", recentPurchasesAction)
	registerAction("staffmenu", staffMenuAction)
}

// buttonNameRunes is the most of a customer's name a button label shows:
// with the time and the amount it stays within what a phone shows of a
// button.
const buttonNameRunes = 12

// withShortName is data with its Customer cut to buttonNameRunes (an
// ellipsis marks the cut), for a button's label; the line above it has
// the whole name.
func withShortName(data map[string]any) map[string]any {
	name, _ := data["Customer"].(string)
	if r := []rune(name); len(r) > buttonNameRunes {
		out := maps.Clone(data)
		out["Customer"] = string(r[:buttonNameRunes-1]) + "…"
		return out
	}
	return data
}
