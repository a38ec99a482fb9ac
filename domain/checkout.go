package domain

import (
	"context"
	"fmt"
	"time"
)

// PurchaseRequest is a receipt to record against a card, from a cashier's
// chat or the POS API.
type PurchaseRequest struct {
	CardID         int64
	CardNumber     string // instead of CardID: a typed code resolves to it without a query
	ShopID         int64
	StaffID        int64 // 0 for the POS API
	Source         string
	ReceiptID      string
	IdempotencyKey string // one purchase per key, whatever retries happen
	RequestHash    string // same key with another hash is a conflict
	Amount         int64
	Currency       string
	Redeem         int64
	Categories     []string
	// Stamps is how many stamps of the stamp card the purchase earns
	// (nil: one), from 0 to MaxStampsPerPurchase.
	Stamps *int
	// LookupBy, for a card given as a typed code (CardNumber), is who
	// typed it: the limits on failed lookups are read with the card, in
	// the same round trip, and a source or card over them refuses the
	// purchase (*TooManyAttemptsError) before anything is written.
	LookupBy *LookupSource

	// badges, set by Service.RecordPurchase when badges can be earned by
	// a purchase, has the badge facts read with the card.
	badges *BadgeFactsQuery
	// promotionAt, set by Service.RecordPurchase, finds the promotion
	// running at the store now (nil: none), asked once the card is read.
	promotionAt func() (*Promotion, error)
	// zoneOf, set by Service.RecordPurchase, is the time zone of a
	// customer who joined at a store (Service.zoneOf): a held welcome
	// bonus paid now is good through its last day there.
	zoneOf func(joinedStoreID int64) *time.Location
}

// PurchaseResult is a recorded purchase with the card's balance after it.
type PurchaseResult struct {
	Purchase Purchase
	Balance  int64
	Customer *Customer
	Tier     Tier
	// TierUp is true when this purchase lifted the card to Tier from a
	// lower one (the customer is told, and earns its rate from the next
	// purchase on).
	TierUp bool
	// TierDown is true when this purchase's cancellation took the card
	// down to Tier from a higher one (the customer is told).
	TierDown bool
	// Created is false when the request repeated an earlier one.
	Created bool
	// First is true for the customer's first purchase (it unlocks the
	// questionnaire sections offered after a first purchase).
	First bool
	// Welcome is the held welcome bonus this purchase credited (0: none),
	// included in Balance.
	Welcome int64
	// Alerts are the velocity limits the owners are to hear of with this
	// purchase (a subset of Purchase.Flags; see velocity).
	Alerts []VelocityAlert
	// Promotion is the promotion that multiplied Earned (nil: none, or a
	// repeated request).
	Promotion *Promotion

	// badges is the customer's badge record with this purchase counted,
	// when the request asked for it.
	badges *BadgeFacts
}

// CheckoutQuery says what LoadCheckout reads.
type CheckoutQuery struct {
	CardID         int64
	CardNumber     string // used when CardID is 0
	IdempotencyKey string
	StaffID        int64
	SpendSince     time.Time   // 365 days back
	CardSince      time.Time   // 24 hours back (velocity)
	StaffSince     time.Time   // 1 hour back (velocity)
	WithLots       bool        // also list the open lots (points will be paid)
	LookupKeys     []LookupKey // also read these failed-lookup counters
	// Badges, when set, also reads the badge facts of the card's
	// customer (its CustomerID is not used), before the purchase.
	Badges *BadgeFactsQuery
}

// CheckoutState is the locked card and what a purchase decides on.
type CheckoutState struct {
	Card         Card
	Customer     Customer
	PrevPublicID string // a purchase with the same idempotency key, "" if none
	Purchases    int    // 0 before the customer's first purchase, else 1 (not a full count)
	Spend        int64
	CardCount    int
	StaffCount   int
	ExpiryFacts
	Lots           []Lot // the open lots, oldest first, if asked for
	LookupFailures []int // the counts of CheckoutQuery.LookupKeys, in order
	// Held is a welcome bonus waiting for a purchase (Points 0: none).
	Held HeldWelcome
	// Badges is what CheckoutQuery.Badges asked for (nil: not asked).
	Badges *BadgeFacts
}

