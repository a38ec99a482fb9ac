package domain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Credit appends a positive ledger row and records it as a lot of the
// given kind. A repeated idempotency key credits nothing twice.
func Credit(ctx context.Context, tx CardStore, e LedgerEntry, kind LotKind) (LedgerEntry, bool, error) {
	if e.Amount <= 0 {
		return LedgerEntry{}, false, fmt.Errorf("credit %s: amount %d must be positive", e.IdempotencyKey, e.Amount)
	}
	return tx.AppendCredit(ctx, e, kind)
}

// debit appends a negative ledger row taking points from the given lot
// uses. The caller holds the card lock (LockCard) and chose the uses.
func debit(ctx context.Context, tx CardStore, e LedgerEntry, uses []LotUse) (LedgerEntry, bool, error) {
	if e.Amount >= 0 {
		return LedgerEntry{}, false, fmt.Errorf("debit %s: amount %d must be negative", e.IdempotencyKey, e.Amount)
	}
	row, created, err := tx.AppendLedger(ctx, e)
	if err != nil || !created {
		return row, created, err
	}
	return row, true, tx.UseLots(ctx, uses)
}

// giveBack credits e, points a purchase or a prize paid that a return or
// a cancellation gives back, and puts them back in the lots that paid
// them, which uses lists (called only when e is new: a row written before
// must not restore the lots again). Points whose lot is still live at now
// go back into it; those whose lot expired meanwhile come back as one
// fresh regular lot of e, living like points just earned: put back in the
// dead lot, they would be written off at the next read of the card, and
// the customer would have neither them nor the money they stood for. The
// balance after e is what a purchase may spend, before and after the
// expiry job. A non-zero keepUntil says the card is idle past the
// regular points' period: its regular lots are as dead, and the fresh
// lot is a promo one that lives until keepUntil. It returns the row
// (created false for a repeated key, nothing moved) and the points
// renewed so. The card must be locked.
func giveBack(ctx context.Context, tx CardStore, e LedgerEntry, now, keepUntil time.Time, uses func() ([]LotUse, error)) (row LedgerEntry, renewed int64, err error) {
	if e.Amount <= 0 {
		return LedgerEntry{}, 0, fmt.Errorf("give back %s: amount %d must be positive", e.IdempotencyKey, e.Amount)
	}
	row, created, err := tx.AppendLedger(ctx, e)
	if err != nil || !created {
		return row, 0, err
	}
	us, err := uses()
	if err != nil {
		return row, 0, err
	}
	renewed, err = tx.RestoreLots(ctx, row, us, now, keepUntil)
	return row, renewed, err
}

// takeBack debits up to -e.Amount points from the card's open lots (those
// of kind first, newest first, then the others), as far as the card still
// holds them: points spent already are not taken. It returns the row
// (created false for a repeated key, nothing moved) and the points taken;
// with nothing left to take it writes no row. The lots own lists (the
// bonus's own) go before all others. The card must be locked.
func takeBack(ctx context.Context, tx CardStore, e LedgerEntry, first LotKind, own ...int64) (row LedgerEntry, taken int64, created bool, err error) {
	lots, err := tx.ListOpenLots(ctx, e.CardID)
	if err != nil {
		return LedgerEntry{}, 0, false, err
	}
	var open int64
	for _, l := range lots {
		open += max(l.Remaining, 0)
	}
	taken = min(-e.Amount, open)
	if taken <= 0 {
		return LedgerEntry{}, 0, false, nil
	}
	uses, err := allocateTakeBack(lots, taken, first, own...)
	if err != nil {
		return LedgerEntry{}, 0, false, err
	}
	e.Amount = -taken
	row, created, err = debit(ctx, tx, e, uses)
	return row, taken, created, err
}

// allocateReversal picks lots to take back points that were earned:
// regular lots newest first (the earn itself, usually), then promo.
func allocateReversal(lots []Lot, points int64) ([]LotUse, error) {
	return allocateTakeBack(lots, points, LotRegular)
}

// allocateTakeBack picks lots to take back points from: those of own
// (where the points taken back were put, when known), then those of kind
// first newest first, then the others newest first.
func allocateTakeBack(lots []Lot, points int64, first LotKind, own ...int64) ([]LotUse, error) {
	sorted := append([]Lot(nil), lots...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if oi, oj := slices.Contains(own, sorted[i].ID), slices.Contains(own, sorted[j].ID); oi != oj {
			return oi
		}
		if sorted[i].Kind != sorted[j].Kind {
			return sorted[i].Kind == first
		}
		return sorted[i].ID > sorted[j].ID
	})
	var uses []LotUse
	for _, l := range sorted {
		if points == 0 {
			break
		}
		if l.Remaining <= 0 {
			continue
		}
		n := min(l.Remaining, points)
		uses = append(uses, LotUse{LotID: l.ID, Points: n})
		points -= n
	}
	if points > 0 {
		return nil, ErrInsufficientPoints
	}
	return uses, nil
}

