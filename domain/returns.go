package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Return is part (or the rest) of a purchase brought back: the money
// returned and what it did to the points.
type Return struct {
	ID         int64
	PublicID   string // "r_…"
	PurchaseID int64
	CardID     int64
	ShopID     int64 // the purchase's store
	StaffID    int64 // 0 for the POS API
	Source     string
	ReturnRef  string // the POS's own id of the return ("" from the chat)
	// IdempotencyKey and RequestHash make retries safe, as for purchases.
	IdempotencyKey string
	RequestHash    string
	Amount         int64 // minor units brought back, at the receipt's prices
	// Taken is the points the purchase earned that this return takes
	// back; Given the points paid with the purchase it gives back; Short
	// the part of Taken the customer had spent already, kept from the
	// refund instead (Refund counts it off).
	Taken, Given, Short int64
	// Renewed is the part of Given whose lot had expired since the
	// purchase: it came back as new points, living like points earned.
	// Not stored: 0 when the request repeated an earlier one.
	Renewed int64
	// Refund is the money to pay back: the amount less the points given
	// back and the points short, at the point value; never below 0.
	Refund    int64
	CreatedAt time.Time
}

// ReturnRequest asks to return part of a purchase.
type ReturnRequest struct {
	PurchaseID     string // the purchase's public id
	ShopID         int64  // not 0: the purchase must be of this store
	By             *Staff // who takes it back (nil for the POS API)
	Source         string
	ReturnRef      string
	IdempotencyKey string // one return per key, whatever retries happen
	RequestHash    string // same key with another hash is a conflict
	Amount         int64  // minor units, at most what stands of the purchase
	// stamps, set by Service.ReturnPurchase: a return may not take stamps
	// that paid for a prize since (stampsKept).
	stamps *StampsConfig
	// zoneOf, set by Service.ReturnPurchase, is the time zone of a
	// customer who joined at a store (Service.zoneOf).
	zoneOf func(joinedStoreID int64) *time.Location
	// promotions, set by Service.ReturnPurchase, finds the promotions
	// that bear on a return (Service.ReturnPromotions).
	promotions func(pur *Purchase, amount int64) (ReturnPromotions, error)
}

// ReturnPromotions are the promotions a return of a purchase reckons
// with: the one that multiplied its points (nil: none, or gone from the
// config), and the one that multiplies what stays of the receipt when
// that is under Recorded's minimum (nil: none; only the usual rate).
type ReturnPromotions struct {
	Recorded, Stays *Promotion
}

// ReturnResult is a return with the purchase as it stands after it.
type ReturnResult struct {
	Return   Return
	Purchase Purchase
	Balance  int64
	Customer *Customer
	Tier     Tier
	// TierDown is true when the return took the card down to Tier from
	// a higher one (the customer is told).
	TierDown bool
	// Created is false when the request repeated an earlier one.
	Created bool
	// WelcomeTaken is the welcome bonus a full return took back with the
	// card's only purchase (held again for the next one; 0: none): the
	// balance counts it, so the staff's points line adds up with it named.
	WelcomeTaken int64
}

// Receipt is the purchase as rung up, before any return.
func (p *Purchase) Receipt() int64 { return p.Amount + p.ReturnedAmount }

// NewReturnID draws a return's public id: "r_" and 16 base32 characters.
func NewReturnID() string { return "r" + NewPublicID()[1:] }

