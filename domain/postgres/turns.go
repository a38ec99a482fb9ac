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
// every member's update that asked before it. There is one turn fewer
// than connections: the statements outside a transaction (storing a
// batch of updates at intake, marking messages sent) always find one
// free, instead of queueing behind the transactions. With 500 members
// keeping the bot saturated and 50 cashiers at a till's pace, the
// cashiers' Confirm p99 went from 65-80 ms to 24 ms, the POS API's from
// 35-39 ms to 15-16 ms, the members' throughput within the noise
// (loadtest -chat -cashier-think 1s -pos-rate 100).
type turns struct {
	mu    sync.Mutex
	free  int
	first []chan struct{} // waiting, oldest first
	rest  []chan struct{}
}

func newTurns(n int) *turns { return &turns{free: max(n, 1)} }

// take waits for a turn, or for ctx to end.
func (t *turns) take(ctx context.Context, first bool) error {
	t.mu.Lock()
	if t.free > 0 {
		t.free--
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
		t.give() // handed over as ctx ended: pass it on
	}
	return ctx.Err()
}

// give passes the turn to the next waiting transaction, if any.
func (t *turns) give() {
	t.mu.Lock()
	var next chan struct{}
	switch {
	case len(t.first) > 0:
		next, t.first = t.first[0], t.first[1:]
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
