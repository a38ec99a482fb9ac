package domain

import (
	"context"
	"time"
)

// ExpirePoints is the daily expiry job: it finds the cards with points due
// (one set-based query per batch, never a loop over all customers) and
// writes their "expire" ledger rows, one short transaction per card so a
// checkout never waits long. It returns how many cards and points expired.
func ExpirePoints(ctx context.Context, st Store, p *Program, now time.Time) (cards int, points int64, err error) {
	inactiveBefore := time.Time{}
	if p.RegularExpiryDays > 0 {
		inactiveBefore = now.AddDate(0, 0, -p.RegularExpiryDays)
	}
	var after int64
	for {
		ids, err := st.ListCardsToExpire(ctx, now, inactiveBefore, after, 500)
		if err != nil {
			return cards, points, err
		}
		for _, id := range ids {
			var n int64
			err := st.Update(ctx, func(tx Tx) error {
				card, err := tx.LockCard(ctx, id)
				if err != nil {
					return err
				}
				n, err = ExpireCard(ctx, tx, p, card, now)
				return err
			})
			if err != nil {
				return cards, points, err
			}
			if n > 0 {
				cards++
				points += n
			}
			after = id
		}
		if len(ids) < 500 {
			return cards, points, nil
		}
	}
}
