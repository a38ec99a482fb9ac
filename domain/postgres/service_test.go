package postgres_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestServiceRecordsEachEventOnce: what follows a purchase or a
// cancellation hangs on its event, so a repeated request (a POS retry, a
// double tap) and a second cancel must record none, and a refused
// purchase must leave nothing its reactions wrote.
func TestServiceRecordsEachEventOnce(t *testing.T) {
	db, clock := newStore(t)
	ctx := t.Context()
	shop := addShop(t, db, "a")
	_, card := addMember(t, db, clock, 1)
	cardID := card.ID
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	var seen []string
	svc.On(func(ctx context.Context, tx domain.Tx, ev domain.Event) error {
		seen = append(seen, domain.EventName(ev))
		_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 1, Payload: []byte(`{}`)}, false)
		return err
	})
	run := func(fn func(tx domain.Tx) error) error { return db.Update(ctx, fn) }
	req := domain.PurchaseRequest{CardID: cardID, ShopID: shop.ID, Source: domain.SourcePOS, IdempotencyKey: "k1",
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
