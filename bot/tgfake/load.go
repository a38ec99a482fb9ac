package tgfake

import (
	"context"
	"errors"
)

// WithBoundedMemory keeps the fake's memory flat over a long load run
// (loyaltybot loadtest -chat): each chat keeps only its last keep
// messages and callback answers, and the fake forgets its call log
// (Calls returns nothing), the bodies of queued updates (Resend panics)
// and answered callback queries, and of an uploaded photo it keeps only
// the first boundedPhoto bytes (a PNG's signature and header): the
// photos among the last messages of 500 chats were a third of the
// process's live heap at the end of a load run, which the run's memory
// figures then counted as the bot's. Tests that look back keep the
// default, which keeps everything.
func WithBoundedMemory(keep int) Option {
	return func(s *Server) {
		if keep > 0 {
			s.keep = keep
		}
	}
}

// boundedPhoto is how much of an uploaded photo a fake with bounded
// memory keeps.
const boundedPhoto = 33

// Await waits until cond holds, re-checking only when this chat changes
// (a bot message sent, edited or deleted, a tap answered, a message of
// the person's own), not on every change of the fake as WaitFor does: a
// thousand simulated people waiting at once then cost nothing while
// other chats move. cond runs without the server lock, so it may call any
// User method.
func (u *User) Await(ctx context.Context, cond func() bool) error {
	for {
		u.s.mu.Lock()
		if u.wake == nil {
			u.wake = make(chan struct{})
		}
		ch := u.wake
		u.s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return &waitError{what: "a change in chat " + itoa(u.ID), detail: "the condition never held", err: ctx.Err()}
		case <-u.s.done:
			return errors.New("tgfake: server closed")
		}
	}
}

// changed wakes whoever Awaits this chat. Caller holds mu.
func (u *User) changed() {
	if u.wake != nil {
		close(u.wake)
		u.wake = nil
	}
}

// Keep bounds this chat to its last n messages and callback answers,
// whatever the server's bound: in a load run the chats nobody reads (the
// 2,000 members the POS purchases tell, a message every ten seconds or so
// each) kept filling their lists for the first minutes, and heap profiles
// at 100 s and 280 s put the growth there, which the run's memory figures
// counted as the bot's.
func (u *User) Keep(n int) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.keep = max(n, 1)
	u.trim()
}

// trim drops the oldest messages and callback answers past the bound. A
// chat holds exactly the bound once it has reached it: trimmed instead
// from twice the bound back to it, the lists of 550 people acting at the
// same pace filled and emptied together, swinging a load run's live heap
// by megabytes from one sample to the next. Dropped entries are cleared,
// so the array behind the slice holds nothing older; append copies the
// kept ones to a new array when it fills, O(1) a message. Caller holds mu.
func (u *User) trim() {
	keep := u.s.keep
	if u.keep > 0 {
		keep = u.keep
	}
	if keep == 0 {
		return
	}
	for len(u.msgs) > keep {
		u.msgs[0] = nil
		u.msgs = u.msgs[1:]
	}
	for len(u.answers) > keep {
		u.answers[0] = CallbackAnswer{}
		u.answers = u.answers[1:]
	}
}
