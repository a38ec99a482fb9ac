package postgres_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestFeedbackJobQueuesInChunks: the feedback job queues its requests a
// chunk of visits to a transaction, in a few round trips however many
// visits are due; a visit it cannot render is reported and left out, and
// one the database refuses fails its chunk's commit, after which each of
// that chunk's visits is tried on its own: neither holds up the others.
func TestFeedbackJobQueuesInChunks(t *testing.T) {
	t.Parallel()
	db, trips := tracedDB(t)
	clock := &fakeClock{now: t0}
	shop := addShop(t, db, "a")
	const visits = 150
	var unrendered, refused string
	for i := range visits {
		_, card := addMember(t, db, clock, int64(1000+i))
		p := purchaseAt(card, shop.ID, 100000, t0.Add(-time.Duration(visits-i)*time.Second))
		writePurchase(t, db, p, domain.PurchaseWrites{})
		switch i {
		case 7:
			unrendered = p.PublicID
		case 120:
			refused = p.PublicID
		}
	}
	biz := &domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback()}
	biz.Feedback.Delay, biz.Feedback.QuietStart, biz.Feedback.QuietEnd = 0, 0, 0
	svc := domain.NewService(biz, nil, nil, clock.Now)
	errRender := errors.New("no such template")
	render := func(d domain.FeedbackDue, shop *domain.Shop) (json.RawMessage, error) {
		switch d.PublicID {
		case unrendered:
			return nil, errRender
		case refused:
			return json.RawMessage(`{"text": not json}`), nil // the outbox's jsonb refuses it
		}
		return json.RawMessage(`{"chat_id":` + itoa(d.ChatID) + `,"text":"How was your visit to ` + shop.Name + `?"}`), nil
	}

	trips.reset()
	n, err := svc.QueueFeedbackRequests(t.Context(), db, render)
	if n != visits-2 {
		t.Errorf("queued %d requests, want %d (all but the two that cannot be)", n, visits-2)
	}
	if !errors.Is(err, errRender) || !strings.Contains(err.Error(), unrendered) || !strings.Contains(err.Error(), refused) {
		t.Errorf("the job reported %v, want both visits that could not be queued named", err)
	}
	// The walk, the store, two chunks (the second failing), and the
	// second chunk's 50 visits one by one.
	if got, sql := trips.reset(); got > 60 {
		t.Errorf("%d round trips for %d visits, want at most 60: %q", got, visits, sql[:10])
	}
	if got := sqlOne[int](t, db, `SELECT count(*)::int FROM feedback_requests`); got != visits-2 {
		t.Errorf("%d requests stored, want %d", got, visits-2)
	}
	if got := sqlOne[int](t, db, `SELECT count(*)::int FROM outbox WHERE payload->>'text' LIKE 'How was your visit%'`); got != visits-2 {
		t.Errorf("%d request messages queued, want %d", got, visits-2)
	}
	if n, err := svc.QueueFeedbackRequests(t.Context(), db, render); n != 0 {
		t.Errorf("a second run queued %d more (err %v)", n, err)
	}
}
