package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Prizes: a customer takes a prize of the road map ([[rewards]]: "a free
// coffee" for 150 points) at the register. The cashier scans the card,
// taps the prize, confirms, and the points are paid, the customer is told
// and the prize is recorded for the shop's numbers. It is not a purchase:
// nothing is earned, no receipt, no tier spend; a purchase at the same
// visit is rung up after it, on the same card.

// LedgerPrize is points paid for a prize (negative), or given back by
// its cancellation (positive). The row's Reason is the prize's id in the
// config, so the customer's history names it.
const LedgerPrize LedgerKind = "prize"

// Prize is a prize given, as recorded.
type Prize struct {
	ID         int64
	PublicID   string // "g…", for staff and the POS
	CardID     int64
	CustomerID int64
	ShopID     int64
	StaffID    int64 // 0 for the POS API
	Source     string
	Reward     string // the [[rewards]] id
	Points     int64  // paid with (0 for a prize of stamps)
	Stamps     int    // paid with, of the stamp card (0 for a prize of points)
	// IdempotencyKey makes retries and double taps give the prize once;
	// the same key for another prize or card is ErrConflict.
	IdempotencyKey string
	Uses           []LotUse // the lots that paid it, given back by a cancellation
	CreatedAt      time.Time
	CancelledAt    time.Time
	CancelledBy    int64
}

// Cancelled reports whether the prize was cancelled.
func (p *Prize) Cancelled() bool { return !p.CancelledAt.IsZero() }

// NewPrizeID draws a prize's public id: "g" and 16 base32 characters.
func NewPrizeID() string { return "g" + NewPublicID()[1:] }

// PrizeRequest asks to give a prize.
type PrizeRequest struct {
	CardID         int64
	Reward         string // the [[rewards]] id
	ShopID         int64  // the store it is given at
	By             *Staff // nil for the POS API
	Source         string
	IdempotencyKey string
}

// PrizeResult is a prize given (or cancelled) and the card after it.
type PrizeResult struct {
	Prize    Prize
	Reward   RewardItem
	Balance  int64
	Stamps   int // the stamps left on the card after it (stamp card on)
	Customer *Customer
	// Created is false when the request repeated an earlier one.
	Created bool
}

// PrizeGiven: a customer took a prize for points; they are told.
type PrizeGiven struct{ Result *PrizeResult }

// PrizeCancelled: a prize given by mistake was cancelled and its points
// given back; the customer is told.
type PrizeCancelled struct{ Result *PrizeResult }

func (PrizeGiven) eventName() string     { return "prize_given" }
func (PrizeCancelled) eventName() string { return "prize_cancelled" }

// PrizeTooDearError: the card's points (or stamps, for a prize of
// stamps) do not pay for the prize; points about to expire, or still to
// come, do not count.
type PrizeTooDearError struct {
	Points, Balance int64
	Stamps          bool // Points and Balance count stamps
}

func (e *PrizeTooDearError) Error() string {
	unit := "points"
	if e.Stamps {
		unit = "stamps"
	}
	return fmt.Sprintf("the prize takes %d %s, the card has %d", e.Points, unit, e.Balance)
}

// RecentPrize is a prize with the customer's first name ("" once erased)
// and the giver's ("" for the POS).
type RecentPrize struct {
	Prize
	CustomerName string
	StaffName    string
}

// PrizeStore keeps the prizes given.
type PrizeStore interface {
	// FindPrizeByKey finds a prize by its idempotency key (ErrNotFound).
	FindPrizeByKey(ctx context.Context, key string) (*Prize, error)
	// FindPrizeByPublicID finds a prize by its public id (ErrNotFound).
	FindPrizeByPublicID(ctx context.Context, publicID string) (*Prize, error)
	// InsertPrize records a prize given (setting its ID).
	InsertPrize(ctx context.Context, p *Prize) error
	// MarkPrizeCancelled records a cancellation.
	MarkPrizeCancelled(ctx context.Context, id, byStaff int64, at time.Time) error
	// CardPrizes lists a card's prizes given since a time, newest first.
	CardPrizes(ctx context.Context, cardID int64, since time.Time, limit int) ([]Prize, error)
	// RecentPrizes lists the prizes given since a time (at a store; 0:
	// every store), newest first, with the names a list shows.
	RecentPrizes(ctx context.Context, shopID int64, since time.Time, limit int) ([]RecentPrize, error)
	// StampBalance counts a card's stamps: its purchases that stand, of
	// at least minAmount, since a time (zero: all), less the stamps of
	// its prizes that stand (never below 0).
	StampBalance(ctx context.Context, cardID, minAmount int64, since time.Time) (int, error)
}

// Stamps is the card's stamp count; 0 without a stamp card.
func (s *Service) Stamps(ctx context.Context, tx Tx, cardID int64) (int, error) {
	st := &s.Business.Gamification.Stamps
	if !st.Enabled {
		return 0, nil
	}
	return tx.StampBalance(ctx, cardID, st.MinAmount, st.Since)
}

// StampGoal is the stamp prize a count of stamps works towards: the
// dearest it pays for (ok, paid true), else the cheapest ahead (ok,
// paid false); ok is false without stamp prizes.
func (g *Gamification) StampGoal(stamps int) (r RewardItem, paid, ok bool) {
	for _, x := range g.Rewards {
		switch {
		case !x.ByStamps():
		case x.Stamps <= stamps && (!paid || x.Stamps > r.Stamps):
			r, paid, ok = x, true, true
		case x.Stamps > stamps && !paid && (!ok || x.Stamps < r.Stamps):
			r, ok = x, true
		}
	}
	return r, paid, ok
}

// MaxStampsPerPurchase is the most stamps one purchase earns (the
// database's check of purchases.stamps says the same).
const MaxStampsPerPurchase = 50

// Qualifies reports whether a purchase of amount made at a time earns
// stamps (its Stamps of them): with the stamp card on, of its minimum or
// more, made since it started.
func (c *StampsConfig) Qualifies(amount int64, at time.Time) bool {
	return c.Enabled && amount >= c.MinAmount && !at.Before(c.Since)
}

// Reward finds a prize of the config by its id.
func (g *Gamification) Reward(id string) (RewardItem, bool) {
	for _, r := range g.Rewards {
		if r.ID == id {
			return r, true
		}
	}
	return RewardItem{}, false
}

// GivePrize pays a prize with the card's points, under the card's lock:
// the points are taken from the lots a purchase would spend first, a
// "prize" ledger row records them and the prize is kept for the shop's
// numbers; it records PrizeGiven. Any staff who may ring up a purchase
// may give a prize. A prize the config no longer has is "error.prize.gone";
// a card short of points is *PrizeTooDearError; a closed card ErrNotFound.
// The same IdempotencyKey gives the first prize again (Created false).
func (s *Service) GivePrize(ctx context.Context, tx Tx, req PrizeRequest) (*PrizeResult, error) {
	if req.By != nil && !req.By.CanCheckout() {
		return nil, Invalid("staff.revoked")
	}
	reward, ok := s.Business.Gamification.Reward(req.Reward)
	if !ok {
		return nil, Invalid("error.prize.gone")
	}
	card, err := tx.LockCard(ctx, req.CardID)
	if err != nil {
		return nil, err
	}
	cust, err := tx.FindCustomerByID(ctx, card.CustomerID)
	if err != nil {
		return nil, err
	}
	if prev, err := tx.FindPrizeByKey(ctx, req.IdempotencyKey); err == nil {
		if prev.CardID != card.ID || prev.Reward != reward.ID {
			return nil, fmt.Errorf("prize %s: %w", req.IdempotencyKey, ErrConflict)
		}
		return &PrizeResult{Prize: *prev, Reward: reward, Balance: card.Balance, Customer: cust}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if cust.Erased || !cust.Member() {
		return nil, ErrNotFound
	}
	now := s.Now()
	if reward.ByStamps() {
		return s.givePrizeOfStamps(ctx, tx, req, reward, card, cust, now)
	}
	// Points past their date that the nightly job has not written off
	// yet (a card idle past the regular points' period) pay for nothing,
	// as at a purchase: written off first, under the card's lock.
	if _, err := ExpireCard(ctx, tx, s.Program(), card, now); err != nil {
		return nil, err
	}
	lots, err := tx.ListOpenLots(ctx, card.ID)
	if err != nil {
		return nil, err
	}
	uses, err := AllocateRedeem(lots, reward.Points, now)
	if errors.Is(err, ErrInsufficientPoints) {
		var usable int64
		for _, l := range lots {
			if l.Remaining > 0 && !expiredAt(l, now) {
				usable += l.Remaining
			}
		}
		return nil, &PrizeTooDearError{Points: reward.Points, Balance: usable}
	} else if err != nil {
		return nil, err
	}
	p := Prize{PublicID: NewPrizeID(), CardID: card.ID, CustomerID: cust.ID, ShopID: req.ShopID,
		Source: req.Source, Reward: reward.ID, Points: reward.Points, IdempotencyKey: req.IdempotencyKey,
		Uses: uses, CreatedAt: now}
	if req.By != nil {
		p.StaffID = req.By.ID
	}
	row, _, err := debit(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerPrize, Amount: -reward.Points,
		Reason: reward.ID, IdempotencyKey: "prize:" + p.PublicID, CreatedAt: now}, uses)
	if err != nil {
		return nil, err
	}
	if err := tx.InsertPrize(ctx, &p); err != nil {
		return nil, err
	}
	res := &PrizeResult{Prize: p, Reward: reward, Balance: row.BalanceAfter, Customer: cust, Created: true}
	return res, s.emit(ctx, tx, PrizeGiven{Result: res})
}

// givePrizeOfStamps gives a prize of stamps: no points move, the prize's
// row is what takes its stamps off the count.
func (s *Service) givePrizeOfStamps(ctx context.Context, tx Tx, req PrizeRequest, reward RewardItem, card *Card, cust *Customer, now time.Time) (*PrizeResult, error) {
	have, err := s.Stamps(ctx, tx, card.ID)
	if err != nil {
		return nil, err
	}
	if have < reward.Stamps {
		return nil, &PrizeTooDearError{Points: int64(reward.Stamps), Balance: int64(have), Stamps: true}
	}
	p := Prize{PublicID: NewPrizeID(), CardID: card.ID, CustomerID: cust.ID, ShopID: req.ShopID,
		Source: req.Source, Reward: reward.ID, Stamps: reward.Stamps, IdempotencyKey: req.IdempotencyKey, CreatedAt: now}
	if req.By != nil {
		p.StaffID = req.By.ID
	}
	if err := tx.InsertPrize(ctx, &p); err != nil {
		return nil, err
	}
	res := &PrizeResult{Prize: p, Reward: reward, Balance: card.Balance, Stamps: have - reward.Stamps, Customer: cust, Created: true}
	return res, s.emit(ctx, tx, PrizeGiven{Result: res})
}

// CancelPrize gives back the points of a prize given by mistake, to the
// lots that paid it (as new points for those expired since: giveBack),
// within CancelWindow; owners and managers only (a
// cashier could otherwise hand out a prize and give its points back).
// shopID, when not 0, must be the prize's store. Cancelling twice cancels
// once (Created false the second time); it records PrizeCancelled.
func (s *Service) CancelPrize(ctx context.Context, tx Tx, publicID string, shopID int64, by *Staff) (*PrizeResult, error) {
	if by != nil && !by.CanManage() {
		return nil, Invalid("staff.manager_only")
	}
	found, err := tx.FindPrizeByPublicID(ctx, publicID)
	if err != nil {
		return nil, err
	}
	if shopID != 0 && found.ShopID != shopID {
		return nil, ErrNotFound
	}
	card, err := tx.LockCard(ctx, found.CardID)
	if err != nil {
		return nil, err
	}
	p, err := tx.FindPrizeByPublicID(ctx, publicID) // again, under the lock
	if err != nil {
		return nil, err
	}
	cust, err := tx.FindCustomerByID(ctx, card.CustomerID)
	if err != nil {
		return nil, err
	}
	reward, ok := s.Business.Gamification.Reward(p.Reward)
	if !ok {
		reward = RewardItem{ID: p.Reward, Points: p.Points, Stamps: p.Stamps}
	}
	res := &PrizeResult{Prize: *p, Reward: reward, Balance: card.Balance, Customer: cust}
	if p.Cancelled() {
		return res, nil
	}
	if by.OwnCard(cust) {
		// Their own card: nobody gives themselves points back.
		return nil, Invalid("prize.own")
	}
	now := s.Now()
	if now.Sub(p.CreatedAt) > CancelWindow {
		return nil, Invalid("error.prize.too_old")
	}
	if p.Points > 0 {
		row, _, err := giveBack(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerPrize, Amount: p.Points,
			Reason: p.Reward, IdempotencyKey: "prize:" + p.PublicID + ":cancel", CreatedAt: now}, now, time.Time{},
			func() ([]LotUse, error) { return p.Uses, nil })
		if err != nil {
			return nil, err
		}
		// Points given back to an erased customer's card go as its
		// balance went at the erasure.
		if res.Balance, err = forfeitLeft(ctx, tx, card, cust, "prize:"+p.PublicID+":cancel", p.Reward, row.BalanceAfter, now); err != nil {
			return nil, err
		}
	}
	var byID int64
	if by != nil {
		byID = by.ID
	}
	if err := tx.MarkPrizeCancelled(ctx, p.ID, byID, now); err != nil {
		return nil, err
	}
	res.Prize.CancelledAt, res.Prize.CancelledBy = now, byID
	res.Created = true
	if res.Stamps, err = s.Stamps(ctx, tx, card.ID); err != nil {
		return nil, err
	}
	return res, s.emit(ctx, tx, PrizeCancelled{Result: res})
}
