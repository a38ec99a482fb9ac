package schedule_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

// TestExpiryJobLogsAndCountsFailures: the nightly job skips a card it
// cannot expire, says which in the log, counts it for the metrics, and
// still expires the cards after it.
func TestExpiryJobLogsAndCountsFailures(t *testing.T) {
	ctx := t.Context()
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	now := t0
	db := postgres.New(pgtest.NewPool(t), postgres.WithClock(func() time.Time { return now }))
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	bad, good := welcomeCard(t, db, 1, t0), welcomeCard(t, db, 2, t0)
	// Lots holding more than the balance: the expiry debit is refused.
	if _, err := db.Pool().Exec(ctx, `UPDATE point_lots SET amount = amount + 30, remaining = remaining + 30
		WHERE card_id = $1`, bad); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	failed := 0
	p := domain.DefaultProgram()
	job := schedule.ExpiryJob("@daily", db, &p, func() time.Time { return now }, slog.New(slog.NewTextHandler(&logs, nil)),
		func(n int) { failed += n })
	now = t0.AddDate(0, 0, 31)
	if err := job.Run(ctx); err != nil {
		t.Fatalf("the job failed as a whole: %v", err)
	}
	if failed != 1 {
		t.Errorf("%d failures counted, want 1", failed)
	}
	for _, want := range []string{fmt.Sprintf("card=%d", bad), "insufficient points", "failed=1", "points=100"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	var balance int64
	if err := db.Pool().QueryRow(ctx, `SELECT balance FROM cards WHERE id = $1`, good).Scan(&balance); err != nil || balance != 0 {
		t.Errorf("the card after the failing one: balance %d (%v), want its bonus expired", balance, err)
	}
}

// welcomeCard makes a customer whose card holds a 100-point welcome bonus
// expiring 30 days after t0, and returns the card's id.
func welcomeCard(t *testing.T, db *postgres.DB, tgID int64, t0 time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: tgID, ChatID: tgID, FirstName: "A", JoinedAt: t0}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
		if err != nil {
			return err
		}
		id = card.ID
		_, _, err = domain.Credit(ctx, tx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerWelcome, Amount: 100,
			IdempotencyKey: domain.WelcomeBonusKey(c.ID), ExpiresAt: t0.AddDate(0, 0, 30)}, domain.LotPromo)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
