package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestAdjustPointsOncePerKey: a correction repeated with its key (a
// redelivered Confirm) changes nothing, also when it took points the card
// no longer holds; taking more than the balance is refused with it; a
// cashier may not correct.
func TestAdjustPointsOncePerKey(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	owner := addStaff(t, db, 900, domain.RoleOwner, 0)
	cashier := addStaff(t, db, 901, domain.RoleCashier, shop.ID)
	c, card := addMember(t, db, clock, 1)
	credit(t, db, card.ID, 80, domain.LotRegular, time.Time{})
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	adjust := func(by *domain.Staff, points int64, key string) (domain.LedgerEntry, bool, error) {
		var row domain.LedgerEntry
		var created bool
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			row, created, err = svc.AdjustPoints(ctx, tx, by, c.ID, points, "typo at the till", key)
			return err
		})
		return row, created, err
	}
	first, created, err := adjust(owner, -50, "k1")
	if err != nil || !created || first.BalanceAfter != 30 || first.Amount != -50 {
		t.Fatalf("first correction: %+v %v %v", first, created, err)
	}
	again, created, err := adjust(owner, -50, "k1")
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("the same key again: %+v %v %v, want the first row", again, created, err)
	}
	if _, _, err := adjust(owner, -50, "k2"); !errors.Is(err, domain.ErrAdjustTooMuch) {
		t.Fatalf("taking 50 of 30: %v", err)
	}
	if _, _, err := adjust(cashier, 10, "k3"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("a cashier's correction: %v", err)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM audit_log WHERE action = 'points_adjust'`); n != 1 {
		t.Errorf("%d audit entries, want the one correction", n)
	}
	if b := sqlOne[int64](t, db, `SELECT balance FROM cards WHERE id = $1`, card.ID); b != 30 {
		t.Errorf("balance %d, want 30", b)
	}
}
