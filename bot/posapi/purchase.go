package posapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// purchaseAnswer is a purchase as the POS sees it, after recording,
// repeating or cancelling it.
type purchaseAnswer struct {
	PurchaseID     string         `json:"purchase_id"`
	ReceiptID      string         `json:"receipt_id"`
	Amount         int64          `json:"amount"`
	Currency       string         `json:"currency"`
	PointsEarned   int64          `json:"points_earned"`
	PointsRedeemed int64          `json:"points_redeemed"`
	Balance        int64          `json:"balance"`
	Tier           string         `json:"tier"`
	Customer       customerAnswer `json:"customer"`
	CreatedAt      string         `json:"created_at"`
	Cancelled      bool           `json:"cancelled,omitempty"`
	// Promotion is the id of the promotion that multiplied the points.
	Promotion string `json:"promotion,omitempty"`
	// ReturnedAmount is what returns took off the receipt; Amount and
	// the points are what stands after them.
	ReturnedAmount int64 `json:"returned_amount,omitempty"`
	// Stamps is how many stamps of the stamp card the purchase earned,
	// with a stamp card ([stamps]) and a receipt of its minimum; absent
	// otherwise, and once cancelled.
	Stamps *int `json:"stamps,omitempty"`
}

type customerAnswer struct {
	FirstName string `json:"first_name"`
}

func (a *API) answerOf(p *domain.Purchase, balance int64, tier domain.Tier, c *domain.Customer) purchaseAnswer {
	ans := purchaseAnswer{
		PurchaseID: p.PublicID, ReceiptID: p.ReceiptID, Amount: p.Amount, Currency: p.Currency,
		PointsEarned: p.Earned, PointsRedeemed: p.Redeemed, Balance: balance, Tier: tier.Name,
		CreatedAt: p.CreatedAt.UTC().Format(time.RFC3339), Cancelled: p.Cancelled(), Promotion: p.Promotion,
		ReturnedAmount: p.ReturnedAmount,
	}
	if a.biz.Gamification.Stamps.Qualifies(p.Amount, p.CreatedAt) && !p.Cancelled() {
		ans.Stamps = &p.Stamps
	}
	if c != nil {
		ans.Customer.FirstName = c.FirstName
	}
	return ans
}

// postPurchase records a receipt: 201 when it is new, 200 for a repeat.
func (a *API) postPurchase(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	// record tells the sender of the customer's message itself: a
	// refused lookup may have queued the owners' alert too.
	keyedWrite(a, w, r, key, errReceiptConflict, false, a.readPurchase,
		func(in *purchaseInput) (purchaseAnswer, bool, error) { return a.record(r.Context(), key, in) })
}

// keyedWrite answers a write keyed by the client's id (a receipt, a
// return, a prize): read checks the body (its error answered once the
// key is known good), run makes an attempt (retryRace: once more when
// it lost a race to the same id, conflict after that); 201 when it
// wrote, 200 for a repeat. With kick, a write wakes the sender for the
// customer's message.
func keyedWrite[I, A any](a *API, w http.ResponseWriter, r *http.Request, key string, conflict error, kick bool,
	read func(http.ResponseWriter, *http.Request) (I, error), run func(I) (A, bool, error)) {
	in, err := read(w, r)
	if err != nil {
		a.reject(w, r, key, err)
		return
	}
	ans, created, err := retryRace(conflict, func() (A, bool, error) { return run(in) })
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if created && kick {
		a.kick()
	}
	writeJSON(w, createdOrRepeat(created), &ans)
}

// retryRace runs a keyed write again when it lost a race: a unique
// violation means a concurrent request with the same key (a receipt, a
// return) committed first (Postgres waits for it before reporting one);
// the second attempt sees that row and answers it as a repeat, or as
// conflict if its body differs.
func retryRace[T any](conflict error, run func() (T, bool, error)) (T, bool, error) {
	for attempt := 1; ; attempt++ {
		ans, created, err := run()
		if errors.Is(err, domain.ErrConflict) {
			if attempt < 2 {
				continue
			}
			err = conflict
		}
		return ans, created, err
	}
}

