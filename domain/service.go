package domain

import (
	"cmp"
	"context"
	"sync"
	"time"
)

// Service holds the use cases of the program: the business functions that
// chat flows, the POS API, the CLI and scheduled jobs all call, so each
// exists once. A use case runs in the caller's transaction (a chat step
// already holds one, with the conversation locked), records its events
// there, and its reactions run before it returns.
type Service struct {
	Business *Business
	Signer   *CardSigner
	// Now is the business clock: the one time source of the program.
	Now func() time.Time
	// Salt keys the hashes kept of erased customers' identifiers.
	Salt []byte
	Reactions

	shopsMu sync.Mutex
	shops   map[int64]cachedShop
	shopIDs map[string]int64 // by code (ShopIDByCode)

	// feedbackWalk is where the feedback job's next walk of the
	// purchases starts (rate.go).
	feedbackWalk feedbackCursor
}

// NewService builds a service; now nil means time.Now.
func NewService(b *Business, signer *CardSigner, salt []byte, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{Business: b, Signer: signer, Salt: salt, Now: now}
	s.On(attributeNudges)
	s.On(trackReplenishment)
	s.On(s.withdrawBoughtNudges)
	s.On(s.withdrawSparedNudges)
	s.On(s.withdrawRatingRequest)
	s.After(s.welcomeUndone) // after the cancellation's own message
	s.After(s.gamify)
	return s
}

// Program is the points program of the business.
func (s *Service) Program() *Program { return &s.Business.Program }

// RecordPurchase records a receipt against a card (see the package
// function of the same name) and, when it is new, the PurchaseRecorded
// event.
func (s *Service) RecordPurchase(ctx context.Context, tx Tx, req PurchaseRequest) (*PurchaseResult, error) {
	if bs := s.purchaseBadgeList(); len(bs) > 0 {
		q := s.badgeQuery(0, bs, time.Time{})
		req.badges = &q
	}
	// The live promotions are read with the card, in its round trip.
	tx.PrefetchLivePromotions()
	req.promotionAt = func() (*Promotion, error) { return s.PromotionAt(ctx, tx, req.ShopID, req.Amount) }
	req.zoneOf = func(id int64) *time.Location { return s.zoneOf(ctx, tx, id) }
	res, err := RecordPurchase(ctx, tx, s.Program(), req, s.Now())
	if err != nil || !res.Created {
		return res, err
	}
	return res, s.emit(ctx, tx, PurchaseRecorded{Result: res})
}

// CancelPurchase reverses a purchase (see the package function) and, the
// first time only, records PurchaseCancelled. A staff member (byStaff;
// 0 is the POS) must be one who may cancel it (Staff.CanCancel), and
// not of their own card (Staff.OwnCard), else it is a *ValidationError.
// The result carries the card's tier after the reversal.
func (s *Service) CancelPurchase(ctx context.Context, tx Tx, publicID string, shopID, byStaff int64) (*PurchaseResult, error) {
	now := s.Now()
	if byStaff != 0 {
		st, err := tx.FindStaffByID(ctx, byStaff)
		if err != nil {
			return nil, err
		}
		p, err := tx.FindPurchaseByPublicID(ctx, publicID)
		if err != nil {
			return nil, err
		}
		if !p.Cancelled() && !st.CanCancel(p, s.Program(), now) {
			return nil, Invalid("staff.manager_only")
		}
		if !p.Cancelled() {
			c, err := tx.FindCustomerByID(ctx, p.CustomerID)
			if err != nil {
				return nil, err
			}
			if st.OwnCard(c) {
				// The points paid would come back to their own card.
				return nil, Invalid("checkout.cancel_purchase.own")
			}
		}
	}
	if err := s.checkStampsKept(ctx, tx, publicID, shopID); err != nil {
		return nil, err
	}
	res, err := CancelPurchase(ctx, tx, s.Program(), publicID, shopID, byStaff, now,
		func(id int64) *time.Location { return s.zoneOf(ctx, tx, id) })
	if err != nil {
		return nil, err
	}
	if res.Tier, res.TierDown, err = s.tierAfter(ctx, tx, &res.Purchase, res.Purchase.Amount, now); err != nil {
		return nil, err
	}
	if !res.Created {
		res.TierDown = false
		return res, nil
	}
	if err := s.emit(ctx, tx, PurchaseCancelled{Result: res}); err != nil {
		return nil, err
	}
	// The reactions may have taken more back (a badge the purchase
	// earned, the welcome bonus it paid): the caller's answer says the
	// balance as it stands, as a repeated cancel's does.
	res.Balance, err = s.balanceOf(ctx, tx, res.Purchase.CardID)
	return res, err
}

