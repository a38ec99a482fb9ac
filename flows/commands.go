package flows

// Command is a bot command with its description in one language.
type Command struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// customerCommands are the commands every customer sees, in menu order.
var customerCommands = []string{"card", "balance", "profile", "privacy", "help", "language", "start"}

// staffCommands are added to a staff member's own menu.
var staffCommands = []string{"scan"}

// managerCommands are added for owners and managers.
var managerCommands = []string{"staff"}

// StaffMenu is the command menu of a staff member's chat, in lang.
func (e *Engine) StaffMenu(lang string, manage bool) []Command {
	loc := e.localizer(lang)
	names := append([]string{}, staffCommands...)
	if manage {
		names = append(names, managerCommands...)
	}
	names = append(names, customerCommands...)
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
	out := make([]Command, 0, len(customerCommands))
	for _, c := range customerCommands {
		out = append(out, Command{Name: c, Description: e.translate(loc, "command."+c, nil)})
	}
	return out
}
