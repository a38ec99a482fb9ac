package flows

// Command is a bot command with its description in one language.
type Command struct {
	Name        string
	Description string
}

// customerCommands are the commands every customer sees, in menu order.
var customerCommands = []string{"card", "balance", "help", "language", "start"}

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
