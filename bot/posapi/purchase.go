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
}

type customerAnswer struct {
	FirstName string `json:"first_name"`
}

func answerOf(p *domain.Purchase, balance int64, tier domain.Tier, c *domain.Customer) purchaseAnswer {
	ans := purchaseAnswer{
		PurchaseID: p.PublicID, ReceiptID: p.ReceiptID, Amount: p.Amount, Currency: p.Currency,
		PointsEarned: p.Earned, PointsRedeemed: p.Redeemed, Balance: balance, Tier: tier.Name,
		CreatedAt: p.CreatedAt.UTC().Format(time.RFC3339), Cancelled: p.Cancelled(),
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
	in, err := a.readPurchase(w, r)
	if err != nil {
		a.reject(w, r, key, err)
		return
	}
	// A unique violation means a concurrent request with the same receipt
	// committed first (Postgres waits for it before reporting one); the
	// second attempt sees that purchase and answers it as a repeat, or as
	// a conflict if its body differs.
	for attempt := 1; ; attempt++ {
		ans, created, err := a.record(r.Context(), key, in)
		if errors.Is(err, domain.ErrConflict) {
			if attempt < 2 {
				continue
			}
			err = errReceiptConflict
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, status, ans)
		return
	}
}

// record runs one attempt at a purchase in one transaction: the key, the
// card, the purchase and the customer's message.
func (a *API) record(ctx context.Context, key string, in *purchaseInput) (ans purchaseAnswer, created bool, err error) {
	err = a.store.Update(ctx, func(tx domain.Tx) error {
		shopID, err := a.shopOf(ctx, tx, key)
		if err != nil {
			return err
		}
		now := a.now()
		req := domain.PurchaseRequest{
			ShopID: shopID, Source: domain.SourcePOS, ReceiptID: in.receiptID,
			IdempotencyKey: "pos:" + strconv.FormatInt(shopID, 10) + ":" + in.receiptID,
			RequestHash:    in.hash, Amount: in.amount, Currency: in.currency, Redeem: in.redeem,
			Categories: in.categories,
		}
		req.CardID, req.CardNumber, err = domain.CardRefOf(a.signer, in.card, now)
		if errors.Is(err, domain.ErrCardExpired) {
			ans, err = a.repeatWithExpiredCard(ctx, tx, req, now)
			return err
		}
		if err != nil {
			return cardError(err)
		}
		res, err := a.svc.RecordPurchase(ctx, tx, req)
		if err != nil {
			return a.purchaseError(err, in.redeem)
		}
		ans, created = answerOf(&res.Purchase, res.Balance, res.Tier, res.Customer), res.Created
		return nil
	})
	if err == nil && created {
		a.kick()
	}
	return ans, created, err
}

// kick tells the sender that messages are waiting.
func (a *API) kick() {
	if a.queued != nil {
		a.queued()
	}
}

// repeatWithExpiredCard answers a repeat of a recorded receipt whose card
// code has expired since: a POS retrying after a timeout must learn what
// happened. Without such a purchase the code is simply expired.
func (a *API) repeatWithExpiredCard(ctx context.Context, tx domain.Tx, req domain.PurchaseRequest, now time.Time) (purchaseAnswer, error) {
	prev, err := tx.FindPurchaseByKey(ctx, req.IdempotencyKey)
	if errors.Is(err, domain.ErrNotFound) {
		return purchaseAnswer{}, errCardExpired
	}
	if err != nil {
		return purchaseAnswer{}, err
	}
	if prev.RequestHash != req.RequestHash {
		return purchaseAnswer{}, errReceiptConflict
	}
	q, err := domain.QuoteCard(ctx, tx, a.program, prev.CardID, 0, now)
	if err != nil {
		return purchaseAnswer{}, err
	}
	return answerOf(prev, q.Card.Balance, q.Tier, q.Customer), nil
}

// postCancel reverses a purchase of the key's store; cancelling again
// answers the same.
func (a *API) postCancel(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	id := r.PathValue("purchase_id")
	if id == "" || len(id) > 64 {
		a.reject(w, r, key, errPurchaseNotFound)
		return
	}
	ctx := r.Context()
	var ans purchaseAnswer
	err := a.store.Update(ctx, func(tx domain.Tx) error {
		shopID, err := a.shopOf(ctx, tx, key)
		if err != nil {
			return err
		}
		res, err := a.svc.CancelPurchase(ctx, tx, id, shopID, 0)
		if err != nil {
			return cancelError(err)
		}
		ans = answerOf(&res.Purchase, res.Balance, res.Tier, res.Customer)
		return nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.kick()
	writeJSON(w, http.StatusOK, ans)
}
