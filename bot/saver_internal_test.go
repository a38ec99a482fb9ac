package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// gatedStore is the database, recording the update ids of each SaveDeliveries
// statement; the first statement waits at gate until the test opens it.
type gatedStore struct {
	*postgres.DB
	mu      sync.Mutex
	batches [][]int64
	gate    chan struct{}
	entered chan struct{} // closed when the first statement is at the gate
}

func (g *gatedStore) SaveDeliveries(ctx context.Context, us []domain.RawUpdate) ([]bool, []bool, error) {
	g.mu.Lock()
	var ids []int64
	for _, u := range us {
		ids = append(ids, u.UpdateID)
	}
	g.batches = append(g.batches, ids)
	gate := g.gate
	g.gate = nil
	g.mu.Unlock()
	if gate != nil {
		close(g.entered)
		<-gate
	}
	return g.DB.SaveDeliveries(ctx, us)
}

func newGatedSaver(t *testing.T) (*saver, *gatedStore, chan struct{}) {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	gate := make(chan struct{})
	g := &gatedStore{DB: db, gate: gate, entered: make(chan struct{})}
	return &saver{store: g}, g, gate
}

type saveResult struct {
	id     int64
	fresh  bool
	behind bool
	err    error
}

// saveAll saves us concurrently, once each is queued behind the statement
// held at the gate; it returns their results once the gate opens.
func saveAll(t *testing.T, s *saver, g *gatedStore, gate chan struct{}, us []domain.RawUpdate, beforeOpen func()) []saveResult {
	t.Helper()
	<-g.entered
	out := make([]saveResult, len(us))
	var wg sync.WaitGroup
	for i, u := range us {
		wg.Go(func() {
			fresh, behind, err := s.save(context.Background(), u)
			out[i] = saveResult{u.UpdateID, fresh, behind, err}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.waiting)
		s.mu.Unlock()
		if n == len(us) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d saves queued", n, len(us))
		}
		time.Sleep(time.Millisecond)
	}
	if beforeOpen != nil {
		beforeOpen()
	}
	close(gate)
	wg.Wait()
	return out
}

func rawUpdate(id int64, text string) domain.RawUpdate {
	return domain.RawUpdate{UpdateID: id, ChatID: 100 + id, Payload: fmt.Appendf(nil, `{"update_id": %d, "message": {"text": "%s"}}`, id, text)}
}

// TestSaverGathersWhatArrivesMeanwhile: updates that arrive while a
// statement is under way are stored together by the next one, each told
// whether it was new; the request that ran the first statement having
// gone away fails nobody.
func TestSaverGathersWhatArrivesMeanwhile(t *testing.T) {
	t.Parallel()
	s, g, gate := newGatedSaver(t)
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	first := make(chan saveResult, 1)
	go func() {
		fresh, behind, err := s.save(leaderCtx, rawUpdate(1, "first"))
		first <- saveResult{1, fresh, behind, err}
	}()
	var us []domain.RawUpdate
	for id := int64(2); id <= 11; id++ {
		us = append(us, rawUpdate(id, "next"))
	}
	us = append(us, rawUpdate(1, "first")) // Telegram delivering it again
	got := saveAll(t, s, g, gate, us, cancelLeader)
	if r := <-first; !r.fresh || r.err != nil {
		t.Errorf("update 1, its request gone: fresh %v, err %v; want stored", r.fresh, r.err)
	}
	for _, r := range got[:10] {
		if !r.fresh || r.behind || r.err != nil { // each of its own chat
			t.Errorf("update %d: fresh %v, behind %v, err %v", r.id, r.fresh, r.behind, r.err)
		}
	}
	if r := got[10]; !r.fresh || !r.behind || r.err != nil {
		// Stored and not handled yet: fresh and behind again (its storing
		// may not have been heard of); the chat's order and the claim make
		// a second handling a duplicate.
		t.Errorf("update 1 again: fresh %v, behind %v, err %v; want fresh and behind", r.fresh, r.behind, r.err)
	}
	if len(g.batches) != 2 || len(g.batches[1]) != 11 {
		t.Fatalf("statements %v: want [1], then the 11 that waited, together", g.batches)
	}
	pending, err := g.DB.PendingUpdates(context.Background(), 100)
	if err != nil || len(pending) != 11 {
		t.Fatalf("%d updates stored, want 11 (%v)", len(pending), err)
	}
}

// TestSaverRefusesOnlyTheRefused: one payload the database refuses among
// the gathered ones fails alone, with ErrInvalid (to be set aside); the
// others are stored.
func TestSaverRefusesOnlyTheRefused(t *testing.T) {
	t.Parallel()
	s, g, gate := newGatedSaver(t)
	go func() { _, _, _ = s.save(context.Background(), rawUpdate(1, "first")) }()
	got := saveAll(t, s, g, gate, []domain.RawUpdate{rawUpdate(2, "ok"), rawUpdate(3, "a\xffb"), rawUpdate(4, "ok")}, nil)
	slices.SortFunc(got, func(a, b saveResult) int { return int(a.id - b.id) })
	if !got[0].fresh || got[0].err != nil || !got[2].fresh || got[2].err != nil {
		t.Errorf("the good updates: %+v", got)
	}
	if !errors.Is(got[1].err, domain.ErrInvalid) {
		t.Errorf("the refused payload: %+v, want ErrInvalid", got[1])
	}
	if !got[0].behind || !got[2].behind {
		t.Errorf("stored one by one, nobody asked about their chats, yet: %+v", got)
	}
}

// panicOnce is the database, but its first SaveDeliveries panics.
type panicOnce struct {
	*postgres.DB
	done bool
}

func (p *panicOnce) SaveDeliveries(ctx context.Context, us []domain.RawUpdate) ([]bool, []bool, error) {
	if !p.done {
		p.done = true
		panic("boom")
	}
	return p.DB.SaveDeliveries(ctx, us)
}

// TestSaverSurvivesAPanic: a statement that panics fails its updates
// (Telegram delivers them again) and leaves no statement under way that
// every later delivery would wait for.
func TestSaverSurvivesAPanic(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	s := &saver{store: &panicOnce{DB: db}}
	if _, _, err := s.save(context.Background(), rawUpdate(1, "boom")); err == nil {
		t.Fatal("the panicking statement's update was reported stored")
	}
	done := make(chan saveResult, 1)
	go func() {
		fresh, behind, err := s.save(context.Background(), rawUpdate(1, "again"))
		done <- saveResult{1, fresh, behind, err}
	}()
	select {
	case r := <-done:
		if !r.fresh || r.err != nil {
			t.Fatalf("the redelivery: fresh %v, err %v; want stored", r.fresh, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next update waits for a statement that panicked")
	}
}
