package domain

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ShopEventType is what the business's online shop tells about a
// customer; nudge rules of kind NudgeEvent react to it.
type ShopEventType string

// Shop event types.
const (
	ShopCartAbandoned ShopEventType = "cart_abandoned"
	ShopProductViewed ShopEventType = "product_viewed"
	ShopOrderPlaced   ShopEventType = "order_placed"
)

// ShopEventTypes lists the types an online shop may send.
var ShopEventTypes = []ShopEventType{ShopCartAbandoned, ShopProductViewed, ShopOrderPlaced}

// UnlessPurchase, in a rule's UnlessEvents, makes a purchase (at a register
// or through the POS API) after the event spare the customer the nudge.
const UnlessPurchase = "purchase"

// Limits of a shop event. An event older than ShopEventMaxAge is of no use
// to any rule; a clock up to shopEventSkew ahead of ours is taken as now.
const (
	ShopEventMaxAge   = 7 * 24 * time.Hour
	shopEventSkew     = time.Minute
	shopEventMaxItems = 100
	shopEventIDLen    = 64 // characters
	shopItemNameLen   = 200
	shopItemCodeLen   = 64 // sku, category
	shopItemMaxQty    = 10_000
)

// ShopItem is one product line of a shop event, as the shop sent it.
type ShopItem struct {
	SKU      string `json:"sku,omitempty"`
	Name     string `json:"name"`
	Category string `json:"category,omitempty"`
	Price    int64  `json:"price"` // one piece, minor units
	Quantity int64  `json:"quantity"`
}

// CustomerRef names a customer as an outside system knows them: by any of
// these; all that are given must name the same member.
type CustomerRef struct {
	Card       string // a card code or token, as the customer shows it
	Phone      string // any spelling ParsePhone reads
	TelegramID int64
}

// ShopEventRequest is an event as the online shop sends it.
type ShopEventRequest struct {
	ShopID   int64
	EventID  string // the shop's own id: a repeat is recognised by it
	Type     ShopEventType
	Customer CustomerRef
	Items    []ShopItem
	// OccurredAt is when it happened by the shop (zero: now). It may not
	// be in the future nor older than ShopEventMaxAge.
	OccurredAt time.Time
	// Source sent it, for the limits on failed card lookups.
	Source LookupSource
}

// ShopEvent is a recorded event of the online shop.
type ShopEvent struct {
	ID          int64
	ShopID      int64
	EventID     string
	CustomerID  int64
	Type        ShopEventType
	Items       []ShopItem
	OccurredAt  time.Time
	CreatedAt   time.Time
	RequestHash string
}

// ShopEventResult is a recorded event; Created is false for a repeat.
type ShopEventResult struct {
	Event   ShopEvent
	Created bool
}

// ShopEventRecorded: the online shop told of a new event (a repeat records
// none). Nudge rules read the events themselves; this is for reactions
// that must follow at once.
type ShopEventRecorded struct{ Event *ShopEvent }

func (ShopEventRecorded) eventName() string { return "shop_event_recorded" }

// ShopEventStore keeps the online shop's events.
type ShopEventStore interface {
	// FindShopEvent returns the event a store sent with this id
	// (ErrNotFound if none).
	FindShopEvent(ctx context.Context, shopID int64, eventID string) (*ShopEvent, error)
	// InsertShopEvent writes e, setting ID and CreatedAt. It reports false,
	// writing nothing, when the store's event id was taken by a concurrent
	// request that committed first.
	InsertShopEvent(ctx context.Context, e *ShopEvent) (bool, error)
	// FindCustomerByPhone finds the customer with this E.164 phone.
	FindCustomerByPhone(ctx context.Context, phone string) (*Customer, error)
	// ListCustomerShopEvents lists a customer's events, oldest first (for
	// the data export).
	ListCustomerShopEvents(ctx context.Context, customerID int64) ([]ShopEvent, error)
}

// ErrUnknownCustomer: no member has the identifier an outside system sent
// (or they erased their data). It unwraps to ErrNotFound.
var ErrUnknownCustomer = fmt.Errorf("%w: no member with this identifier", ErrNotFound)

// ErrCustomerMismatch: the identifiers sent name different members.
var ErrCustomerMismatch = errors.New("customer identifiers name different members")

// ShopEventError says which field of a shop event breaks a rule, for the
// integrator (English). It unwraps to ErrInvalid.
type ShopEventError struct {
	Field   string
	Problem string
}

func (e *ShopEventError) Error() string { return "shop event: " + e.Field + ": " + e.Problem }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ShopEventError) Unwrap() error { return ErrInvalid }