// balanceOf reads a card's balance.
func (s *Service) balanceOf(ctx context.Context, tx Tx, cardID int64) (int64, error) {
	card, err := tx.FindCardByID(ctx, cardID)
	if err != nil {
		return 0, err
	}
	return card.Balance, nil
}

// ReturnPurchase takes back part of a purchase (see the package
// function) and, the first time only, records PurchaseReturned. Staff
// who may not take returns (Staff.CanTakeReturns) are refused. The
// result carries the card's tier after the return.
func (s *Service) ReturnPurchase(ctx context.Context, tx Tx, req ReturnRequest) (*ReturnResult, error) {
	if req.By != nil && !req.By.CanTakeReturns(s.Program()) {
		return nil, Invalid("staff.manager_only")
	}
	// A return that leaves the purchase short of the stamp card's minimum
	// (all of it: cancelled) takes its stamps as a cancel does: checked
	// under the card's lock, once the return is known new.
	req.stamps = &s.Business.Gamification.Stamps
	req.zoneOf = func(id int64) *time.Location { return s.zoneOf(ctx, tx, id) }
	req.promotions = func(pur *Purchase, amount int64) (ReturnPromotions, error) {
		return s.ReturnPromotions(ctx, tx, pur, amount)
	}
	now := s.Now()
	res, err := ReturnPurchase(ctx, tx, s.Program(), req, now)
	if err != nil {
		return nil, err
	}
	if res.Tier, res.TierDown, err = s.tierAfter(ctx, tx, &res.Purchase, res.Return.Amount, now); err != nil {
		return nil, err
	}
	if !res.Created {
		res.TierDown = false
		return res, nil
	}
	if err := s.emit(ctx, tx, PurchaseReturned{Result: res}); err != nil {
		return nil, err
	}
	res.Balance, err = s.balanceOf(ctx, tx, res.Purchase.CardID) // as CancelPurchase
	return res, err
}

// tierAfter is the card's tier by its spend of the year to now, after a
// cancellation or a return took taken of purchase p's amount back; down
// says that took the card below the tier it had with that amount.
func (s *Service) tierAfter(ctx context.Context, tx Tx, p *Purchase, taken int64, now time.Time) (tier Tier, down bool, err error) {
	since := now.AddDate(-1, 0, 0)
	spend, err := tx.SpendSince(ctx, p.CardID, since)
	if err != nil {
		return Tier{}, false, err
	}
	tier, _, _, _ = s.Program().TierFor(spend)
	if taken > 0 && !p.CreatedAt.Before(since) {
		before, _, _, _ := s.Program().TierFor(spend + taken)
		down = before.MinSpend > tier.MinSpend
	}
	return tier, down, nil
}

// PromotionAt is the promotion running now at the store that applies to
// a receipt of amount (AnyAmount: whatever the receipt; nil: none): the
// highest multiplier of the config's promotions and the live ones, a
// config one first among equals. The config's need the store's code and
// time zone, read once per process; the live ones one indexed read.
func (s *Service) PromotionAt(ctx context.Context, tx Tx, shopID, amount int64) (*Promotion, error) {
	running, err := s.promotionsAt(ctx, tx, shopID, s.Now(), false)
	if err != nil {
		return nil, err
	}
	return BestPromotion(running, amount), nil
}

// promotionsAt lists the promotions running at the store at time at:
// the config's, then the live ones (those stopped since too when past:
// they ran then).
func (s *Service) promotionsAt(ctx context.Context, tx Tx, shopID int64, at time.Time, past bool) ([]*Promotion, error) {
	p := s.Program()
	var running []*Promotion
	if len(p.Promotions) > 0 {
		shop, loc, err := s.shop(ctx, tx, shopID)
		if err != nil {
			return nil, err
		}
		running = p.PromotionsAt(shop.Code, at.In(loc))
	}
	read := tx.LivePromotionsAt
	if past {
		read = tx.LivePromotionsRanAt
	}
	live, err := read(ctx, shopID, at)
	if err != nil {
		return nil, err
	}
	for i := range live {
		running = append(running, &live[i])
	}
	return running, nil
}