// PurchaseWrites is what a purchase writes besides its own row.
type PurchaseWrites struct {
	Debit   *LedgerEntry // the points paid, nil if none
	Uses    []LotUse     // the lots that pay Debit
	Credit  *LedgerEntry // the points earned, as a regular lot; nil if none
	Welcome *LedgerEntry // the held welcome bonus, as a promo lot; nil if none was held
}

// ExpiryFacts sum up a card's open lots and last purchase, to skip the
// expiry pass when nothing can be due.
type ExpiryFacts struct {
	LastPurchase   time.Time // the last purchase standing (zero: none)
	EarliestExpiry time.Time // soonest own expiry among open lots (zero: none)
	HasRegular     bool      // open regular lots exist
	// Held is a welcome bonus held for the card's next purchase (0:
	// none), which the balance does not count yet; read along by
	// FindCardWithExpiry only.
	Held int64
}

// Due reports whether any lot of a card made at created may expire at
// now.
func (x ExpiryFacts) Due(p *Program, created, now time.Time) bool {
	if !x.EarliestExpiry.IsZero() && !now.Before(x.EarliestExpiry) {
		return true
	}
	if x.HasRegular && p.RegularExpiryDays > 0 {
		last := x.LastPurchase
		if last.IsZero() {
			last = created
		}
		return !now.Before(last.AddDate(0, 0, p.RegularExpiryDays))
	}
	return false
}

// expiryDue reports whether any lot of the card may expire at now.
func (st *CheckoutState) expiryDue(p *Program, now time.Time) bool {
	return st.ExpiryFacts.Due(p, st.Card.CreatedAt, now)
}

// VelocityAlert is a velocity limit passed by a purchase, for the owners.
type VelocityAlert struct {
	Flag  string // FlagCardVelocity or FlagCashierVelocity
	Count int    // purchases in the limit's window, this one included
	Limit int
}

// velocity says whether the n-th purchase of a card in a day (or of a
// cashier in an hour) is over limit (0: none), and whether the owners are
// told of it. Every purchase over the limit is flagged on its record; the
// owners hear of the first one and then of every limit-th after it (with
// a limit of 5: the 6th, 11th, 16th…). A card or a till that keeps going
// is reported again, but an owner does not get a message per purchase,
// which during a real burst would bury the alert in its own copies and
// flood the owner's chat.
func velocity(n, limit int) (over, tell bool) {
	if limit <= 0 || n <= limit {
		return false, false
	}
	return true, (n-limit-1)%limit == 0
}

// CancelWindow is how long after a purchase it can still be cancelled.
const CancelWindow = 24 * time.Hour