// RecordShopEvent records what the online shop tells about a customer,
// once per (store, event id): a repeat with the same content returns the
// first event (Created false) even when its time or card code has gone
// stale since; the same id with other content is ErrConflict. The
// customer is found by the reference (ErrUnknownCustomer,
// ErrCustomerMismatch, or a card lookup's own errors, whose failed-lookup
// counts are written in tx: commit it). Nudge rules of kind NudgeEvent
// find the event by its time.
func (s *Service) RecordShopEvent(ctx context.Context, tx Tx, req ShopEventRequest) (*ShopEventResult, error) {
	now := s.Now()
	if err := req.validate(s.Program().MaxReceipt, s.Business.ParsePhone, s.Business.PhoneExample); err != nil {
		return nil, err
	}
	hash := req.hash(s.Business.ParsePhone)
	prev, err := tx.FindShopEvent(ctx, req.ShopID, req.EventID)
	switch {
	case err == nil:
		return repeatShopEvent(prev, hash, req.legacyHash(hash))
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	at, err := shopEventTime(req.OccurredAt, now)
	if err != nil {
		return nil, err
	}
	at = at.Truncate(time.Microsecond) // as stored: a repeat answers the same
	c, err := s.shopEventCustomer(ctx, tx, req.Customer, req.Source)
	if err != nil {
		return nil, err
	}
	e := &ShopEvent{ShopID: req.ShopID, EventID: req.EventID, CustomerID: c.ID, Type: req.Type,
		Items: req.Items, OccurredAt: at, CreatedAt: now, RequestHash: hash}
	if e.Items == nil {
		e.Items = []ShopItem{}
	}
	created, err := tx.InsertShopEvent(ctx, e)
	if err != nil {
		return nil, err
	}
	if !created {
		if prev, err = tx.FindShopEvent(ctx, req.ShopID, req.EventID); err != nil {
			return nil, err
		}
		return repeatShopEvent(prev, hash, req.legacyHash(hash))
	}
	return &ShopEventResult{Event: *e, Created: true}, s.emit(ctx, tx, ShopEventRecorded{Event: e})
}

// legacy is the hash as versions before phone_region made it (a number
// without its country code read by ParsePhone): their repeats still match.
func repeatShopEvent(prev *ShopEvent, hash, legacy string) (*ShopEventResult, error) {
	if prev.RequestHash != hash && prev.RequestHash != legacy {
		return nil, fmt.Errorf("%w: event id %q was recorded with another body", ErrConflict, prev.EventID)
	}
	return &ShopEventResult{Event: *prev}, nil
}

// shopEventTime is when the event happened by the business clock.
func shopEventTime(at, now time.Time) (time.Time, error) {
	switch {
	case at.IsZero():
		return now, nil
	case at.After(now.Add(shopEventSkew)):
		return time.Time{}, &ShopEventError{Field: "occurred_at", Problem: fmt.Sprintf(
			"is in the future (%s; the time now is %s); send the time the event happened, or none for now",
			at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
	case at.After(now):
		return now, nil // the shop's clock is a little ahead
	case at.Before(now.Add(-ShopEventMaxAge)):
		return time.Time{}, &ShopEventError{Field: "occurred_at", Problem: fmt.Sprintf(
			"is more than %d days ago; such an old event moves no rule, do not send it", int(ShopEventMaxAge.Hours()/24))}
	}
	return at, nil
}

// shopEventCustomer finds the member the reference names: every
// identifier given must name the same one.
func (s *Service) shopEventCustomer(ctx context.Context, tx Tx, ref CustomerRef, src LookupSource) (*Customer, error) {
	var found []*Customer
	add := func(c *Customer, err error) error {
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrUnknownCustomer
		case err != nil:
			return err
		case !c.Member() || c.Erased:
			return ErrUnknownCustomer
		}
		found = append(found, c)
		return nil
	}
	if ref.TelegramID != 0 {
		if err := add(tx.FindCustomerByTelegramID(ctx, ref.TelegramID)); err != nil {
			return nil, err
		}
	}
	if ref.Phone != "" {
		phone, _ := s.Business.ParsePhone(ref.Phone) // checked by validate
		if err := add(findCustomerByPhone(ctx, tx, phone, ref.Phone)); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(ref.Card) != "" {
		card, err := s.ResolveCard(ctx, tx, src, ref.Card)
		if err != nil {
			return nil, err // the card's own errors, as for a purchase
		}
		if err := add(tx.FindCustomerByID(ctx, card.CustomerID)); err != nil {
			return nil, err
		}
	}
	for _, c := range found[1:] {
		if c.ID != found[0].ID {
			return nil, ErrCustomerMismatch
		}
	}
	return found[0], nil
}

// fieldPath joins the names of a nested field ("customer", "phone").
func fieldPath(parts ...string) string { return strings.Join(parts, ".") }

// validate checks what needs no database: the id, the type, that some
// identifier is given and well-formed, and the items.
func (r *ShopEventRequest) validate(maxPrice int64, parsePhone PhoneReader, example string) error {
	bad := func(field, format string, args ...any) error {
		return &ShopEventError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if err := checkShopText("event_id", r.EventID, shopEventIDLen, true); err != nil {
		return err
	}
	if !slices.Contains(ShopEventTypes, r.Type) {
		return bad("type", "is %q; send one of %v", r.Type, ShopEventTypes)
	}
	ref := r.Customer
	if strings.TrimSpace(ref.Card) == "" && ref.Phone == "" && ref.TelegramID == 0 {
		return bad("customer", "names nobody; send at least one of card, phone or telegram_id")
	}
	if ref.TelegramID < 0 {
		return bad(fieldPath("customer", "telegram_id"), "must be a Telegram user id, a positive number")
	}
	if ref.Phone != "" {
		if _, err := parsePhone(ref.Phone); err != nil {
			return bad(fieldPath("customer", "phone"), "is not a phone number; send it as the customer tells it, e.g. %s",
				cmp.Or(example, "+7 912 345-67-89"))
		}
	}
	if len(r.Items) > shopEventMaxItems {
		return bad("items", "has %d items; send at most %d", len(r.Items), shopEventMaxItems)
	}
	for i, it := range r.Items {
		at := func(f string) string { return fmt.Sprintf("items[%d]", i) + "." + f }
		switch {
		case it.Price < 0 || it.Price > maxPrice:
			return bad(at("price"), "must be a whole number of minor units from 0 to %d", maxPrice)
		case it.Quantity < 1 || it.Quantity > shopItemMaxQty:
			return bad(at("quantity"), "must be a whole number from 1 to %d", shopItemMaxQty)
		}
		for _, f := range []struct {
			name, value string
			max         int
			required    bool
		}{{"name", it.Name, shopItemNameLen, true}, {"sku", it.SKU, shopItemCodeLen, false}, {"category", it.Category, shopItemCodeLen, false}} {
			if err := checkShopText(at(f.name), f.value, f.max, f.required); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkShopText refuses an empty (when required), too long or unprintable
// text: it ends up in chat messages and reports.
func checkShopText(field, s string, maxLen int, required bool) error {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		return &ShopEventError{Field: field, Problem: "must not be empty"}
	case n > maxLen:
		return &ShopEventError{Field: field, Problem: fmt.Sprintf("is %d characters long; send at most %d", n, maxLen)}
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return &ShopEventError{Field: field, Problem: fmt.Sprintf("contains a control or unprintable character (%U); send printable text only", r)}
		}
	}
	return nil
}

// legacyHash is the fingerprint the versions before phone_region made of
// r (its phone read by ParsePhone), when that reading differs and is one;
// hash otherwise. A phone the old reader refused was refused then too: no
// event of it was stored.
func (r *ShopEventRequest) legacyHash(hash string) string {
	if r.Customer.Phone == "" {
		return hash
	}
	if _, err := ParsePhone(r.Customer.Phone); err != nil {
		return hash
	}
	return r.hash(ParsePhone)
}

// hash fingerprints what a repeat must repeat: the type, the customer as
// named (the phone in any spelling), the items in order and the time as
// sent. JSON keeps any text from imitating a separator.
func (r *ShopEventRequest) hash(parsePhone PhoneReader) string {
	phone, _ := parsePhone(r.Customer.Phone)
	at := ""
	if !r.OccurredAt.IsZero() {
		at = r.OccurredAt.UTC().Format(time.RFC3339Nano)
	}
	items := r.Items
	if items == nil {
		items = []ShopItem{}
	}
	enc, _ := json.Marshal(struct {
		Type       ShopEventType
		Card       string
		Phone      string
		TelegramID int64
		Items      []ShopItem
		At         string
	}{r.Type, strings.TrimSpace(r.Customer.Card), phone, r.Customer.TelegramID, items, at})
	sum := sha256.Sum256(append([]byte("shop_event.v1\n"), enc...))
	return hex.EncodeToString(sum[:])
}

// ItemNames lists the items' names for a message: "Bucket, Mop".
func ItemNames(items []ShopItem) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	return strings.Join(names, ", ")
}
