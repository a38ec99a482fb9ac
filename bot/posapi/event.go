package posapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// eventBody is POST /api/v1/events as sent: an online shop telling what a
// customer did. Pointers tell a missing field from an empty one.
type eventBody struct {
	Customer   *customerRefBody `json:"customer"`
	Type       *string          `json:"type"`
	EventID    *string          `json:"event_id"`
	Items      []itemBody       `json:"items"`
	OccurredAt *string          `json:"occurred_at"`
}

// customerRefBody names the customer: any of the three, all given must
// name the same member.
type customerRefBody struct {
	Card       *string `json:"card"`
	Phone      *string `json:"phone"`
	TelegramID *int64  `json:"telegram_id"`
}

// itemBody is a product line; price in minor units (0 if not sent),
// quantity 1 if not sent.
type itemBody struct {
	SKU      string  `json:"sku"`
	Name     *string `json:"name"`
	Category string  `json:"category"`
	Price    *int64  `json:"price"`
	Quantity *int64  `json:"quantity"`
}

// eventAnswer is a recorded event; a repeat gets the same.
type eventAnswer struct {
	EventID    string `json:"event_id"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
}

var (
	errCustomerNotFound = &apiError{http.StatusNotFound, "customer_not_found",
		"No member of the loyalty program has this phone or Telegram id (or they left it); events are recorded for members only."}
	errCustomerMismatch = &apiError{http.StatusUnprocessableEntity, "customer_mismatch",
		"The customer's card, phone and telegram_id name different members; send one identifier, or only ones of the same member."}
	errEventConflict = &apiError{http.StatusConflict, "event_conflict",
		"This event_id was already recorded in this store with another type, customer, items or occurred_at; send the original body to get its result, or use a new event_id."}
)

// readEvent decodes the body of POST /api/v1/events and checks what
// needs no database; the domain checks the rest. Every error is an
// *apiError.
func (a *API) readEvent(w http.ResponseWriter, r *http.Request) (*domain.ShopEventRequest, error) {
	var b eventBody
	if err := decodeJSON(w, r, &b); err != nil {
		return nil, err
	}
	switch {
	case b.EventID == nil || *b.EventID == "":
		return nil, missingField("event_id")
	case b.Type == nil || *b.Type == "":
		return nil, missingField("type")
	case b.Customer == nil:
		return nil, missingField("customer")
	}
	req := &domain.ShopEventRequest{EventID: *b.EventID, Type: domain.ShopEventType(*b.Type)}
	c := b.Customer
	if c.Card != nil {
		req.Customer.Card = *c.Card
	}
	if c.Phone != nil {
		req.Customer.Phone = strings.TrimSpace(*c.Phone)
	}
	if c.TelegramID != nil {
		if *c.TelegramID <= 0 {
			return nil, invalidField("customer", "has telegram_id %d; a Telegram user id is a positive number.", *c.TelegramID)
		}
		req.Customer.TelegramID = *c.TelegramID
	}
	if strings.TrimSpace(req.Customer.Card) == "" && req.Customer.Phone == "" && req.Customer.TelegramID == 0 {
		return nil, newError(http.StatusBadRequest, "missing_field",
			"The field \"customer\" must name the customer by card, phone or telegram_id (at least one).")
	}
	for i, it := range b.Items {
		if it.Name == nil || *it.Name == "" {
			return nil, newError(http.StatusBadRequest, "missing_field", "items[%d] has no name; every item needs one.", i)
		}
		item := domain.ShopItem{SKU: it.SKU, Name: *it.Name, Category: it.Category, Quantity: 1}
		if it.Price != nil {
			item.Price = *it.Price
		}
		if it.Quantity != nil {
			item.Quantity = *it.Quantity
		}
		req.Items = append(req.Items, item)
	}
	if b.OccurredAt != nil {
		at, err := time.Parse(time.RFC3339, *b.OccurredAt)
		if err != nil {
			return nil, invalidField("occurred_at", "is %q; send an RFC 3339 time such as 2026-11-22T15:04:05+03:00, or leave it out for now.", *b.OccurredAt)
		}
		req.OccurredAt = at
	}
	return req, nil
}

// postEvent records an event of the online shop: 201 when it is new, 200
// for a repeat.
func (a *API) postEvent(w http.ResponseWriter, r *http.Request) {
	key, ok := bearer(r)
	if !ok {
		a.fail(w, r, errUnauthorized)
		return
	}
	req, err := a.readEvent(w, r)
	if err != nil {
		a.reject(w, r, key, err)
		return
	}
	ans, created, err := a.recordEvent(r.Context(), key, req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, ans)
}

// recordEvent runs the use case in one transaction. A failed card lookup
// commits its count and is answered after, as for a purchase.
func (a *API) recordEvent(ctx context.Context, key string, req *domain.ShopEventRequest) (ans eventAnswer, created bool, err error) {
	var refused error
	err = a.inStore(ctx, key, func(tx domain.Tx, shopID int64) error {
		refused = nil
		req.ShopID, req.Source = shopID, source(key, shopID)
		res, err := a.svc.RecordShopEvent(ctx, tx, *req)
		if err != nil {
			if mapped := eventError(err); mapped != err {
				return mapped
			}
			return lookupFailed(err, &refused)
		}
		e := res.Event
		ans = eventAnswer{EventID: e.EventID, Type: string(e.Type), OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano)}
		created = res.Created
		return nil
	})
	if err == nil && refused != nil {
		a.kick() // the failure may have queued the owners' alert
		err = refused
	}
	return ans, created, err
}

// eventError maps what RecordShopEvent refuses, but the card's errors
// (returned unchanged, for lookupFailed).
func eventError(err error) error {
	var se *domain.ShopEventError
	switch {
	case errors.As(err, &se):
		return newError(http.StatusBadRequest, "invalid_field", "The field %q %s.", se.Field, se.Problem)
	case errors.Is(err, domain.ErrUnknownCustomer):
		return errCustomerNotFound
	case errors.Is(err, domain.ErrCustomerMismatch):
		return errCustomerMismatch
	case errors.Is(err, domain.ErrConflict):
		return errEventConflict
	}
	return err
}