// createdOrRepeat is the status of a keyed write's answer: 201 when it
// wrote, 200 for a repeat.
func createdOrRepeat(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// record runs one attempt at a purchase in one transaction: the key, the
// card, the purchase and the customer's message. A failed card lookup
// commits its count (see card) and is answered after.
func (a *API) record(ctx context.Context, key string, in *purchaseInput) (ans purchaseAnswer, created bool, err error) {
	var refused error
	err = a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		refused = nil
		now := a.now()
		req := domain.PurchaseRequest{
			ShopID: shopID, Source: domain.SourcePOS, ReceiptID: in.receiptID,
			IdempotencyKey: receiptKey(shopID, in.receiptID),
			RequestHash:    in.hash, Amount: in.amount, Currency: in.currency, Redeem: in.redeem,
			Categories: in.categories, Stamps: in.stamps,
		}
		var ok bool
		var err error
		if in.phone != "" {
			// As sent: a member stored before phone_region is found by
			// the number as it was read then (ResolveCardByPhone).
			req.CardID, err = a.svc.ResolveCardByPhone(ctx, tx, source(key, shopID), in.phoneTyped)
			if errors.Is(err, domain.ErrCardInvalid) {
				err = errPhoneNotFound
			}
		} else {
			ans, ok, err = a.resolve(ctx, tx, &req, source(key, shopID), in.card, now)
		}
		if err != nil || ok {
			return lookupFailed(err, &refused)
		}
		res, err := a.svc.RecordPurchase(ctx, tx, req)
		if err != nil {
			return a.purchaseError(err, in.redeem)
		}
		ans, created = a.answerOf(&res.Purchase, res.Balance, res.Tier, res.Customer), res.Created
		return nil
	})
	if err == nil && (created || refused != nil) {
		a.kick() // a failed lookup may have queued the owners' alert
	}
	if err == nil {
		err = refused
	}
	return ans, created, err
}

// resolve sets the request's card from what the POS sent, within the
// limits on failed lookups. A code that no longer verifies may be a POS
// retrying a recorded receipt after a timeout: that repeat is answered
// (ok) rather than counted as a failure.
func (a *API) resolve(ctx context.Context, tx domain.Tx, req *domain.PurchaseRequest, src domain.LookupSource,
	card string, now time.Time) (ans purchaseAnswer, ok bool, err error) {
	req.CardID, req.CardNumber, err = domain.CardRefOf(a.signer, card, now)
	switch {
	case errors.Is(err, domain.ErrCardExpired):
		// A genuine token: it cannot be guessed, so it is not counted.
		ans, ok, err = a.repeatWithStaleCard(ctx, tx, *req, "", now)
		if err == nil && !ok {
			err = errCardExpired
		}
		return ans, ok, err
	case err != nil:
		number := domain.TypedCardNumber(card)
		if number != "" {
			if ans, ok, err = a.repeatWithStaleCard(ctx, tx, *req, number, now); ok || err != nil {
				return ans, ok, err
			}
		}
		return ans, false, a.svc.FailCardLookup(ctx, tx, src, number)
	case req.CardNumber != "":
		// RecordPurchase reads the limits with the card, in one round trip.
		req.LookupBy = &src
	}
	return ans, false, nil
}

// kick tells the sender that messages are waiting.
func (a *API) kick() {
	if a.queued != nil {
		a.queued()
	}
}

