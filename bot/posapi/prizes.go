package posapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// prizeBody is POST /api/v1/prizes as sent: a prize of the business
// config's [[rewards]] paid with the card's points.
type prizeBody struct {
	Card    *string `json:"card"`
	Reward  *string `json:"reward"`
	PrizeID *string `json:"prize_id"`
}

// prizeInput is a checked prize body.
type prizeInput struct {
	card, reward, prizeID string
}

// maxRewardID bounds a reward id (the config allows 24 characters);
// maxCardInput a card's code or link, far longer than any.
const (
	maxRewardID  = 24
	maxCardInput = 128
)

// readPrize decodes and checks the body of a prize. Every error is an
// *apiError.
func (a *API) readPrize(w http.ResponseWriter, r *http.Request) (*prizeInput, error) {
	var b prizeBody
	if err := decodeJSON(w, r, &b); err != nil {
		return nil, err
	}
	switch {
	case b.Card == nil || *b.Card == "":
		return nil, missingField("card")
	case b.Reward == nil || *b.Reward == "":
		return nil, missingField("reward")
	case b.PrizeID == nil || *b.PrizeID == "":
		return nil, missingField("prize_id")
	case a.biz.IsPhoneLookup(*b.Card):
		return nil, errPrizeNeedsCard
	}
	if err := checkText("card", *b.Card, maxCardInput); err != nil {
		return nil, err
	}
	if err := checkText("reward", *b.Reward, maxRewardID); err != nil {
		return nil, err
	}
	if err := checkText("prize_id", *b.PrizeID, maxReceiptID); err != nil {
		return nil, err
	}
	return &prizeInput{card: *b.Card, reward: *b.Reward, prizeID: *b.PrizeID}, nil
}

// prizeAnswer is a prize as the POS sees it.
type prizeAnswer struct {
	PrizeID    string         `json:"prize_id"`
	PosPrizeID string         `json:"pos_prize_id,omitempty"`
	Reward     string         `json:"reward"`
	Title      string         `json:"title"` // in the business's default language
	Points     int64          `json:"points"`
	Stamps     int            `json:"stamps,omitempty"` // a prize of the stamp card's: the stamps it took
	Balance    int64          `json:"balance"`
	Customer   customerAnswer `json:"customer"`
	CreatedAt  string         `json:"created_at"`
	Cancelled  bool           `json:"cancelled,omitempty"`
}

// prizeOffer is a prize the card's points pay for, in a card's answer.
type prizeOffer struct {
	Reward string `json:"reward"`
	Title  string `json:"title"`
	Points int64  `json:"points,omitempty"`
	Stamps int    `json:"stamps,omitempty"` // instead of points
}

var (
	errPrizeNeedsCard = &apiError{http.StatusUnprocessableEntity, "phone_no_redeem",
		"A prize is paid with points, and a customer found by phone may not pay with them: send the card's code (scan the QR)."}
	errUnknownReward = &apiError{http.StatusUnprocessableEntity, "unknown_reward",
		"reward is not the id of a prize in the business config's [[rewards]]; ask GET /api/v1/cards/{card} for the prizes the card pays for."}
	errPrizeConflict = &apiError{http.StatusConflict, "prize_conflict",
		"This prize_id was already used in this store for another card or reward; send the original body to get its result, or use a new prize_id."}
	errPrizeNotFound = &apiError{http.StatusNotFound, "prize_not_found",
		"No prize with this id in this store; use the prize_id returned when the prize was given."}
	errPrizeCancelWindow = &apiError{http.StatusConflict, "cancel_window_passed",
		"The prize was given more than 24 hours ago and can no longer be cancelled; ask the owner to adjust the points."}
)

func (a *API) prizeAnswerOf(p *domain.Prize, balance int64, c *domain.Customer) prizeAnswer {
	title := p.Reward
	if r, ok := a.biz.Gamification.Reward(p.Reward); ok {
		title = r.TitleIn(a.biz.DefaultLanguage)
	}
	ans := prizeAnswer{PrizeID: p.PublicID, Reward: p.Reward, Title: title, Points: p.Points, Stamps: p.Stamps, Balance: balance,
		CreatedAt: p.CreatedAt.UTC().Format(time.RFC3339), Cancelled: p.Cancelled()}
	if c != nil && !c.Erased {
		ans.Customer.FirstName = c.FirstName
	}
	return ans
}

