package postgres

import (
	"context"
	"slices"
	"sync"
)

// turns hands out the pool's connections to transactions (DB.update),
// those marked domain.First (a cashier's update, a register's request)
// before the others. pgxpool serves whoever asked first: with 64 chats'
// workers waiting for 8 connections, a cashier's Confirm waited behind
// every member's update that asked before it.
//
// There is one turn fewer than connections: the statements outside a
// transaction (storing a batch of updates at intake, marking messages
// sent) always find one free instead of queueing behind the
// transactions. And First goes first only up to half of the turns while
// others wait: a POS integration stuck in a loop, or fifty cashiers
// checking out as fast as the bot answers, slow the members down but
// never stop them (nothing stops intake).
type turns struct {
	mu      sync.Mutex
	free    int
	firstIn int             // turns held by First transactions
	share   int             // what First holds at most while others wait
	first   []chan struct{} // waiting, oldest first
	rest    []chan struct{}
}

func newTurns(n int) *turns {
	n = max(n, 1)
	return &turns{free: n, share: max(n/2, 1)}
}

// firstMay says whether a First transaction may have the next turn.
func (t *turns) firstMay() bool { return t.firstIn < t.share || len(t.rest) == 0 }

// take waits for a turn, or for ctx to end. A free turn means nobody
// waits (give hands turns over before it frees one).
func (t *turns) take(ctx context.Context, first bool) error {
	t.mu.Lock()
	if t.free > 0 {
		t.free--
		if first {
			t.firstIn++
		}
		t.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	if first {
		t.first = append(t.first, turn)
	} else {
		t.rest = append(t.rest, turn)
	}
	t.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	t.mu.Lock()
	waiting := false
	if i := slices.Index(t.first, turn); i >= 0 {
		t.first, waiting = slices.Delete(t.first, i, i+1), true
	} else if i := slices.Index(t.rest, turn); i >= 0 {
		t.rest, waiting = slices.Delete(t.rest, i, i+1), true
	}
	t.mu.Unlock()
	if !waiting {
		t.give(first) // handed over as ctx ended: pass it on
	}
	return ctx.Err()
}

// give ends a turn taken with take(first) and hands it to the next
// waiting transaction, if any.
func (t *turns) give(first bool) {
	t.mu.Lock()
	if first {
		t.firstIn--
	}
	var next chan struct{}
	switch {
	case len(t.first) > 0 && t.firstMay():
		next, t.first = t.first[0], t.first[1:]
		t.firstIn++
	case len(t.rest) > 0:
		next, t.rest = t.rest[0], t.rest[1:]
	default:
		t.free++
	}
	t.mu.Unlock()
	if next != nil {
		close(next)
	}
}
