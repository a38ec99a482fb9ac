package postgres_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// pausingTx stops a transaction right after it read a waitlist by code,
// until the test lets it go on: a member's join caught between its read
// and its insert.
type pausingTx struct {
	domain.Tx
	read, goOn chan struct{}
}

func (p pausingTx) FindWaitlistByCode(ctx context.Context, code string) (*domain.Waitlist, error) {
	w, err := p.Tx.FindWaitlistByCode(ctx, code)
	p.read <- struct{}{}
	<-p.goOn
	return w, err
}

// TestWaitlistJoinRacingTheRestock: a member opens the waitlist link at
// the moment a manager marks the item back in stock. The member is not
// told "you are on the waitlist" of a list whose restock message went to
// nobody: their join, which read the list open, hears it closed.
func TestWaitlistJoinRacingTheRestock(t *testing.T) {
	db, clock := newStore(t)
	ctx := t.Context()
	shop := addShop(t, db, "a")
	owner := addStaff(t, db, 100, domain.RoleOwner, 0)
	member, _ := addMember(t, db, clock, 1)
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	var w *domain.Waitlist
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		by := *owner
		by.ShopID = shop.ID
		w, err = svc.CreateWaitlist(ctx, tx, &by, "Oat milk", "")
		return err
	})
	read, goOn := make(chan struct{}), make(chan struct{})
	type joinResult struct {
		res domain.WaitlistJoin
		err error
	}
	joined := make(chan joinResult, 1)
	go func() {
		var r joinResult
		r.err = db.Update(context.WithoutCancel(ctx), func(tx domain.Tx) error {
			_, res, err := svc.JoinWaitlist(ctx, pausingTx{tx, read, goOn}, w.Code, member)
			r.res = res
			return err
		})
		joined <- r
	}()
	<-read // the member's join saw the list open

	var told []domain.WaitingCustomer
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		if _, err := svc.RestockWaitlist(ctx, tx, owner, w.ID); err != nil {
			return err
		}
		told, err = tx.ListWaitingCustomers(ctx, w.ID) // whom the restock tells
		return err
	})
	close(goOn)
	r := <-joined
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.res == domain.WaitlistJoined && len(told) == 0 {
		t.Fatalf("the member was told they are on the waitlist of %q, but it closed and its restock message went to nobody", w.Name)
	}
	if r.res != domain.WaitlistClosed {
		t.Fatalf("the join that read the list open before the restock: %v, want closed", r.res)
	}
}
