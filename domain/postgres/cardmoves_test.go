package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestTwoMoveLinksClaimedAtOnce: two links for one card (two managers
// made one each at the same moment), opened at once from two new
// accounts: the card moves once, to one of them; the other is told the
// link is not valid.
func TestTwoMoveLinksClaimedAtOnce(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	manager := addStaff(t, db, 900, domain.RoleManager, 0)
	c, _ := addMember(t, db, clock, 1)
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, []byte("salt"), clock.Now)
	var first string
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		first, _, err = svc.MakeCardMove(ctx, tx, manager, c.ID)
		return err
	})
	// The second manager's link, made in a transaction that did not see
	// the first's.
	second := "second-managers-token"
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO card_moves (token_hash, customer_id, created_by, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5)`, domain.HashSecret(second), c.ID, manager.ID, clock.Now().Add(time.Hour), clock.Now()); err != nil {
		t.Fatal(err)
	}
	release := pgtest.HoldLock(t, db.Pool(), `SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, c.ID)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, token := range []string{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
				_, err := svc.ClaimCardMove(ctx, tx, token, int64(11+i), int64(11+i), nil)
				return err
			})
		}()
	}
	release(2)
	wg.Wait()
	moved := 0
	for _, err := range errs {
		switch {
		case err == nil:
			moved++
		case !errors.Is(err, domain.ErrNotFound):
			t.Errorf("the other claim: %v, want the link gone (not valid)", err)
		}
	}
	if moved != 1 {
		t.Fatalf("%d claims moved the card (%v), want 1", moved, errs)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'card_move'`); n != 1 {
		t.Errorf("%d moves audited, want 1", n)
	}
}