// ReturnPromotions finds what multiplied the points of pur as it was
// rung up (Recorded, Service.PromotionByID) and, when a return of amount
// leaves the receipt under its minimum, the best of the promotions that
// ran at the store when it was bought that multiplies what stays
// (Stays): as the config and the live promotions stand now.
func (s *Service) ReturnPromotions(ctx context.Context, tx Tx, pur *Purchase, amount int64) (ReturnPromotions, error) {
	rec, err := s.PromotionByID(ctx, tx, cmp.Or(pur.LapsedPromotion, pur.Promotion))
	if err != nil || rec == nil {
		return ReturnPromotions{}, err
	}
	ps := ReturnPromotions{Recorded: rec}
	if stays := pur.Receipt() - pur.ReturnedAmount - amount; stays > 0 && !rec.Applies(stays) {
		running, err := s.promotionsAt(ctx, tx, pur.ShopID, pur.CreatedAt, true)
		if err != nil {
			return ps, err
		}
		ps.Stays = BestPromotion(running, stays)
	}
	return ps, nil
}

// QuoteWithPromotion reads a card for the register at the business
// clock's now (QuoteCard) and the promotion running at the store that
// applies to amount, in the card's round trip.
func (s *Service) QuoteWithPromotion(ctx context.Context, tx Tx, cardID, amount, shopID int64) (*CardQuote, *Promotion, error) {
	tx.PrefetchLivePromotions()
	q, err := QuoteCard(ctx, tx, s.Program(), cardID, amount, s.Now())
	if err != nil {
		return nil, nil, err
	}
	promo, err := s.PromotionAt(ctx, tx, shopID, amount)
	if err != nil {
		return nil, nil, err
	}
	return q, promo, nil
}

// QuoteCard reads a card for the register at the business clock's now.
func (s *Service) QuoteCard(ctx context.Context, tx Tx, cardID, amount int64) (*CardQuote, error) {
	return QuoteCard(ctx, tx, s.Program(), cardID, amount, s.Now())
}

// checkStampsKept refuses to cancel a purchase whose stamps paid for a
// stamp prize since, as one whose points were spent is refused: the card
// would owe stamps its count (never below 0) cannot show, and the next
// purchase's "+1 stamp" would move nothing. The prize is cancelled
// first. shopID, when not 0, must be the purchase's store (else
// ErrNotFound, before any lock). The card is locked before the count, so
// no prize is given in between.
func (s *Service) checkStampsKept(ctx context.Context, tx Tx, publicID string, shopID int64) error {
	st := &s.Business.Gamification.Stamps
	if !st.Enabled {
		return nil
	}
	p, err := tx.FindPurchaseByPublicID(ctx, publicID)
	if err == nil && shopID != 0 && p.ShopID != shopID {
		return ErrNotFound // another store's purchase, as CancelPurchase answers it
	}
	if err != nil || p.Cancelled() || p.Stamps <= 0 || !st.Qualifies(p.Amount, p.CreatedAt) {
		return err
	}
	if _, err := tx.LockCard(ctx, p.CardID); err != nil {
		return err
	}
	return stampsKept(ctx, tx, st, p, p.Amount)
}

// stampsKept refuses (error.cancel.stamps_spent) to take back returned of
// purchase p when the stamps that goes with it (all of them for a return
// of it all, or one that leaves it under the minimum; else those of the
// share returned, see StampsLeft) paid for a prize since. The card must
// be locked.
func stampsKept(ctx context.Context, tx Tx, st *StampsConfig, p *Purchase, returned int64) error {
	if !st.Enabled || p.Stamps <= 0 || !st.Qualifies(p.Amount, p.CreatedAt) {
		return nil // no stamps
	}
	taken := p.Stamps - StampsLeft(p, returned)
	if returned >= p.Amount || !st.Qualifies(p.Amount-returned, p.CreatedAt) {
		taken = p.Stamps
	}
	if taken <= 0 {
		return nil // they stay
	}
	have, err := tx.StampBalance(ctx, p.CardID, st.MinAmount, st.Since)
	if err != nil {
		return err
	}
	if have < taken {
		return Invalid("error.cancel.stamps_spent")
	}
	return nil
}

// StampsLeft is what stands of p's stamps after a return of returned of
// its amount: their share of the receipt that stays, rounded up, so two
// of three coffees brought back leave one stamp, and a cake brought back
// from three coffees and a cake leaves all three. (Under the stamp
// card's minimum the purchase counts none, whatever it keeps.)
func StampsLeft(p *Purchase, returned int64) int {
	if p.Stamps <= 0 || p.Amount <= 0 || returned >= p.Amount {
		return 0
	}
	if returned <= 0 {
		return p.Stamps
	}
	// A share of the whole receipt, as the points' (pointsReturned):
	// returns in steps leave what one return of as much would.
	receipt, stays := p.Receipt(), p.Amount-returned
	all := int64(p.Stamps + p.ReturnedStamps)
	return min(int((all*stays+receipt-1)/receipt), p.Stamps)
}
