package posapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// returnBody is POST /api/v1/purchases/{purchase_id}/returns as sent.
type returnBody struct {
	Amount   *int64  `json:"amount"`
	ReturnID *string `json:"return_id"`
}

// returnInput is a checked return body.
type returnInput struct {
	amount   int64
	returnID string
	hash     string // of the amount: the same return_id with another (or of another purchase) is a conflict
}

// readReturn decodes and checks the body of a return. Every error is an
// *apiError.
func (a *API) readReturn(w http.ResponseWriter, r *http.Request) (*returnInput, error) {
	var b returnBody
	if err := decodeJSON(w, r, &b); err != nil {
		return nil, a.outOfRange(err)
	}
	switch {
	case b.Amount == nil:
		return nil, missingField("amount")
	case b.ReturnID == nil || *b.ReturnID == "":
		return nil, missingField("return_id")
	case *b.Amount <= 0 || *b.Amount > a.program.MaxReceipt:
		return nil, a.amountError()
	}
	if err := checkText("return_id", *b.ReturnID, maxReceiptID); err != nil {
		return nil, err
	}
	// Which purchase it is of is checked apart (Return.PurchaseID), so
	// either path to the same purchase repeats the same return.
	sum := sha256.Sum256([]byte("return\x00" + strconv.FormatInt(*b.Amount, 10)))
	return &returnInput{amount: *b.Amount, returnID: *b.ReturnID, hash: hex.EncodeToString(sum[:])}, nil
}

// returnAnswer is a return as the POS sees it, with the purchase as it
// stands after it.
type returnAnswer struct {
	ReturnID       string         `json:"return_id"`
	PosReturnID    string         `json:"pos_return_id"`
	Amount         int64          `json:"amount"`
	PointsTaken    int64          `json:"points_taken"`
	PointsReturned int64          `json:"points_returned"`
	PointsShort    int64          `json:"points_short"`
	Refund         int64          `json:"refund"`
	Balance        int64          `json:"balance"`
	CreatedAt      string         `json:"created_at"`
	Purchase       purchaseAnswer `json:"purchase"`
}

var (
	errReturnConflict = &apiError{http.StatusConflict, "return_conflict",
		"This return_id was already used for this store with another purchase or amount; send the original body to get its result, or use a new return_id."}
	errReturnTooMuch = &apiError{http.StatusUnprocessableEntity, "return_exceeds_purchase",
		"amount is more than is left of this purchase after its earlier returns; read the purchase's amount in the answer to its last return, or return less."}
	errReceiptNotFound = &apiError{http.StatusNotFound, "receipt_not_found",
		"No purchase was recorded with this receipt_id in this store; use the receipt_id sent with the purchase, or its purchase_id."}
	errReturnCancelled = &apiError{http.StatusConflict, "purchase_cancelled",
		"The purchase is cancelled, or returned in full: nothing is left to return."}
)

// postReturn takes back part of a purchase of the key's store: the points
// follow the money returned. 201 when new, 200 for a repeat of the same
// return_id and body.
func (a *API) postReturn(w http.ResponseWriter, r *http.Request) {
	key, id, ok := a.purchasePath(w, r)
	if !ok {
		return
	}
	a.takeReturn(w, r, key, func(domain.Tx, int64) (string, error) { return id, nil })
}

// postReceiptReturn is postReturn for a purchase named by the receipt_id
// the POS recorded it with, for a POS that keeps its own receipt ids only.
func (a *API) postReceiptReturn(w http.ResponseWriter, r *http.Request) {
	key, receipt, ok := a.receiptPath(w, r)
	if !ok {
		return
	}
	a.takeReturn(w, r, key, a.byReceipt(r.Context(), receipt))
}

// receiptPath reads the key and the {receipt_id} of a request about one
// receipt; when it answers the request itself (no key, an id that cannot
// be one), ok is false.
func (a *API) receiptPath(w http.ResponseWriter, r *http.Request) (key, receipt string, ok bool) {
	key, ok = bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return "", "", false
	}
	receipt = r.PathValue("receipt_id")
	if checkText("receipt_id", receipt, maxReceiptID) != nil {
		a.reject(w, r, key, errReceiptNotFound)
		return "", "", false
	}
	return key, receipt, true
}

// byReceipt finds the public id of the purchase recorded with receipt in
// the key's store (errReceiptNotFound when there is none).
func (a *API) byReceipt(ctx context.Context, receipt string) func(tx domain.Tx, shopID int64) (string, error) {
	return func(tx domain.Tx, shopID int64) (string, error) {
		p, err := tx.FindPurchaseByKey(ctx, receiptKey(shopID, receipt))
		if errors.Is(err, domain.ErrNotFound) {
			return "", errReceiptNotFound
		} else if err != nil {
			return "", err
		}
		return p.PublicID, nil
	}
}

// takeReturn reads a return's body and records it for the purchase
// purchase finds in the key's store.
func (a *API) takeReturn(w http.ResponseWriter, r *http.Request, key string, purchase func(tx domain.Tx, shopID int64) (string, error)) {
	keyedWrite(a, w, r, key, errReturnConflict, true, a.readReturn,
		func(in *returnInput) (returnAnswer, bool, error) { return a.returnOnce(r.Context(), key, purchase, in) })
}

// returnOnce runs one attempt at a return in one transaction.
func (a *API) returnOnce(ctx context.Context, key string, purchase func(tx domain.Tx, shopID int64) (string, error),
	in *returnInput) (ans returnAnswer, created bool, err error) {
	err = a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		purchaseID, err := purchase(tx, shopID)
		if err != nil {
			return err
		}
		res, err := a.svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{
			PurchaseID: purchaseID, ShopID: shopID, Source: domain.SourcePOS, ReturnRef: in.returnID,
			IdempotencyKey: "pos:" + strconv.FormatInt(shopID, 10) + ":" + in.returnID, RequestHash: in.hash,
			Amount: in.amount,
		})
		var ve *domain.ValidationError
		switch {
		case errors.Is(err, domain.ErrNotFound):
			return errPurchaseNotFound
		case errors.As(err, &ve) && ve.Reason == "error.return.too_much":
			return errReturnTooMuch
		case errors.As(err, &ve) && ve.Reason == "error.return.cancelled":
			return errReturnCancelled
		case errors.As(err, &ve) && ve.Reason == "error.cancel.stamps_spent":
			return errStampsSpent
		case err != nil:
			return err
		}
		ret := res.Return
		ans = returnAnswer{ReturnID: ret.PublicID, PosReturnID: ret.ReturnRef, Amount: ret.Amount,
			PointsTaken: ret.Taken - ret.Short, PointsReturned: ret.Given, PointsShort: ret.Short, Refund: ret.Refund,
			Balance: res.Balance, CreatedAt: ret.CreatedAt.UTC().Format(time.RFC3339),
			Purchase: a.answerOf(&res.Purchase, res.Balance, res.Tier, res.Customer)}
		created = res.Created
		return nil
	})
	return ans, created, err
}
