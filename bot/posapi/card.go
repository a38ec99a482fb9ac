package posapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/loyaltybot/loyaltybot/domain"
)

// cardAnswer is what the register shows before charging.
type cardAnswer struct {
	FirstName     string  `json:"first_name"`
	Balance       int64   `json:"balance"`
	Tier          string  `json:"tier"`
	MaxRedeemable int64   `json:"max_redeemable"`
	NextTier      *string `json:"next_tier,omitempty"`
	ToNextTier    *int64  `json:"to_next_tier,omitempty"`
}

// getCard reads a card: the customer's name, balance and tier, and with
// ?amount= the most points the receipt may be paid with. It changes
// nothing, so the code it was given still works for the purchase.
func (a *API) getCard(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	var amount int64
	if q := r.URL.Query(); q.Has("amount") {
		n, err := strconv.ParseInt(q.Get("amount"), 10, 64)
		if err != nil || n <= 0 || n > a.program.MaxReceipt {
			a.reject(w, r, key, a.amountError())
			return
		}
		amount = n
	}
	ctx := r.Context()
	var ans cardAnswer
	var refused error // a failed lookup, answered once its count commits
	err := a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		refused = nil
		now := a.now()
		// The quote's read is the card's first (ResolveCardID): a card
		// that does not exist is its ErrNotFound, answered as a lookup's.
		// A phone number (a customer without the card) finds the card
		// too, to earn on only: nothing may be paid with points.
		input := r.PathValue("card")
		byPhone := domain.IsPhoneLookup(input)
		var cardID int64
		var err error
		if byPhone {
			if cardID, err = a.svc.ResolveCardByPhone(ctx, tx, source(key, shopID), input); errors.Is(err, domain.ErrCardInvalid) {
				err = errPhoneNotFound
			}
		} else {
			cardID, err = a.svc.ResolveCardID(ctx, tx, source(key, shopID), input)
		}
		var q *domain.CardQuote
		if err == nil {
			q, err = domain.QuoteCard(ctx, tx, a.program, cardID, amount, now)
		}
		if err != nil {
			return lookupFailed(err, &refused)
		}
		if q.Customer.Erased {
			return cardError(domain.ErrNotFound) // closed: its owner erased their data
		}
		ans = cardAnswer{FirstName: q.Customer.FirstName, Balance: q.Card.Balance, Tier: q.Tier.Name,
			MaxRedeemable: q.MaxRedeem}
		if byPhone {
			ans.MaxRedeemable = 0
		}
		if q.HasNext {
			ans.NextTier, ans.ToNextTier = &q.Next.Name, &q.ToNext
		}
		return nil
	})
	if err == nil && refused != nil {
		a.kick() // the failure may have queued the owners' alert
		err = refused
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}
