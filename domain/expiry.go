package domain

import (
	"context"
	"fmt"
	"time"
)

// ExpiryReport is what a run of ExpirePoints did.
type ExpiryReport struct {
	Cards  int   // cards whose points expired
	Points int64 // points expired on them
	// Failed lists the cards that could not be expired, each with why. The
	// run went on past them; the next run tries them again.
	Failed []CardError
}

// CardError is one card the expiry job could not handle.
type CardError struct {
	CardID int64
	Err    error
}

func (e CardError) Error() string { return fmt.Sprintf("card %d: %v", e.CardID, e.Err) }

func (e CardError) Unwrap() error { return e.Err }

// expiryBatch is how many cards one query lists.
const expiryBatch = 500

// ExpirePoints is the daily expiry job: it finds the cards with points due
// (one set-based query per batch, never a loop over all customers) and
// writes their "expire" ledger rows, one short transaction per card so a
// checkout never waits long. A card that fails (its data damaged, a
// deadlock) is rolled back alone and listed in the report; the cards after
// it still expire. The error is for what stops the whole run: listing the
// cards fails, or ctx ends.
func ExpirePoints(ctx context.Context, st Store, p *Program, now time.Time) (ExpiryReport, error) {
	var rep ExpiryReport
	inactiveBefore := time.Time{}
	if p.RegularExpiryDays > 0 {
		inactiveBefore = now.AddDate(0, 0, -p.RegularExpiryDays)
	}
	var after int64
	for {
		ids, err := st.ListCardsToExpire(ctx, now, inactiveBefore, after, expiryBatch)
		if err != nil {
			return rep, fmt.Errorf("list cards to expire: %w", err)
		}
		for _, id := range ids {
			after = id
			n, err := expireOne(ctx, st, p, id, now)
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			if err != nil {
				rep.Failed = append(rep.Failed, CardError{CardID: id, Err: err})
				continue
			}
			if n > 0 {
				rep.Cards++
				rep.Points += n
			}
		}
		if len(ids) < expiryBatch {
			return rep, nil
		}
	}
}

// expireOne expires one card's due points in a transaction of its own.
func expireOne(ctx context.Context, st Store, p *Program, cardID int64, now time.Time) (int64, error) {
	var n int64
	err := st.Update(ctx, func(tx Tx) error {
		card, err := tx.LockCard(ctx, cardID)
		if err != nil {
			return err
		}
		n, err = ExpireCard(ctx, tx, p, card, now)
		return err
	})
	return n, err
}
