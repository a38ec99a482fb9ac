package flows

import (
	"fmt"
	"sort"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Menu says whose command menu lists a command.
type Menu int

// Menus, from the widest audience to the narrowest.
const (
	MenuNone     Menu = iota // handled, but listed in no menu
	MenuCustomer             // every chat's menu
	MenuCashier              // staff chats (cashiers and up)
	MenuManager              // owners' and managers' chats
	MenuOwner                // owners' chats only
)

// command is a chat command a flow file registers. Order places it in its
// menu; run does the job (and checks the person's right to it).
type command struct {
	name  string
	menu  Menu
	order int
	run   func(s *Session) error
	reads domain.ChatReads // read along with the chat (readsAlong)
}

// registry holds what the flow files register in their init functions, so
// adding a flow is one new file (plus its messages): the engine, the
// router and the command menus read it, and list no flow by name.
var registry = struct {
	flows    map[string]Flow
	commands map[string]command
	actions  map[string]actionFunc
}{
	flows:    map[string]Flow{},
	commands: map[string]command{},
	actions:  map[string]actionFunc{},
}

// actionFunc is a registered stateless button.
type actionFunc struct {
	run func(s *Session, value string) error
	// view: it only shows the person their own things, so it also takes
	// a button sent before buttons were signed (registerViewAction).
	view  bool
	reads domain.ChatReads // read along with the chat (readsAlong)
}

// registerFlow adds a conversation; its Name is stored in conversation
// rows, so it never changes.
func registerFlow(f Flow) {
	if strings.HasPrefix(f.Name(), "x") {
		// Callback data starting with "x" is a stateless button's.
		panic(fmt.Sprintf("flows: flow %q: a flow name must not start with x", f.Name()))
	}
	if _, dup := registry.flows[f.Name()]; dup {
		panic(fmt.Sprintf("flows: flow %q registered twice", f.Name()))
	}
	registry.flows[f.Name()] = f
}

// registerCommand adds a /command. Its menu description is the message
// "command.<name>".
func registerCommand(name string, menu Menu, order int, run func(s *Session) error) {
	if _, dup := registry.commands[name]; dup {
		panic(fmt.Sprintf("flows: command /%s registered twice", name))
	}
	registry.commands[name] = command{name: name, menu: menu, order: order, run: run}
}

// registerAction adds a stateless button ("x:<name>:<value>"), valid
// whatever the chat is doing. The router runs it only for data the bot
// signed for the chat (SignButtons), but run must still check that the
// person may do it now: a button sent yesterday to a manager since
// removed is genuine, and proves nothing about today.
func registerAction(name string, run func(s *Session, value string) error) {
	addAction(name, actionFunc{run: run})
}

// registerViewAction adds a stateless button that only shows the person
// their own things (their card, their badges). It also takes a button
// without a MAC, from a message sent before buttons were signed: a forged
// one gets nothing a command would not show them.
func registerViewAction(name string, run func(s *Session, value string) error) {
	addAction(name, actionFunc{run: run, view: true})
}

// readsAlong says that the registered /command and action name (either
// may be "") start with the reads r, which the chat's opening then makes
// along with it (domain.ChatReads): a round trip less for them.
func readsAlong(commandName, actionName string, r domain.ChatReads) {
	if commandName != "" {
		c, ok := registry.commands[commandName]
		if !ok {
			panic(fmt.Sprintf("flows: reads along for /%s, which is not registered", commandName))
		}
		c.reads |= r
		registry.commands[commandName] = c
	}
	if actionName != "" {
		a, ok := registry.actions[actionName]
		if !ok {
			panic(fmt.Sprintf("flows: reads along for action %q, which is not registered", actionName))
		}
		a.reads |= r
		registry.actions[actionName] = a
	}
}

// readsFor is what the handler of in starts with (readsAlong).
func readsFor(in Input) domain.ChatReads {
	switch in.Kind {
	case InputCommand:
		return registry.commands[in.Command].reads
	case InputCallback:
		if in.Callback == nil {
			return 0
		}
		if name, _, _, _, ok := parseAction(in.Callback.Data); ok {
			return registry.actions[name].reads
		}
	}
	return 0
}

func addAction(name string, a actionFunc) {
	if _, dup := registry.actions[name]; dup {
		panic(fmt.Sprintf("flows: action %q registered twice", name))
	}
	registry.actions[name] = a
}

// membersOnly wraps a command for joined customers: anyone else is asked
// to join first, and nothing they were doing is lost.
func membersOnly(run func(s *Session) error) func(s *Session) error {
	return func(s *Session) error {
		if s.Customer.Member() {
			return run(s)
		}
		s.Say("common.join_first", nil)
		if s.Conv.Flow == "" {
			return startOnboarding(s, noPayload)
		}
		return s.e.resume(s)
	}
}

// menuCommands lists the commands of the given menus, in menu order.
func menuCommands(menus ...Menu) []string {
	var cs []command
	for _, c := range registry.commands {
		for _, m := range menus {
			if c.menu == m {
				cs = append(cs, c)
			}
		}
	}
	// Staff commands first (the register's, the manager's, the owner's),
	// then the customer's, each in its own order.
	rank := map[Menu]int{MenuCashier: 0, MenuManager: 1, MenuOwner: 2, MenuCustomer: 3}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].menu != cs[j].menu {
			return rank[cs[i].menu] < rank[cs[j].menu]
		}
		if cs[i].order != cs[j].order {
			return cs[i].order < cs[j].order
		}
		return cs[i].name < cs[j].name // the same order: by name, the same in every build
	})
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	return names
}