// ExpireCard writes an "expire" ledger row for every lot due at now
// (promo points past their date; regular points after the inactivity
// period) and returns the points expired. The card must be locked; its
// Balance is updated.
func ExpireCard(ctx context.Context, tx interface {
	CardStore
	LastPurchaseAt(ctx context.Context, cardID int64) (time.Time, error)
}, p *Program, card *Card, now time.Time) (int64, error) {
	lots, err := tx.ListOpenLots(ctx, card.ID)
	if err != nil {
		return 0, err
	}
	if len(lots) == 0 {
		return 0, nil
	}
	last, err := tx.LastPurchaseAt(ctx, card.ID)
	if err != nil {
		return 0, err
	}
	return expireLots(ctx, tx, p, card, lots, last, now)
}

// expireGone writes off, once a purchase is cancelled (or returned in
// full), what it alone kept alive, so the balance answered is what the
// card holds: balance is the card's before, the result after.
func expireGone(ctx context.Context, tx Tx, p *Program, card *Card, balance int64, now time.Time) (int64, error) {
	card.Balance = balance
	if _, err := ExpireCard(ctx, tx, p, card, now); err != nil {
		return 0, err
	}
	return card.Balance, nil
}

// expireCardExcept is ExpireCard for the card as it stands once purchase
// gone (0: none) is cancelled. The regular lots created at spare (not
// zero: gone's own earning) are left alone: they are the points its
// cancellation takes back, not points lost to it; unless they lapsed
// already, gone counted (as the nightly job would have written them off).
func expireCardExcept(ctx context.Context, tx Tx, p *Program, card *Card, gone int64, spare, now time.Time) (int64, error) {
	all, err := tx.ListOpenLots(ctx, card.ID)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	var lots []Lot
	var dead map[int64]bool // lapsed already, gone counted: not spared
	if !spare.IsZero() {
		with, err := tx.LastPurchaseAt(ctx, card.ID)
		if err != nil {
			return 0, err
		}
		if with.IsZero() {
			with = card.CreatedAt
		}
		dead = map[int64]bool{}
		for _, u := range p.ExpiredLots(all, with, now) {
			dead[u.LotID] = true
		}
	}
	for _, l := range all {
		if spare.IsZero() || l.Kind != LotRegular || !l.CreatedAt.Equal(spare) || dead[l.ID] {
			lots = append(lots, l)
		}
	}
	last, err := tx.LastPurchaseAtExcept(ctx, card.ID, gone)
	if err != nil {
		return 0, err
	}
	return expireLots(ctx, tx, p, card, lots, last, now)
}

func expireLots(ctx context.Context, tx CardStore, p *Program, card *Card, lots []Lot, last, now time.Time) (int64, error) {
	if last.IsZero() {
		last = card.CreatedAt
	}
	var total int64
	for _, u := range p.ExpiredLots(lots, last, now) {
		e := LedgerEntry{
			CardID: card.ID, Kind: LedgerExpire, Amount: -u.Points,
			IdempotencyKey: fmt.Sprintf("expire:%d:%d", u.LotID, now.UnixNano()),
		}
		row, _, err := debit(ctx, tx, e, []LotUse{u})
		if err != nil {
			return total, fmt.Errorf("expire lot %d: %w", u.LotID, err)
		}
		card.Balance = row.BalanceAfter
		total += u.Points
	}
	return total, nil
}

// idleKeep is, for a card that is (or, once purchase gone is cancelled,
// will be; 0: none) idle past the program's RegularExpiryDays, when
// points given back or given by hand to it should expire: that term from now, through its last day in
// loc. Zero for a card that is not idle: its points go back as they were.
func idleKeep(ctx context.Context, tx Tx, p *Program, card *Card, gone int64, now time.Time, loc *time.Location) (time.Time, error) {
	if p.RegularExpiryDays <= 0 {
		return time.Time{}, nil
	}
	last, err := tx.LastPurchaseAtExcept(ctx, card.ID, gone)
	if err != nil {
		return time.Time{}, err
	}
	if last.IsZero() {
		last = card.CreatedAt
	}
	if now.Before(last.AddDate(0, 0, p.RegularExpiryDays)) {
		return time.Time{}, nil
	}
	return LastDayEnd(now, p.RegularExpiryDays, loc), nil
}
