package postgres

import (
	"context"
	"testing"
	"time"
)

// waitFor polls cond under the turns' lock (a guard against hanging, not
// a measure of time).
func waitFor(t *testing.T, tu *turns, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tu.mu.Lock()
		ok := cond()
		tu.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("waiters never queued")
		}
		time.Sleep(time.Millisecond)
	}
}

// waiter returns a transaction that waits for its turn, says its name
// on order once it has it and, with done, gives the turn back.
func waiter(t *testing.T, tu *turns, order chan<- string, done bool) func(name string, first bool) {
	return func(name string, first bool) {
		if err := tu.take(t.Context(), first); err != nil {
			t.Error(err)
			return
		}
		order <- name
		if done {
			tu.give(first)
		}
	}
}

// TestTurnsServeTheTillFirst: with every connection in use, a
// transaction marked domain.First that asked last gets the next one; the
// others keep their order; one whose caller gave up leaves the queue
// without taking a turn with it.
func TestTurnsServeTheTillFirst(t *testing.T) {
	ctx := t.Context()
	tu := newTurns(1)
	if err := tu.take(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 3)
	wait := waiter(t, tu, order, true)
	go wait("member 1", false)
	waitFor(t, tu, func() bool { return len(tu.rest) == 1 })
	go wait("member 2", false)
	waitFor(t, tu, func() bool { return len(tu.rest) == 2 })
	gaveUp, cancel := context.WithCancel(ctx)
	errs := make(chan error, 1)
	go func() { errs <- tu.take(gaveUp, true) }()
	waitFor(t, tu, func() bool { return len(tu.first) == 1 })
	cancel()
	if err := <-errs; err == nil {
		t.Fatal("a waiter whose context ended got a turn")
	}
	go wait("cashier", true)
	waitFor(t, tu, func() bool { return len(tu.first) == 1 })
	tu.give(false)
	for i, want := range []string{"cashier", "member 1", "member 2"} {
		if got := <-order; got != want {
			t.Fatalf("turn %d went to %s, want %s", i+1, got, want)
		}
	}
	waitFor(t, tu, func() bool { return tu.free == 1 && len(tu.first)+len(tu.rest) == 0 })
}

// TestTurnsLeaveTheMembersHalf: First transactions take every free turn
// while nobody else waits, but once members wait, a turn a cashier gives
// back goes to a member while cashiers hold half of the turns: a flood
// of register requests slows the members down, never stops them.
func TestTurnsLeaveTheMembersHalf(t *testing.T) {
	ctx := t.Context()
	tu := newTurns(4) // share 2
	for range 4 {
		if err := tu.take(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	order := make(chan string, 4)
	wait := waiter(t, tu, order, false)
	go wait("member", false)
	waitFor(t, tu, func() bool { return len(tu.rest) == 1 })
	go wait("cashier 5", true)
	waitFor(t, tu, func() bool { return len(tu.first) == 1 })
	tu.give(true) // 3 cashiers in, over their share: the member's turn
	if got := <-order; got != "member" {
		t.Fatalf("with cashiers over their share, the turn went to %s", got)
	}
	go wait("member 2", false)
	waitFor(t, tu, func() bool { return len(tu.rest) == 1 })
	tu.give(true) // 2 cashiers in: at their share, so still a member's
	if got := <-order; got != "member 2" {
		t.Fatalf("with cashiers at their share, the turn went to %s", got)
	}
	go wait("member 3", false)
	waitFor(t, tu, func() bool { return len(tu.rest) == 1 })
	tu.give(true) // 1 cashier in: under their share, the cashier's
	if got := <-order; got != "cashier 5" {
		t.Fatalf("with cashiers under their share, the turn went to %s", got)
	}
	tu.give(false)
	if got := <-order; got != "member 3" {
		t.Fatalf("the last turn went to %s", got)
	}
	tu.mu.Lock()
	defer tu.mu.Unlock()
	if tu.firstIn != 2 || tu.free != 0 || len(tu.first)+len(tu.rest) != 0 {
		t.Errorf("cashiers in %d (want 2), free %d (want 0), waiting %d", tu.firstIn, tu.free, len(tu.first)+len(tu.rest))
	}
}