// prizeOffers lists the prizes a balance of points and of stamps pays
// for, those of stamps first, each cheapest first.
func (a *API) prizeOffers(balance int64, stamps int) []prizeOffer {
	var out []prizeOffer
	rs := slices.Clone(a.biz.Gamification.Rewards)
	slices.SortStableFunc(rs, func(a, b domain.RewardItem) int {
		return cmp.Or(cmp.Compare(boolInt(!a.ByStamps()), boolInt(!b.ByStamps())),
			cmp.Compare(a.Stamps, b.Stamps), cmp.Compare(a.Points, b.Points))
	})
	for _, r := range rs {
		if r.ByStamps() && r.Stamps <= stamps || !r.ByStamps() && r.Points <= balance {
			out = append(out, prizeOffer{Reward: r.ID, Title: r.TitleIn(a.biz.DefaultLanguage), Points: r.Points, Stamps: r.Stamps})
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// prizeKey is the idempotency key of a prize the POS gave with prizeID at
// a store.
func prizeKey(shopID int64, prizeID string) string {
	return "pos:" + strconv.FormatInt(shopID, 10) + ":prize:" + prizeID
}

// postPrize gives a prize for the card's points: 201 when new, 200 for a
// repeat of the same prize_id, card and reward.
func (a *API) postPrize(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	keyedWrite(a, w, r, key, errPrizeConflict, true, a.readPrize,
		func(in *prizeInput) (prizeAnswer, bool, error) { return a.givePrize(r.Context(), key, in) })
}

// givePrize runs one attempt at a prize in one transaction. A repeat of
// a prize_id is answered before the card is looked up, so a retry after
// the card's code went stale still learns what happened.
func (a *API) givePrize(ctx context.Context, key string, in *prizeInput) (ans prizeAnswer, created bool, err error) {
	var refused error
	err = a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		refused = nil
		idem := prizeKey(shopID, in.prizeID)
		now := a.now()
		if prev, err := tx.FindPrizeByKey(ctx, idem); err == nil {
			id, number, cerr := domain.CardRefOf(a.signer, in.card, now)
			card, ferr := tx.FindCardByID(ctx, prev.CardID)
			if ferr != nil {
				return ferr
			}
			known := cerr == nil || errors.Is(cerr, domain.ErrCardExpired) // an expired token still names its card
			if !known {
				// A typed code gone stale names its card by its number
				// still; one of another card, or input that names no
				// card, is no repeat of this prize: it is looked up
				// (and refused) below, as a purchase's is.
				id, number = 0, domain.TypedCardNumber(in.card)
			}
			if known || number == card.Number {
				if prev.Reward != in.reward || (id != 0 && id != prev.CardID) || (number != "" && number != card.Number) {
					return errPrizeConflict
				}
				cust, err := tx.FindCustomerByID(ctx, prev.CustomerID)
				if err != nil {
					return err
				}
				ans = a.prizeAnswerOf(prev, card.Balance, cust)
				ans.PosPrizeID = in.prizeID
				return nil
			}
		} else if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		cardID, err := a.svc.ResolveCardID(ctx, tx, source(key, shopID), in.card)
		if err != nil {
			return lookupFailed(err, &refused)
		}
		res, err := a.svc.GivePrize(ctx, tx, domain.PrizeRequest{CardID: cardID, Reward: in.reward, ShopID: shopID,
			Source: domain.SourcePOS, IdempotencyKey: idem})
		var dear *domain.PrizeTooDearError
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &dear) && dear.Stamps:
			return newError(http.StatusUnprocessableEntity, "insufficient_stamps",
				"The prize takes %d stamps and the card has %d; ask GET /api/v1/cards/{card} for the prizes it pays for.",
				dear.Points, dear.Balance)
		case errors.As(err, &dear):
			return newError(http.StatusUnprocessableEntity, "insufficient_points",
				"The prize takes %d points and the card has %d to spend; ask GET /api/v1/cards/{card} for the prizes it pays for.",
				dear.Points, dear.Balance)
		case errors.As(err, &ve) && ve.Reason == "error.prize.gone":
			return errUnknownReward
		case errors.Is(err, domain.ErrNotFound):
			return errCardNotFound
		case err != nil:
			return err
		}
		ans, created = a.prizeAnswerOf(&res.Prize, res.Balance, res.Customer), res.Created
		ans.PosPrizeID = in.prizeID
		return nil
	})
	if err == nil && refused != nil {
		a.kick() // the failure may have queued the owners' alert
		err = refused
	}
	return ans, created, err
}

