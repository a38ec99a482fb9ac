package flows

import (
	"slices"
	"testing"
)

// TestMenuOrderIsStable: the command menus are built from a map, so two
// commands of one menu with the same order must not swap places from one
// language's menu to the next or from one start to the next.
func TestMenuOrderIsStable(t *testing.T) {
	first := menuCommands(MenuCashier, MenuManager, MenuOwner, MenuCustomer)
	for range 200 {
		if got := menuCommands(MenuCashier, MenuManager, MenuOwner, MenuCustomer); !slices.Equal(got, first) {
			t.Fatalf("the menu's order changes between builds:\n%v\n%v", first, got)
		}
	}
}
