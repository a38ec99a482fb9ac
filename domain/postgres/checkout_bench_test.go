package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// benchCards makes n members with cards.
func benchCards(b *testing.B, db *postgres.DB, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	err := db.Update(ctx, func(tx domain.Tx) error {
		for i := range n {
			c := &domain.Customer{TelegramID: int64(i + 1), ChatID: int64(i + 1), FirstName: "x", JoinedAt: time.Now()}
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
			if err != nil {
				return err
			}
			ids = append(ids, card.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkCheckoutDB splits the POS purchase's database cost (8 clients,
// 200 cards; the test cluster runs with fsync off): an empty transaction,
// the checkout query alone, and a whole RecordPurchase. The README quotes
// these to show where a purchase's time goes.
func BenchmarkCheckoutDB(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, fn func(db *postgres.DB, cardID int64) error) {
		db, err := postgres.Open(ctx, pgtest.NewDB(b), 32)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		ids := benchCards(b, db, 200)
		var n atomic.Int64
		b.SetParallelism(4)
		// The server's CPU per operation too: on a shared machine the
		// wall time is mostly waiting for a core.
		cpu, measured := newServerCPU(ctx, db.Pool())
		var start time.Duration
		if measured {
			start, _ = cpu.now()
		}
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fn(db, ids[n.Add(1)%int64(len(ids))]); err != nil {
					b.Error(err)
					return
				}
			}
		})
		if measured {
			b.ReportMetric(cpu.since(start).Seconds()*1000/float64(b.N), "server-cpu-ms/op")
		}
	}
	b.Run("empty-tx", func(b *testing.B) {
		run(b, func(db *postgres.DB, _ int64) error {
			return pgx.BeginFunc(ctx, db.Pool(), func(t pgx.Tx) error {
				_, err := t.Exec(ctx, "SELECT 1")
				return err
			})
		})
	})
	b.Run("checkout-query", func(b *testing.B) {
		run(b, func(db *postgres.DB, id int64) error {
			return db.Update(ctx, func(tx domain.Tx) error {
				now := time.Now()
				_, err := tx.LoadCheckout(ctx, domain.CheckoutQuery{CardID: id, IdempotencyKey: "k",
					SpendSince: now, CardSince: now, StaffSince: now})
				return err
			})
		})
	})
	p := domain.DefaultProgram()
	b.Run("record-purchase", func(b *testing.B) {
		run(b, func(db *postgres.DB, id int64) error {
			return db.Update(ctx, func(tx domain.Tx) error {
				_, err := domain.RecordPurchase(ctx, tx, &p, domain.PurchaseRequest{CardID: id, ShopID: 1,
					Source: domain.SourcePOS, IdempotencyKey: domain.NewPublicID(), Amount: 100000, Currency: "RUB"}, time.Now())
				return err
			})
		})
	})
}