// postPrizeCancel gives back the points of a prize of the key's store,
// within 24 hours; cancelling again answers the same.
func (a *API) postPrizeCancel(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	id := r.PathValue("prize_id")
	if id == "" || len(id) > 64 {
		a.reject(w, r, key, errPrizeNotFound)
		return
	}
	ctx := r.Context()
	var ans prizeAnswer
	err := a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		res, err := a.svc.CancelPrize(ctx, tx, id, shopID, nil)
		var ve *domain.ValidationError
		switch {
		case errors.Is(err, domain.ErrNotFound):
			return errPrizeNotFound
		case errors.As(err, &ve) && ve.Reason == "error.prize.too_old":
			return errPrizeCancelWindow
		case err != nil:
			return err
		}
		ans = a.prizeAnswerOf(&res.Prize, res.Balance, res.Customer)
		return nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.kick()
	writeJSON(w, http.StatusOK, &ans)
}

// offerAnswer is a discount or gift a nudge promised, open at the
// register (GET /api/v1/cards/{card}).
type offerAnswer struct {
	OfferID  int64  `json:"offer_id"` // the number the customer's message shows
	Type     string `json:"type"`     // discount or gift
	Rule     string `json:"rule"`
	Percent  int    `json:"percent,omitempty"`
	Category string `json:"category,omitempty"` // the POS's category; absent: the whole purchase
	Expires  string `json:"expires,omitempty"`  // the end of the day it is good through, in the customer's store's zone (RFC 3339)
}

// openOffers lists the customer's open offers for the card's answer, when
// the rules promise any.
func (a *API) openOffers(ctx context.Context, tx domain.Tx, c *domain.Customer) ([]offerAnswer, error) {
	if !a.biz.Nudges.TillOffers() {
		return nil, nil
	}
	offers, err := a.svc.OpenOffers(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	var out []offerAnswer
	for _, o := range offers {
		ans := offerAnswer{OfferID: o.NudgeID, Type: o.Offer.Type, Rule: o.Rule, Percent: o.Offer.Percent, Category: o.Offer.Category}
		if !o.Expires.IsZero() {
			ans.Expires = o.Expires.UTC().Format(time.RFC3339Nano) // the last instant honoured
		}
		out = append(out, ans)
	}
	return out, nil
}

var (
	errOfferUsed = &apiError{http.StatusConflict, "offer_used",
		"This offer of the card's customer was used already, has ended, or is no such offer; GET /api/v1/cards/{card} lists the open ones."}
	errOfferNeedsCard = &apiError{http.StatusUnprocessableEntity, "phone_no_redeem",
		"An offer is honoured with the customer's card only, and a phone number proves nothing: send the card's code (scan the QR)."}
)

// postOfferUse marks an open offer of the card's customer honoured at the
// key's store: {"card": "<code>"}.
func (a *API) postOfferUse(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("offer_id"), 10, 64)
	if err != nil || id <= 0 {
		a.reject(w, r, key, errOfferUsed)
		return
	}
	var b struct {
		Card *string `json:"card"`
	}
	if err := decodeJSON(w, r, &b); err != nil {
		a.reject(w, r, key, err)
		return
	}
	if b.Card == nil || *b.Card == "" {
		a.reject(w, r, key, missingField("card"))
		return
	}
	if a.biz.IsPhoneLookup(*b.Card) {
		a.reject(w, r, key, errOfferNeedsCard)
		return
	}
	ctx := r.Context()
	var refused error
	err = a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		refused = nil
		cardID, err := a.svc.ResolveCardID(ctx, tx, source(key, shopID), *b.Card)
		if err != nil {
			return lookupFailed(err, &refused)
		}
		card, err := tx.FindCardByID(ctx, cardID)
		if err != nil {
			return err
		}
		cust, err := tx.FindCustomerByID(ctx, card.CustomerID)
		if err != nil {
			return err
		}
		if cust.Erased {
			return cardError(domain.ErrNotFound) // closed: its owner erased their data, as the card's answer says
		}
		err = a.svc.UseOffer(ctx, tx, nil, shopID, cust, id)
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			return errOfferUsed
		}
		return err
	})
	if err == nil && refused != nil {
		a.kick()
		err = refused
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"offer_id": id, "used": true})
}
