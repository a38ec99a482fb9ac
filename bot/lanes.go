package bot

import "sync"

// The till comes first. A cashier has a customer standing at the
// register while the bot answers; a member reading their topics does
// not. When the bot is busy, a staff chat's update must not wait in a
// worker's queue behind the members' updates queued before it: staff
// chats have workers of their own, the staff lanes. A member's update
// waits behind other members' only; a staff update behind other staff
// chats' that share its lane, a handful at most. With 500 members acting
// the moment they are answered and 50 cashiers at a till's pace, the
// cashiers' Confirm p99 went from 470-585 ms to 65-80 ms
// (loadtest -chat -cashier-think 1s).
//
// Past its queue, a staff update's transaction takes the next free
// database connection before the members' (domain.First; the store's
// turns). A gate in front of the whole update, a few places, staff
// first, was tried instead and not kept: at 8 places the till's p99 fell
// to 31-38 ms but the members' updates by a quarter.

// lanes says which workers a chat's updates go to. A chat's updates are
// handled in order because they all go to one worker; a chat that becomes
// staff (an invite taken) or stops being staff keeps its lane until its
// updates in hand are done, so the order holds across the change.
type lanes struct {
	mu     sync.Mutex
	staff  map[int64]bool      // chats the engine last saw a staff member write in
	inHand map[int64]*chatLane // chats with updates queued or being handled
}

type chatLane struct {
	n     int // updates queued or in hand
	staff bool
}

func newLanes() *lanes {
	return &lanes{staff: map[int64]bool{}, inHand: map[int64]*chatLane{}}
}

// take counts one more update of the chat in hand and says whether it
// goes to a staff lane.
func (l *lanes) take(chat int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.inHand[chat]
	if c == nil {
		c = &chatLane{staff: l.staff[chat]}
		l.inHand[chat] = c
	}
	c.n++
	return c.staff
}

// done counts an update of the chat as finished.
func (l *lanes) done(chat int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.inHand[chat]; c != nil {
		if c.n--; c.n <= 0 {
			delete(l.inHand, chat)
		}
	}
}

// learn records whether the chat is a staff chat, for its next updates.
func (l *lanes) learn(chat int64, staff bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if staff {
		l.staff[chat] = true
	} else {
		delete(l.staff, chat)
	}
}