// ReturnPurchase takes back part of a purchase, on any day after it: the
// points it earned in proportion to the money returned, and the points
// paid with it given back in that proportion, to the lots they came from
// (as new points for those of lots expired since: giveBack).
// The proportions are of the whole receipt and cumulative, so returns in
// several steps take back exactly what one return of the same total
// would, and returning the last of a receipt takes back its last point. A
// return of all that stands of the purchase also cancels it (it leaves
// the counts as a cancellation does).
//
// Points the customer has spent since cannot be taken back: the balance
// is taken down to 0 and the rest is kept from the money refunded
// (Return.Short), as a shop does at its till.
//
// The same IdempotencyKey returns the first return (Created false); with
// another RequestHash it is ErrConflict. Everything happens under the
// card's lock, so two returns at once of one purchase cannot both pass
// the check of what is left.
func ReturnPurchase(ctx context.Context, tx Tx, p *Program, req ReturnRequest, now time.Time) (*ReturnResult, error) {
	card, pur, cust, err := lockPurchase(ctx, tx, req.PurchaseID, req.ShopID)
	if err != nil {
		return nil, err
	}
	if prev, err := tx.FindReturnByKey(ctx, req.IdempotencyKey); err == nil {
		if prev.RequestHash != req.RequestHash || prev.PurchaseID != pur.ID {
			return nil, fmt.Errorf("return %s: %w", req.IdempotencyKey, ErrConflict)
		}
		return &ReturnResult{Return: *prev, Purchase: *pur, Balance: card.Balance, Customer: cust}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	switch {
	case pur.Cancelled():
		return nil, Invalid("error.return.cancelled")
	case req.Amount <= 0:
		return nil, Invalid("error.amount.zero")
	case req.Amount > pur.Amount:
		return nil, &ValidationError{Reason: "error.return.too_much",
			Detail: fmt.Sprintf("%d asked, %d left", req.Amount, pur.Amount)}
	}
	if req.stamps != nil {
		if err := stampsKept(ctx, tx, req.stamps, pur, req.Amount); err != nil {
			return nil, err
		}
	}
	// Points past their date that the nightly job has not written off
	// yet are worth nothing: written off first, so the points taken back
	// below are ones the customer still has, and the rest is kept from
	// the refund (as the chat's preview, after QuoteCard, says).
	// A return of all that stands cancels the purchase, which takes its
	// activity with it: the card is judged as it will stand, for what is
	// past its date as for the points given back.
	// Its own earned points are spared: they are the points taken back
	// below, not points the customer spent (Short); what is left of them
	// goes once it is cancelled.
	var gone int64
	var spare time.Time
	if req.Amount == pur.Amount {
		gone, spare = pur.ID, pur.CreatedAt
	}
	if _, err := expireCardExcept(ctx, tx, p, card, gone, spare, now); err != nil {
		return nil, err
	}
	// On a card idle past the regular points' period, points given back
	// into regular lots would go whole at the next read, while the refund
	// kept their worth: they come back as a lot of their own that lives
	// that term from now, through its last day.
	loc := time.UTC
	if req.zoneOf != nil && cust != nil {
		loc = req.zoneOf(cust.JoinedStoreID)
	}
	keepUntil, err := idleKeep(ctx, tx, p, card, gone, now, loc)
	if err != nil {
		return nil, err
	}
	var staffID int64
	if req.By != nil {
		staffID = req.By.ID
	}
	ret := Return{PublicID: NewReturnID(), PurchaseID: pur.ID, CardID: card.ID, ShopID: pur.ShopID,
		StaffID: staffID, Source: req.Source, ReturnRef: req.ReturnRef, IdempotencyKey: req.IdempotencyKey,
		RequestHash: req.RequestHash, Amount: req.Amount, CreatedAt: now}
	// An erased customer's forfeited points stand for those taken back.
	if err := restoreForfeit(ctx, tx, card, cust, "return:"+ret.PublicID, pur.PublicID, now); err != nil {
		return nil, err
	}
	var promos ReturnPromotions
	if req.promotions != nil {
		if promos, err = req.promotions(pur, req.Amount); err != nil {
			return nil, err
		}
	}
	ret.Taken, ret.Given = pointsReturned(pur, req.Amount, promos)
	balance := card.Balance
	if ret.Given > 0 {
		row, renewed, err := giveBack(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerReturn, Amount: ret.Given,
			Reason: pur.PublicID, IdempotencyKey: "return:" + ret.PublicID + ":give", CreatedAt: now}, now, keepUntil,
			func() ([]LotUse, error) {
				uses, err := tx.ListLotUses(ctx, pur.ID)
				return lotSlice(uses, pur.ReturnedRedeemed, pur.ReturnedRedeemed+ret.Given), err
			})
		if err != nil {
			return nil, err
		}
		ret.Renewed = renewed
		balance = row.BalanceAfter
	}
	if ret.Taken > 0 {
		// Earned points go back from the regular lots first, where the
		// earning put them (allocateReversal's order).
		row, taken, _, err := takeBack(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerReturn, Amount: -ret.Taken,
			Reason: pur.PublicID, IdempotencyKey: "return:" + ret.PublicID + ":take", CreatedAt: now}, LotRegular)
		if err != nil {
			return nil, err
		}
		ret.Short = ret.Taken - taken
		if taken > 0 {
			balance = row.BalanceAfter
		}
	}
	ret.Refund = refund(p, ret)
	if ret.Amount < pur.Amount {
		// The stamps of the share returned go with it (a purchase
		// returned whole is cancelled, and counts none anyway).
		left := StampsLeft(pur, ret.Amount)
		pur.ReturnedStamps += pur.Stamps - left
		pur.Stamps = left
	}
	pur.Amount -= ret.Amount
	pur.ReturnedAmount += ret.Amount
	pur.Earned -= ret.Taken
	pur.ReturnedEarned += ret.Taken
	pur.Redeemed -= ret.Given
	pur.ReturnedRedeemed += ret.Given
	if pur.Amount == 0 {
		pur.CancelledAt, pur.CancelledBy = now, staffID
	} else if rec := promos.Recorded; rec != nil && rec.Multiplier > 1 && !rec.Applies(pur.Amount) {
		// What stays earns at the usual rate or under promos.Stays
		// (pointsReturned): the promotions' results count it there.
		pur.LapsedPromotion = rec.ID
		pur.Promotion = ""
		if promos.Stays != nil {
			pur.Promotion = promos.Stays.ID
		}
	}
	if err := tx.WriteReturn(ctx, &ret, pur); err != nil {
		return nil, err
	}
	if gone != 0 {
		if balance, err = expireGone(ctx, tx, p, card, balance, now); err != nil {
			return nil, err
		}
	}
	if balance, err = forfeitLeft(ctx, tx, card, cust, "return:"+ret.PublicID, pur.PublicID, balance, now); err != nil {
		return nil, err
	}
	return &ReturnResult{Return: ret, Purchase: *pur, Balance: balance, Customer: cust, Created: true}, nil
}

