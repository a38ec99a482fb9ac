package flows

// Command is a bot command with its description in one language.
type Command struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// StaffMenu is the command menu of a staff member's chat, in lang.
func (e *Engine) StaffMenu(lang string, manage bool) []Command {
	loc := e.localizer(lang)
	menus := []Menu{MenuCashier, MenuCustomer}
	if manage {
		menus = append(menus, MenuManager)
	}
	names := menuCommands(menus...)
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
	names := menuCommands(MenuCustomer)
	out := make([]Command, 0, len(names))
	for _, c := range names {
		out = append(out, Command{Name: c, Description: e.translate(loc, "command."+c, nil)})
	}
	return out
}