// repeatWithStaleCard answers a repeat of a recorded receipt whose card
// code has gone stale since: a POS retrying after a long timeout must
// learn what happened. For a typed code (number set) the purchase must be
// of that card, else ok is false (there is no such purchase); an expired
// token names its card (req.CardID), and a receipt of another card is a
// conflict.
func (a *API) repeatWithStaleCard(ctx context.Context, tx domain.Tx, req domain.PurchaseRequest, number string, now time.Time) (purchaseAnswer, bool, error) {
	prev, err := tx.FindPurchaseByKey(ctx, req.IdempotencyKey)
	if errors.Is(err, domain.ErrNotFound) {
		return purchaseAnswer{}, false, nil
	}
	if err != nil {
		return purchaseAnswer{}, false, err
	}
	if req.CardID != 0 && req.CardID != prev.CardID {
		// A stale token of another card: the receipt is another card's.
		return purchaseAnswer{}, true, errReceiptConflict
	}
	q, err := domain.QuoteCard(ctx, tx, a.program, prev.CardID, 0, now)
	if err != nil {
		return purchaseAnswer{}, false, err
	}
	if number != "" && q.Card.Number != number {
		return purchaseAnswer{}, false, nil
	}
	if prev.RequestHash != req.RequestHash {
		return purchaseAnswer{}, true, errReceiptConflict
	}
	return a.answerOf(prev, q.Card.Balance, q.Tier, q.Customer), true, nil
}

// postCancel reverses a purchase of the key's store; cancelling again
// answers the same.
func (a *API) postCancel(w http.ResponseWriter, r *http.Request) {
	key, id, ok := a.purchasePath(w, r)
	if !ok {
		return
	}
	a.cancel(w, r, key, func(domain.Tx, int64) (string, error) { return id, nil })
}

// postReceiptCancel is postCancel for a purchase named by the receipt_id
// the POS recorded it with (a void at the till).
func (a *API) postReceiptCancel(w http.ResponseWriter, r *http.Request) {
	key, receipt, ok := a.receiptPath(w, r)
	if !ok {
		return
	}
	a.cancel(w, r, key, a.byReceipt(r.Context(), receipt))
}

// cancel reverses the purchase purchase finds in the key's store.
func (a *API) cancel(w http.ResponseWriter, r *http.Request, key string, purchase func(tx domain.Tx, shopID int64) (string, error)) {
	ctx := r.Context()
	var ans purchaseAnswer
	err := a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		id, err := purchase(tx, shopID)
		if err != nil {
			return err
		}
		res, err := a.svc.CancelPurchase(ctx, tx, id, shopID, 0)
		if err != nil {
			return cancelError(err)
		}
		ans = a.answerOf(&res.Purchase, res.Balance, res.Tier, res.Customer)
		return nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.kick()
	writeJSON(w, http.StatusOK, &ans)
}

// getReceipt answers what became of a receipt the POS sent: the purchase
// as its POST answered (with the card's balance now), for a POS that lost
// the answer and would rather ask than send the body again.
func (a *API) getReceipt(w http.ResponseWriter, r *http.Request) {
	key, receipt, ok := a.receiptPath(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	find := a.byReceipt(ctx, receipt)
	var ans purchaseAnswer
	err := a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		id, err := find(tx, shopID)
		if err != nil {
			return err
		}
		p, err := tx.FindPurchaseByPublicID(ctx, id)
		if err != nil {
			return err
		}
		q, err := domain.QuoteCard(ctx, tx, a.program, p.CardID, 0, a.now())
		if err != nil {
			return err
		}
		ans = a.answerOf(p, q.Card.Balance, q.Tier, q.Customer)
		return nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &ans)
}

// purchasePath reads the key and the {purchase_id} of a request about
// one purchase; when it answers the request itself (no key, an id that
// cannot be one), ok is false.
func (a *API) purchasePath(w http.ResponseWriter, r *http.Request) (key, id string, ok bool) {
	key, ok = bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return "", "", false
	}
	id = r.PathValue("purchase_id")
	if id == "" || len(id) > 64 {
		a.reject(w, r, key, errPurchaseNotFound)
		return "", "", false
	}
	return key, id, true
}

// receiptKey is the idempotency key of a purchase the POS recorded with
// receipt at a store: one purchase per receipt id and store.
func receiptKey(shopID int64, receipt string) string {
	return "pos:" + strconv.FormatInt(shopID, 10) + ":" + receipt
}
