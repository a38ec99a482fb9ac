package posapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// apiError is an answer for the client: a status, a stable code for
// programs and an English message that says what to fix. Returned from a
// transaction callback it also rolls the transaction back.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status, code, fmt.Sprintf(format, args...)}
}

var (
	errUnauthorized = &apiError{http.StatusUnauthorized, "unauthorized",
		"Send the store's API key as \"Authorization: Bearer <key>\"; this key is missing, malformed, unknown or revoked."}
	errNotFound = &apiError{http.StatusNotFound, "not_found",
		"No such endpoint; see openapi.yaml for the paths of API v1."}
	errInternal = &apiError{http.StatusInternalServerError, "internal",
		"Internal error. Nothing about it is your fault; retry later (a purchase retried with the same receipt_id is never recorded twice)."}
	errUnavailable = &apiError{http.StatusServiceUnavailable, "unavailable",
		"The loyalty database is briefly unavailable. Retry after Retry-After seconds with the same body; a purchase retried with the same receipt_id is recorded once."}
	errCardNotFound = &apiError{http.StatusNotFound, "card_not_found",
		"No card matches this code: check the digits, or scan the QR on the customer's card again."}
	errCardExpired = &apiError{http.StatusGone, "card_expired",
		"The card code has expired: ask the customer to open the card in the bot again and scan or type the fresh code."}
	errPurchaseNotFound = &apiError{http.StatusNotFound, "purchase_not_found",
		"No purchase with this id in this store; use the purchase_id returned when the purchase was recorded."}
	errCancelWindow = &apiError{http.StatusConflict, "cancel_window_passed",
		"The purchase is older than 24 hours and can no longer be cancelled through the API; ask the owner to adjust the points."}
	errPointsSpent = &apiError{http.StatusConflict, "points_already_spent",
		"The points earned on this purchase have already been spent, so it cannot be cancelled; ask the owner to adjust the points."}
	errStampsSpent = &apiError{http.StatusConflict, "stamps_already_spent",
		"The stamps earned on this purchase have already paid for a stamp prize, so it cannot be cancelled; cancel the prize first (POST /api/v1/prizes/{prize_id}/cancel), or ask the owner."}
	errReceiptConflict = &apiError{http.StatusConflict, "receipt_conflict",
		"This receipt_id was already recorded in this store with another card, amount, currency, redeem_points or categories; send the original body to get its result, or use a new receipt_id."}
	errPhoneNotFound = &apiError{http.StatusNotFound, "card_not_found",
		"No member has this phone number: check it, or scan the QR on the customer's card."}
	errPhoneNoRedeem = &apiError{http.StatusUnprocessableEntity, "phone_no_redeem",
		"A customer found by phone may earn points but not pay with them: a phone number proves nothing. Send the card's code (scan the QR) to pay with points, or redeem_points 0."}
	errTooLarge = &apiError{http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("The request body is over %d bytes; a purchase is far smaller, check what is being sent.", MaxBody)}
)

// unavailableRetry is the Retry-After of a 503: a restart or a failover
// takes seconds, and a sooner retry would only find it still away.
const unavailableRetry = 2

// limitedError is a 429 with the seconds to wait, for Retry-After.
type limitedError struct {
	apiError
	retryAfter int
}

// Unwrap lets fail find the *apiError inside.
func (e *limitedError) Unwrap() error { return &e.apiError }

// tooManyAttempts answers a card lookup refused by the limits on failed
// lookups (domain/lookups.go). It says when to retry, and that the QR still
// works: only typed codes are limited.
func tooManyAttempts(wait time.Duration) *limitedError {
	secs := int((wait + time.Second - 1) / time.Second)
	return &limitedError{apiError{http.StatusTooManyRequests, "too_many_attempts", fmt.Sprintf(
		"Too many failed card lookups from this key or for this card; typed codes are refused for %d s "+
			"(see Retry-After). Scanning the QR on the customer's card still works.", secs)}, secs}
}

// cardError maps what Service.LookUpCard and Service.ResolveCard return;
// other errors are internal and returned unchanged. A wrong typed code and
// an old one are alike card_not_found (the domain does not tell them
// apart); only a signed c_ token, which cannot be guessed, may be
// card_expired.
func cardError(err error) error {
	var ve *domain.ValidationError
	var tm *domain.TooManyAttemptsError
	switch {
	case errors.As(err, &tm):
		return tooManyAttempts(tm.RetryAfter)
	case errors.Is(err, domain.ErrCardExpired):
		return errCardExpired
	case errors.Is(err, domain.ErrCardInvalid), errors.Is(err, domain.ErrNotFound),
		errors.As(err, &ve) && ve.Reason == "error.card.unreadable":
		return errCardNotFound
	}
	return err
}

// purchaseError maps what domain.RecordPurchase refuses. The request was
// checked before, so amount and points errors here come from the rules
// (the cap, the balance); a conflict is handled by the caller.
func (a *API) purchaseError(err error, redeem int64) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		switch ve.Reason {
		case "error.amount.zero", "error.amount.too_large":
			return a.amountError()
		case "error.points.invalid":
			return errNegativePoints
		case "error.points.over_cap":
			return newError(http.StatusUnprocessableEntity, "redeem_cap_exceeded",
				"redeem_points %d is above the most this receipt may be paid with (%d %% of the amount); "+
					"ask GET /api/v1/cards/{card}?amount=… for max_redeemable.", redeem, a.program.RedeemCapPercent)
		}
	}
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrTooManyAttempts) {
		// A well-formed code of a card that does not exist, or a typed
		// code while its key or card is over the limits.
		return cardError(err)
	}
	if errors.Is(err, domain.ErrInsufficientPoints) {
		return newError(http.StatusUnprocessableEntity, "insufficient_points",
			"redeem_points %d is more than the card's balance; ask GET /api/v1/cards/{card} for the balance.", redeem)
	}
	return err
}

// cancelError maps what domain.CancelPurchase refuses.
func cancelError(err error) error {
	var ve *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return errPurchaseNotFound
	case errors.As(err, &ve) && ve.Reason == "error.cancel.too_old":
		return errCancelWindow
	case errors.As(err, &ve) && ve.Reason == "error.cancel.points_spent":
		return errPointsSpent
	case errors.As(err, &ve) && ve.Reason == "error.cancel.stamps_spent":
		return errStampsSpent
	}
	return err
}

var errNegativePoints = &apiError{http.StatusBadRequest, "invalid_points",
	"redeem_points must be a whole number of points, 0 or more."}

func (a *API) amountError() *apiError {
	return newError(http.StatusBadRequest, "invalid_amount",
		"amount must be a whole number of minor units (kopecks, cents) from 1 to %d.", a.program.MaxReceipt)
}

func missingField(name string) *apiError {
	return newError(http.StatusBadRequest, "missing_field", "The field %q is required and must not be empty.", name)
}

func invalidField(name, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "invalid_field", "The field %q "+format, append([]any{name}, args...)...)
}