// RecordPurchase writes a purchase and its ledger rows in the caller's
// transaction: points to redeem are taken from lots (promo first), points
// earned are credited as a regular lot. The card row is locked first, so
// concurrent purchases on one card queue up and can never overdraw it, and
// a repeated idempotency key returns the first purchase.
func RecordPurchase(ctx context.Context, tx Tx, p *Program, req PurchaseRequest, now time.Time) (*PurchaseResult, error) {
	if req.Stamps != nil && (*req.Stamps < 0 || *req.Stamps > MaxStampsPerPurchase) {
		return nil, Invalid("checkout.stamps.invalid")
	}
	cq := CheckoutQuery{
		CardID: req.CardID, CardNumber: req.CardNumber, IdempotencyKey: req.IdempotencyKey, StaffID: req.StaffID,
		SpendSince: now.AddDate(-1, 0, 0), CardSince: now.Add(-24 * time.Hour), StaffSince: now.Add(-time.Hour),
		WithLots: req.Redeem > 0,
	}
	if req.LookupBy != nil && req.CardID == 0 && req.CardNumber != "" {
		cq.LookupKeys = lookupKeys(*req.LookupBy, req.CardNumber, now)
	}
	if req.badges != nil {
		// The badges a purchase may earn are checked on the record read
		// now, with the purchase added, rather than read again after it:
		// a round trip less.
		bq := *req.badges
		bq.Now, bq.ShopID = now, req.ShopID
		cq.Badges = &bq
	}
	st, err := tx.LoadCheckout(ctx, cq)
	if err != nil {
		return nil, err
	}
	if err := overLimit(cq.LookupKeys, st.LookupFailures, now, atLimit); err != nil {
		return nil, err
	}
	card, cust := &st.Card, &st.Customer
	if cust.Erased && st.PrevPublicID == "" {
		return nil, fmt.Errorf("card %d of an erased customer: %w", card.ID, ErrNotFound)
	}
	if st.PrevPublicID != "" {
		prev, err := tx.FindPurchaseByPublicID(ctx, st.PrevPublicID)
		if err != nil {
			return nil, err
		}
		if prev.RequestHash != req.RequestHash || prev.CardID != card.ID {
			return nil, fmt.Errorf("purchase %s: %w: same key, other request", req.IdempotencyKey, ErrConflict)
		}
		tier, _, _, _ := p.TierFor(st.Spend)
		return &PurchaseResult{Purchase: *prev, Balance: card.Balance, Customer: cust, Tier: tier}, nil
	}
	if st.expiryDue(p, now) {
		if _, err := ExpireCard(ctx, tx, p, card, now); err != nil {
			return nil, err
		}
		if req.Redeem > 0 {
			// Expiry emptied some lots; pay from what is left.
			if st.Lots, err = tx.ListOpenLots(ctx, card.ID); err != nil {
				return nil, err
			}
		}
	}
	var held *LedgerEntry
	if st.Held.Points > 0 {
		// A member who typed their phone gets the welcome bonus now: a
		// purchase at a register is what a typed number could not prove.
		// It is credited before the points are paid, so it can pay for
		// this very purchase, as a bonus credited at joining can.
		st.Held.CardID = card.ID
		loc := time.UTC
		if req.zoneOf != nil && cust != nil {
			loc = req.zoneOf(cust.JoinedStoreID)
		}
		held = heldWelcomeEntry(st.Held, card.CustomerID, "", now, loc)
	}
	var promo *Promotion
	if req.promotionAt != nil {
		if promo, err = req.promotionAt(); err != nil {
			return nil, err
		}
	}
	spendable := card.Balance
	if held != nil {
		spendable += held.Amount
	}
	q, err := p.Quote(req.Amount, req.Redeem, spendable, st.Spend, promo)
	if err != nil {
		return nil, err
	}
	var flags []string
	var alerts []VelocityAlert
	check := func(flag string, n, limit int) {
		if over, tell := velocity(n, limit); over {
			flags = append(flags, flag)
			if tell {
				alerts = append(alerts, VelocityAlert{Flag: flag, Count: n, Limit: limit})
			}
		}
	}
	check(FlagCardVelocity, st.CardCount+1, p.MaxPurchasesPerCardPerDay)
	if req.StaffID != 0 {
		check(FlagCashierVelocity, st.StaffCount+1, p.MaxPurchasesPerCashierPerHour)
	}
	pur := Purchase{
		PublicID: NewPublicID(), CardID: card.ID, CustomerID: card.CustomerID, ShopID: req.ShopID,
		StaffID: req.StaffID, Source: req.Source, ReceiptID: req.ReceiptID, Amount: req.Amount,
		Currency: req.Currency, Earned: q.Earn, Redeemed: q.Redeem, Categories: req.Categories,
		Flags: flags, CreatedAt: now, IdempotencyKey: req.IdempotencyKey, RequestHash: req.RequestHash,
		Stamps: 1,
	}
	if req.Stamps != nil {
		pur.Stamps = *req.Stamps
	}
	if q.Promotion != nil {
		pur.Promotion = q.Promotion.ID
	}
	w := PurchaseWrites{}
	if held != nil {
		held.Reason, held.CreatedAt = pur.PublicID, now
		w.Welcome = held
		if q.Redeem > 0 {
			// The points paid may come from the welcome lot: it is
			// written first (WritePurchase's copy of it is then a no-op
			// under the same key, and drops the held row).
			if _, _, err := Credit(ctx, tx, *held, LotPromo); err != nil {
				return nil, err
			}
			if st.Lots, err = tx.ListOpenLots(ctx, card.ID); err != nil {
				return nil, err
			}
		}
	}
	if q.Earn > 0 {
		w.Credit = &LedgerEntry{CardID: card.ID, Kind: LedgerEarn, Amount: q.Earn,
			Reason: pur.PublicID, IdempotencyKey: "purchase:" + pur.PublicID + ":earn"}
	}
	if q.Redeem > 0 {
		if w.Uses, err = AllocateRedeem(st.Lots, q.Redeem, now); err != nil {
			return nil, err
		}
		w.Debit = &LedgerEntry{CardID: card.ID, Kind: LedgerRedeem, Amount: -q.Redeem,
			Reason: pur.PublicID, IdempotencyKey: "purchase:" + pur.PublicID + ":redeem"}
	}
	// The card is locked and everything the writes depend on was read, so
	// the result is known before they run: they go in one round trip,
	// with what the reactions to the purchase write. The tier is the one
	// after this purchase, so the customer sees a promotion now.
	tier, _, _, _ := p.TierFor(st.Spend + req.Amount)
	before, _, _, _ := p.TierFor(st.Spend)
	res := &PurchaseResult{Purchase: pur, Balance: spendable - q.Redeem + q.Earn, Customer: cust,
		Tier: tier, TierUp: tier.MinSpend > before.MinSpend, Created: true, First: st.Purchases == 0,
		Alerts: alerts, Promotion: q.Promotion}
	if st.Badges != nil {
		res.badges = st.Badges.afterPurchase()
	}
	if held != nil {
		res.Welcome = held.Amount
	}
	if err := tx.WritePurchase(ctx, &res.Purchase, w); err != nil {
		return nil, err
	}
	return res, nil
}

