package posapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/loyaltybot/loyaltybot/domain"
)

// cardAnswer is what the register shows before charging.
type cardAnswer struct {
	FirstName     string `json:"first_name"`
	Balance       int64  `json:"balance"`
	Tier          string `json:"tier"`
	MaxRedeemable int64  `json:"max_redeemable"`
	// WelcomeHeld is a welcome bonus held for the card's first purchase
	// (the member typed their phone): not in Balance yet, but that
	// purchase credits it before paying, so MaxRedeemable counts it.
	WelcomeHeld int64   `json:"welcome_held,omitempty"`
	NextTier    *string `json:"next_tier,omitempty"`
	ToNextTier  *int64  `json:"to_next_tier,omitempty"`
	// PromotionNow is the promotion running at the key's store that
	// multiplies a receipt of ?amount (without it: any promotion
	// running), for the register's screen.
	PromotionNow *promotionAnswer `json:"promotion_now,omitempty"`
	// Prizes are the prizes of [[rewards]] the balance pays for (POST
	// /api/v1/prizes), cheapest first; none for a card found by phone.
	Prizes []prizeOffer `json:"prizes,omitempty"`
	// Stamps is the card's count of the stamp card's stamps, with a stamp
	// card ([stamps]); absent without one, and for a card found by phone.
	Stamps *int `json:"stamps,omitempty"`
	// Offers are the discounts and gifts the customer's messages
	// promised, not used yet (POST /api/v1/offers/{id}/use); none for a
	// card found by phone.
	Offers []offerAnswer `json:"offers,omitempty"`
}

// promotionAnswer is a promotion as the register shows it.
type promotionAnswer struct {
	ID         string `json:"id"`
	Title      string `json:"title"` // in the business's default language
	Multiplier int64  `json:"multiplier"`
	MinAmount  int64  `json:"min_amount,omitempty"` // the smallest receipt it multiplies (minor units)
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
		// The quote's read is the card's first (ResolveCardID): a card
		// that does not exist is its ErrNotFound, answered as a lookup's.
		// A phone number (a customer without the card) finds the card
		// too, to earn on only: nothing may be paid with points.
		input := r.PathValue("card")
		byPhone := a.biz.IsPhoneLookup(input)
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
		var promo *domain.Promotion
		if err == nil {
			q, promo, err = a.svc.QuoteWithPromotion(ctx, tx, cardID, amount, shopID)
		}
		if err != nil {
			return lookupFailed(err, &refused)
		}
		if q.Customer.Erased {
			return cardError(domain.ErrNotFound) // closed: its owner erased their data
		}
		ans = cardAnswer{FirstName: q.Customer.FirstName, Balance: q.Card.Balance, Tier: q.Tier.Name,
			MaxRedeemable: q.MaxRedeem, WelcomeHeld: q.Held}
		if byPhone {
			ans.MaxRedeemable = 0
		} else {
			stamps := 0
			if a.biz.Gamification.Stamps.Enabled {
				if stamps, err = a.svc.Stamps(ctx, tx, cardID); err != nil {
					return err
				}
				ans.Stamps = &stamps
			}
			ans.Prizes = a.prizeOffers(q.Card.Balance, stamps)
			if ans.Offers, err = a.openOffers(ctx, tx, q.Customer); err != nil {
				return err
			}
		}
		if q.HasNext {
			ans.NextTier, ans.ToNextTier = &q.Next.Name, &q.ToNext
		}
		if promo != nil {
			ans.PromotionNow = &promotionAnswer{ID: promo.ID, Title: promo.TitleIn(a.biz.DefaultLanguage, a.biz.DefaultLanguage),
				Multiplier: promo.Multiplier, MinAmount: promo.MinAmount}
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
