package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// saver stores the updates that arrive at once in one statement and one
// commit, as a getUpdates answer is stored (acceptBatch). Webhook
// deliveries come one update a request, as many at a time as Telegram's
// max_connections allows; stored one by one, each was a transaction and a
// disk flush of its own, and a webhook run put about a seventh fewer
// updates through than long polling (1,539 against 1,786 a second).
//
// No timer gathers them: whoever arrives while a statement is under way
// waits for the next one, which takes everybody waiting (up to
// maxSaveBatch), so a lone update is stored at once and a busy webhook
// fills its statements on its own. The request that finds no statement
// under way runs it; once done it hands the next one to the oldest
// request still waiting, and returns.
type saver struct {
	store updateSaver

	mu      sync.Mutex
	waiting []*saveReq
	busy    bool // a statement is under way
}

// updateSaver is the part of domain.Store the saver uses.
type updateSaver interface {
	SaveUpdate(ctx context.Context, updateID, chatID int64, payload []byte) (bool, error)
	SaveDeliveries(ctx context.Context, us []domain.RawUpdate) (fresh, behind []bool, err error)
}

// maxSaveBatch bounds one statement: a getUpdates answer's size.
const maxSaveBatch = 100

// saveTimeout bounds a statement run for others too: the request running
// it may be cancelled (Telegram gave up on it) without failing theirs.
const saveTimeout = 30 * time.Second

type saveReq struct {
	u      domain.RawUpdate
	wake   chan struct{} // answered, or handed the next statement
	done   bool          // answered: fresh, behind and err are set
	fresh  bool
	behind bool
	err    error
}

// save stores u as domain.Store's SaveUpdate does: fresh false for an
// update_id stored before, ErrInvalid for a payload the database refuses.
// behind is SaveDeliveries' (true when it cannot tell).
func (s *saver) save(ctx context.Context, u domain.RawUpdate) (fresh, behind bool, err error) {
	r := &saveReq{u: u, wake: make(chan struct{}, 1)}
	s.mu.Lock()
	s.waiting = append(s.waiting, r)
	if s.busy {
		s.mu.Unlock()
		<-r.wake
		s.mu.Lock()
		if r.done {
			s.mu.Unlock()
			return r.fresh, r.behind, r.err
		}
		// Handed the next statement, which takes this update too.
	}
	s.busy = true
	n := min(len(s.waiting), maxSaveBatch)
	batch := s.waiting[:n:n]
	s.waiting = s.waiting[n:]
	s.mu.Unlock()

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	s.store1(sctx, batch)
	cancel()

	s.mu.Lock()
	for _, b := range batch {
		b.done = true
		if b != r {
			b.wake <- struct{}{}
		}
	}
	if len(s.waiting) > 0 {
		s.waiting[0].wake <- struct{}{} // not answered: runs the next statement
	} else {
		s.busy = false
	}
	s.mu.Unlock()
	return r.fresh, r.behind, r.err
}

// store1 stores a batch in one statement; when the database refuses one
// payload, one by one, so that only that update fails with ErrInvalid.
func (s *saver) store1(ctx context.Context, batch []*saveReq) {
	// A panic fails the batch rather than leave a statement under way
	// forever, which would stop every delivery after it.
	defer func() {
		if p := recover(); p != nil {
			for _, b := range batch {
				b.fresh, b.err = false, fmt.Errorf("save updates: panic: %v", p)
			}
		}
	}()
	us := make([]domain.RawUpdate, len(batch))
	for i, b := range batch {
		us[i] = b.u
	}
	fresh, behind, err := s.store.SaveDeliveries(ctx, us)
	if errors.Is(err, domain.ErrInvalid) && len(batch) > 1 {
		for _, b := range batch {
			b.fresh, b.err = s.store.SaveUpdate(ctx, b.u.UpdateID, b.u.ChatID, b.u.Payload)
			b.behind = true // not asked: the chat is looked at when handled
		}
		return
	}
	for i, b := range batch {
		if err != nil {
			b.err = err
			continue
		}
		b.fresh, b.behind = fresh[i], behind[i]
	}
}