// CardQuote is what a cashier or POS sees before charging: the customer's
// name, balance, tier and the most points payable on an amount.
type CardQuote struct {
	Card      *Card
	Customer  *Customer
	Tier      Tier
	Next      Tier
	ToNext    int64
	HasNext   bool
	MaxRedeem int64
	Spend     int64 // rolling 365-day spend, which sets the tier
	// Held is a welcome bonus waiting for the card's first purchase (0:
	// none): that purchase credits it before paying, so it can pay for
	// it, as a bonus credited at joining can (see Spendable).
	Held int64
}

// Spendable is what a purchase now may pay with: the balance and a
// welcome bonus the purchase credits.
func (q *CardQuote) Spendable() int64 { return q.Card.Balance + q.Held }

// QuoteCard reads a card for the register. amount may be 0 (unknown yet).
// Points past their expiry that the nightly job has not written off yet
// are written off first (under the card's lock), so the register, the
// POS and the customer are never offered points a purchase would refuse.
func QuoteCard(ctx context.Context, tx Tx, p *Program, cardID, amount int64, now time.Time) (*CardQuote, error) {
	return quoteCard(ctx, tx, p, cardID, amount, now)
}

// CardOf is the member's card as it stands at now: points past their
// date are written off first (as a quote does), so the card shows no
// points the register would refuse. The usual card, with nothing due,
// costs one statement, or none after the chat's opening read
// (ReadCardExpiry).
func CardOf(ctx context.Context, tx Tx, p *Program, customerID int64, now time.Time) (*Card, error) {
	card, _, err := MemberCard(ctx, tx, p, customerID, now)
	return card, err
}

// MemberCard is CardOf with the points of a welcome bonus held for the
// card's next purchase (0: none), which the balance does not count yet:
// read along, no statement more.
func MemberCard(ctx context.Context, tx Tx, p *Program, customerID int64, now time.Time) (*Card, int64, error) {
	card, x, err := tx.FindCardWithExpiry(ctx, customerID)
	if err != nil {
		return nil, 0, err
	}
	held := x.Held
	if !x.Due(p, card.CreatedAt, now) {
		return card, held, nil
	}
	if card, err = tx.LockCard(ctx, card.ID); err != nil {
		return nil, 0, err
	}
	if _, err := ExpireCard(ctx, tx, p, card, now); err != nil {
		return nil, 0, err
	}
	return card, held, nil
}

