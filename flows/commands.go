package flows

import (
	"slices"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Command is a bot command with its description in one language.
type Command struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// StaffMenu is the command menu of a staff member's chat, in lang: the
// commands their role may run (staffMenus), so nobody is offered one that
// only answers "not for you".
func (e *Engine) StaffMenu(lang string, st *domain.Staff) []Command {
	loc := e.localizer(lang)
	names := e.offered(menuCommands(staffMenus(st)...))
	out := make([]Command, 0, len(names))
	for _, c := range names {
		out = append(out, Command{Name: c, Description: e.translate(loc, "command."+c, nil)})
	}
	return out
}

// Commands lists the customer commands with descriptions in lang, for
// setMyCommands.
func (e *Engine) Commands(lang string) []Command {
	loc := e.localizer(lang)
	names := e.offered(menuCommands(MenuCustomer))
	out := make([]Command, 0, len(names))
	for _, c := range names {
		out = append(out, Command{Name: c, Description: e.translate(loc, "command."+c, nil)})
	}
	return out
}

// Languages are the languages the message files hold, offered or not:
// the adapter clears the command menus of those the business no longer
// offers.
func (e *Engine) Languages() []string {
	var out []string
	for _, t := range e.Bundle.LanguageTags() {
		out = append(out, t.String())
	}
	return out
}

// offered drops from names the commands the business does not offer
// (isOffered).
func (e *Engine) offered(names []string) []string {
	return slices.DeleteFunc(names, func(c string) bool { return !e.isOffered(c) })
}

// isOffered says whether a menu or /help offers the command: /language
// needs a second language, /top the leaderboard, /invite the invite
// program, /badges a badge switched on; otherwise a tap would only
// answer that there is nothing of it here.
func (e *Engine) isOffered(name string) bool {
	g := &e.Business.Gamification
	switch name {
	case "language":
		return e.choosesLanguage()
	case "top":
		return g.Leaderboard.Enabled
	case "invite":
		return g.Referral.Enabled
	case "badges":
		return e.Service.OffersBadges()
	}
	return true
}

// choosesLanguage says whether the business offers more than one
// language, so that /language has something to offer.
func (e *Engine) choosesLanguage() bool { return len(e.Business.Languages) > 1 }

// staffMenus are the menus whose commands st may run: the register's for
// every active staff member, the managers' for owners and managers, the
// owners' for owners (the same checks the commands make).
func staffMenus(st *domain.Staff) []Menu {
	menus := []Menu{MenuCashier, MenuCustomer}
	if st.CanManage() {
		menus = append(menus, MenuManager)
		if st.Role == domain.RoleOwner {
			menus = append(menus, MenuOwner)
		}
	}
	return menus
}
