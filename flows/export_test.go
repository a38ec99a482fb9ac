package flows

import "sort"

// RegisteredCommands lists every /command the flow files registered, so a
// test can try them all (a new one is tried without touching the test).
func RegisteredCommands() []string {
	var names []string
	for n := range registry.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RegisteredActions lists every stateless button's name.
func RegisteredActions() []string {
	var names []string
	for n := range registry.actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RegisteredFlows lists every flow's name.
func RegisteredFlows() []string {
	var names []string
	for n := range registry.flows {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