func quoteCard(ctx context.Context, tx Tx, p *Program, cardID, amount int64, now time.Time) (*CardQuote, error) {
	// Asked at each step of a checkout at the till: one round trip.
	card, cust, spend, expiry, held, err := tx.CardForQuote(ctx, cardID, now.AddDate(-1, 0, 0))
	if err != nil {
		return nil, err
	}
	if expiry.Due(p, card.CreatedAt, now) {
		if card, err = tx.LockCard(ctx, cardID); err != nil {
			return nil, err
		}
		if _, err := ExpireCard(ctx, tx, p, card, now); err != nil {
			return nil, err
		}
	}
	q := &CardQuote{Card: card, Customer: cust, Spend: spend, Held: held}
	q.Tier, q.Next, q.ToNext, q.HasNext = p.TierFor(spend)
	if amount > 0 {
		q.MaxRedeem = p.MaxRedeemable(amount, q.Spendable())
	}
	return q, nil
}

// CancelPurchase reverses a purchase within CancelWindow: the earned points
// are taken back and the redeemed ones returned to the lots they came
// from (as new points for those of lots expired since: giveBack), each as
// a ledger row. shopID, when not 0, must match the
// purchase's store (a POS key sees only its own store).
//
// Cancelling twice, even at the same moment (a POS retrying, two managers
// tapping Cancel), reverses once: the purchase is read again under the
// card's lock, so the second sees the first's cancellation and returns
// the same purchase with Created false; only the caller that sees Created
// tells the customer.
//
// Points given back to a card that is idle once the purchase is gone
// live p's RegularExpiryDays from now, in the customer's zone (zoneOf;
// nil: UTC) through the last day: see idleKeep.
func CancelPurchase(ctx context.Context, tx Tx, p *Program, publicID string, shopID, byStaff int64, now time.Time,
	zoneOf func(joinedStoreID int64) *time.Location) (*PurchaseResult, error) {
	card, pur, cust, err := lockPurchase(ctx, tx, publicID, shopID)
	if err != nil {
		return nil, err
	}
	if pur.Cancelled() {
		return &PurchaseResult{Purchase: *pur, Balance: card.Balance, Customer: cust}, nil
	}
	if now.Sub(pur.CreatedAt) > CancelWindow {
		return nil, Invalid("error.cancel.too_old")
	}
	loc := time.UTC
	if zoneOf != nil && cust != nil {
		loc = zoneOf(cust.JoinedStoreID)
	}
	keepUntil, err := idleKeep(ctx, tx, p, card, pur.ID, now, loc)
	if err != nil {
		return nil, err
	}
	// Points past their date that the nightly job has not written off
	// yet cover no points taken back: written off first, as at a return.
	if _, err := ExpireCard(ctx, tx, p, card, now); err != nil {
		return nil, err
	}
	// An erased customer's forfeited points stand for those taken back.
	if err := restoreForfeit(ctx, tx, card, cust, "cancel:"+pur.PublicID, pur.PublicID, now); err != nil {
		return nil, err
	}
	balance, err := reversePurchase(ctx, tx, card, pur, now, keepUntil)
	if err != nil {
		return nil, err
	}
	if err := tx.MarkPurchaseCancelled(ctx, pur.ID, byStaff, now); err != nil {
		return nil, err
	}
	if balance, err = expireGone(ctx, tx, p, card, balance, now); err != nil {
		return nil, err
	}
	if balance, err = forfeitLeft(ctx, tx, card, cust, "cancel:"+pur.PublicID, pur.PublicID, balance, now); err != nil {
		return nil, err
	}
	pur.CancelledAt, pur.CancelledBy = now, byStaff
	return &PurchaseResult{Purchase: *pur, Balance: balance, Customer: cust, Created: true}, nil
}