// pointsReturned is what a return of amount of pur takes back of the
// points it earned and gives back of those paid with it: the shares of
// the whole receipt that all its returns so far and this one come to,
// less what the earlier returns moved. promos.Recorded multiplied its
// points: what stays of the receipt under its minimum keeps the points a
// receipt of that amount would have earned, at the usual rate or under
// promos.Stays ("×2 on receipts from 1,000" is no ×2 on 900 once 100
// came back).
func pointsReturned(pur *Purchase, amount int64, promos ReturnPromotions) (taken, given int64) {
	receipt, returned := pur.Receipt(), pur.ReturnedAmount+amount
	earned := pur.Earned + pur.ReturnedEarned
	taken = max(share(earned, returned, receipt)-pur.ReturnedEarned, 0)
	promo, stays := promos.Recorded, receipt-returned
	if promo != nil && promo.Multiplier > 1 && stays > 0 && !promo.Applies(stays) {
		mult := int64(1)
		if promos.Stays != nil {
			mult = min(promos.Stays.Multiplier, promo.Multiplier)
		}
		kept := share(earned, stays, receipt) / promo.Multiplier * mult
		taken = max(taken, pur.Earned-kept)
	}
	given = share(pur.Redeemed+pur.ReturnedRedeemed, returned, receipt) - pur.ReturnedRedeemed
	return taken, given
}

// PreviewReturn is what a return of amount of pur would do, for the staff
// to see before they confirm it: the card's balance says how many of the
// points to take back are still there; promos are those that bear on
// it (Service.ReturnPromotions; zero: none).
func PreviewReturn(p *Program, pur *Purchase, amount, balance int64, promos ReturnPromotions) Return {
	r := Return{Amount: amount}
	r.Taken, r.Given = pointsReturned(pur, amount, promos)
	r.Short = max(r.Taken-(balance+r.Given), 0)
	r.Refund = refund(p, r)
	return r
}

// refund is the money a return pays back: its amount less what the
// points given back and those short are worth.
func refund(p *Program, r Return) int64 {
	return max(r.Amount-(r.Given+r.Short)*p.PointValue, 0)
}

// share is a·b/c rounded down (b ≤ c, so it never exceeds a).
func share(a, b, c int64) int64 {
	q, _ := mulDiv(a, b, c, RoundDown)
	return q
}

// lotSlice is the part [from, to) of the points that paid a purchase,
// counted along its lot uses in their order: the lots a return gives
// back to. Returns in several steps give back consecutive parts, so no
// lot gets back more than it paid.
func lotSlice(uses []LotUse, from, to int64) []LotUse {
	var out []LotUse
	var at int64
	for _, u := range uses {
		lo, hi := max(from, at), min(to, at+u.Points)
		if hi > lo {
			out = append(out, LotUse{LotID: u.LotID, Points: hi - lo})
		}
		at += u.Points
	}
	return out
}
