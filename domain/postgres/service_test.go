package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestServiceRecordsEachEventOnce: what follows a purchase or a
// cancellation hangs on its event, so a repeated request (a POS retry, a
// double tap) and a second cancel must record none, and a refused
// purchase must leave nothing its reactions wrote.
func TestServiceRecordsEachEventOnce(t *testing.T) {
	db, _ := tracedDB(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	var cardID int64
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "A", JoinedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
		cardID = card.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, time.Now)
	var seen []string
	svc.On(func(ctx context.Context, tx domain.Tx, ev domain.Event) error {
		seen = append(seen, domain.EventName(ev))
		_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 1, Payload: []byte(`{}`)}, false)
		return err
	})
	run := func(fn func(tx domain.Tx) error) error { return db.Update(ctx, fn) }
	req := domain.PurchaseRequest{CardID: cardID, ShopID: 1, Source: domain.SourcePOS, IdempotencyKey: "k1",
		Amount: 100000, Currency: "RUB"}
	var id string
	for range 2 {
		if err := run(func(tx domain.Tx) error {
			res, err := svc.RecordPurchase(ctx, tx, req)
			if err == nil {
				id = res.Purchase.PublicID
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := run(func(tx domain.Tx) error {
			_, err := svc.CancelPurchase(ctx, tx, id, 0, 0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	refused := req
	refused.IdempotencyKey, refused.Redeem = "k2", 1_000_000
	if err := run(func(tx domain.Tx) error {
		_, err := svc.RecordPurchase(ctx, tx, refused)
		return err
	}); err == nil {
		t.Fatal("a purchase paying more points than the card holds went through")
	}
	if got := len(seen); got != 2 || seen[0] != "purchase_recorded" || seen[1] != "purchase_cancelled" {
		t.Fatalf("events %v, want [purchase_recorded purchase_cancelled]", seen)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox`); n != 2 {
		t.Fatalf("%d outbox rows, want one per event", n)
	}
}