// lockPurchase finds a purchase (of shopID's store, when not 0), locks
// its card and reads the purchase again under the lock, with its
// customer: every cancellation and return of it happens under that lock,
// so what is read then is the last word.
func lockPurchase(ctx context.Context, tx Tx, publicID string, shopID int64) (*Card, *Purchase, *Customer, error) {
	found, err := tx.FindPurchaseByPublicID(ctx, publicID)
	if err != nil {
		return nil, nil, nil, err
	}
	if shopID != 0 && found.ShopID != shopID {
		return nil, nil, nil, ErrNotFound
	}
	card, err := tx.LockCard(ctx, found.CardID)
	if err != nil {
		return nil, nil, nil, err
	}
	pur, err := tx.FindPurchaseByPublicID(ctx, publicID)
	if err != nil {
		return nil, nil, nil, err
	}
	cust, err := tx.FindCustomerByID(ctx, card.CustomerID)
	if err != nil {
		return nil, nil, nil, err
	}
	return card, pur, cust, nil
}

// reversePurchase writes the ledger rows of a cancellation at now and
// moves the lots, each only with a ledger row that is new: a reversal
// written before must not restore the lots again. The points paid go back
// first (as giveBack says), then the points earned are taken back, as a
// return does: earned points spent since are covered by those given back,
// and only a card that cannot cover them either is refused, before
// anything is written. It returns the balance after.
func reversePurchase(ctx context.Context, tx Tx, card *Card, pur *Purchase, now, keepUntil time.Time) (int64, error) {
	balance := card.Balance
	var lots []Lot
	if pur.Earned > 0 {
		var err error
		if lots, err = tx.ListOpenLots(ctx, card.ID); err != nil {
			return 0, err
		}
		var open int64
		for _, l := range lots {
			open += max(l.Remaining, 0)
		}
		if open+pur.Redeemed < pur.Earned {
			return 0, &ValidationError{Reason: "error.cancel.points_spent",
				Detail: fmt.Sprintf("take back %d, %d open and %d given back", pur.Earned, open, pur.Redeemed)}
		}
	}
	if pur.Redeemed > 0 {
		row, _, err := giveBack(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerReversal, Amount: pur.Redeemed,
			Reason: pur.PublicID, IdempotencyKey: "cancel:" + pur.PublicID + ":redeem"}, now, keepUntil,
			func() ([]LotUse, error) {
				uses, err := tx.ListLotUses(ctx, pur.ID)
				// What returns gave back already went to the first lots.
				return lotSlice(uses, pur.ReturnedRedeemed, pur.ReturnedRedeemed+pur.Redeemed), err
			})
		if err != nil {
			return 0, err
		}
		balance = row.BalanceAfter
		if pur.Earned > 0 {
			// The lots as the points given back left them.
			if lots, err = tx.ListOpenLots(ctx, card.ID); err != nil {
				return 0, err
			}
		}
	}
	if pur.Earned > 0 {
		uses, err := allocateReversal(lots, pur.Earned)
		if err != nil {
			return 0, &ValidationError{Reason: "error.cancel.points_spent", Detail: err.Error()}
		}
		row, _, err := debit(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerReversal, Amount: -pur.Earned,
			Reason: pur.PublicID, IdempotencyKey: "cancel:" + pur.PublicID + ":earn"}, uses)
		if err != nil {
			return 0, err
		}
		balance = row.BalanceAfter
	}
	return balance, nil
}

// CardRefOf checks what was scanned or typed without touching the
// database: a token gives the card id, a code the card number. Forged
// input is ErrCardInvalid, a genuine but old token ErrCardExpired (with
// the card id it was made for); an unknown card is found out later.
// Service.LookUpCard adds the limits.
func CardRefOf(s *CardSigner, input string, now time.Time) (cardID int64, number string, err error) {
	ref, err := ParseCardRef(input)
	if err != nil {
		return 0, "", err
	}
	if ref.Token != "" {
		id, err := s.VerifyToken(ref.Token, now)
		return id, "", err
	}
	number, err = s.VerifyCode(ref.Code, now)
	return 0, number, err
}
