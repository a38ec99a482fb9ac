package posapi

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Limits of a purchase body beyond MaxBody.
const (
	maxReceiptID   = 64 // characters
	maxCategories  = 20
	maxCategoryLen = 64 // characters
)

// purchaseBody is POST /api/v1/purchases as sent. Pointers tell a missing
// field from a zero one, so "amount": 0 is invalid_amount, not
// missing_field.
type purchaseBody struct {
	Card         *string  `json:"card"`
	Phone        *string  `json:"phone"` // instead of card, to add points only
	Amount       *int64   `json:"amount"`
	Currency     *string  `json:"currency"`
	ReceiptID    *string  `json:"receipt_id"`
	RedeemPoints *int64   `json:"redeem_points"`
	Categories   []string `json:"categories"`
	// Stamps is how many stamps of the stamp card the purchase earns
	// (three coffees, three); absent: one.
	Stamps *int `json:"stamps"`
}

// purchaseInput is a checked purchase body.
type purchaseInput struct {
	card       string
	phone      string // the customer's phone, when no card was sent
	phoneTyped string // the phone as sent, to find the customer by
	amount     int64
	currency   string
	receiptID  string
	redeem     int64
	categories []string
	stamps     *int
	hash       string
}

// readPurchase decodes and checks the body of POST /api/v1/purchases.
// Every error is an *apiError.
func (a *API) readPurchase(w http.ResponseWriter, r *http.Request) (*purchaseInput, error) {
	var b purchaseBody
	if err := decodeJSON(w, r, &b); err != nil {
		return nil, a.outOfRange(err)
	}
	hasCard, hasPhone := b.Card != nil && strings.TrimSpace(*b.Card) != "", b.Phone != nil && strings.TrimSpace(*b.Phone) != ""
	if hasCard && hasPhone {
		return nil, invalidField("phone", "is sent with card; send the card's code, or the phone of a customer without the card, not both.")
	}
	for _, f := range []struct {
		name    string
		missing bool
	}{
		{"card", !hasCard && !hasPhone},
		{"amount", b.Amount == nil},
		{"currency", b.Currency == nil || *b.Currency == ""},
		{"receipt_id", b.ReceiptID == nil || *b.ReceiptID == ""},
	} {
		if f.missing {
			return nil, missingField(f.name)
		}
	}
	in := &purchaseInput{amount: *b.Amount, currency: *b.Currency, receiptID: *b.ReceiptID}
	if hasCard {
		in.card = *b.Card
	} else {
		phone, err := a.biz.ParsePhone(*b.Phone)
		if err != nil {
			return nil, invalidField("phone", "is not a phone number; send it as the customer tells it, e.g. %s.",
				cmp.Or(a.biz.PhoneExample, "+7 912 345-67-89"))
		}
		in.phone, in.phoneTyped = phone, *b.Phone
	}
	if b.RedeemPoints != nil {
		in.redeem = *b.RedeemPoints
	}
	if in.phone != "" && in.redeem > 0 {
		return nil, errPhoneNoRedeem
	}
	switch {
	case in.amount <= 0 || in.amount > a.program.MaxReceipt:
		return nil, a.amountError()
	case !strings.EqualFold(in.currency, a.currency):
		return nil, newError(http.StatusBadRequest, "invalid_currency",
			"currency %q is not the currency of this business; send %q.", in.currency, a.currency)
	case in.redeem < 0:
		return nil, errNegativePoints
	}
	in.currency = a.currency
	if err := checkText("receipt_id", in.receiptID, maxReceiptID); err != nil {
		return nil, err
	}
	if len(b.Categories) > maxCategories {
		return nil, invalidField("categories", "has %d items; send at most %d.", len(b.Categories), maxCategories)
	}
	for i, c := range b.Categories {
		if err := checkText(fmt.Sprintf("categories[%d]", i), c, maxCategoryLen); err != nil {
			return nil, err
		}
	}
	in.categories = slices.Clone(b.Categories)
	if s := b.Stamps; s != nil {
		if *s < 0 || *s > domain.MaxStampsPerPurchase {
			return nil, invalidField("stamps", "is %d; send 0 to %d, or leave it out for one.", *s, domain.MaxStampsPerPurchase)
		}
		in.stamps = new(*s)
	}
	in.hash = requestHash(in)
	return in, nil
}

// checkText refuses an empty, too long or unprintable identifier: they end
// up in reports and chat messages.
func checkText(field, s string, maxLen int) error {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return invalidField(field, "must not be empty.")
	case n > maxLen:
		return invalidField(field, "is %d characters long; send at most %d.", n, maxLen)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return invalidField(field, "contains a control or unprintable character (%U); send printable text only.", r)
		}
	}
	return nil
}

// requestHash fingerprints what a repeat of a receipt must repeat exactly:
// amount, currency, redemption, the set of categories in any order and
// the stamps when sent.
// The card is compared by domain.RecordPurchase itself (a fresh code for
// the same card is the same request). The categories are JSON-encoded so
// no category text can imitate a separator.
func requestHash(in *purchaseInput) string {
	cats := slices.Clone(in.categories)
	slices.Sort(cats)
	if cats == nil {
		cats = []string{}
	}
	enc, _ := json.Marshal(cats)
	fp := fmt.Appendf(nil, "pos.v1\namount=%d\ncurrency=%s\nredeem=%d\ncategories=%s",
		in.amount, in.currency, in.redeem, enc)
	if in.stamps != nil { // absent, the hash of a receipt sent before stamps existed
		fp = fmt.Appendf(fp, "\nstamps=%d", *in.stamps)
	}
	sum := sha256.Sum256(fp)
	return hex.EncodeToString(sum[:])
}

// decodeJSON reads exactly one JSON object of at most MaxBody bytes into v,
// refusing unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, v)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
		return nil
	case isTooLarge(err):
		return errTooLarge
	default:
		return invalidJSON("There is data after the JSON object; send exactly one object.")
	}
}

func isTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func invalidJSON(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "invalid_json", format, args...)
}

// jsonError explains a decoding failure in terms of the request.
func jsonError(err error, v any) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case isTooLarge(err):
		return errTooLarge
	case errors.Is(err, io.EOF):
		if _, ok := v.(*eventBody); ok {
			return invalidJSON("The body is empty; send a JSON object such as {\"customer\": {\"phone\": \"+79991234567\"}, \"type\": \"cart_abandoned\", \"event_id\": \"E-1\"}.")
		}
		return invalidJSON("The body is empty; send a JSON object such as {\"card\": \"…\", \"amount\": 123450, \"currency\": \"RUB\", \"receipt_id\": \"R-1\"}.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalidJSON("The JSON body ends too early; send a complete object.")
	case errors.As(err, &syn):
		return invalidJSON("The body is not valid JSON (near byte %d); send a JSON object.", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalidJSON("The body must be a JSON object, not %s.", typ.Value)
		}
		if n, ok := strings.CutPrefix(typ.Value, "number "); ok && isWhole(n) {
			// A whole number past the field's type: out of range, not
			// of the wrong kind (amount: invalid_amount, outOfRange).
			return &rangeError{*invalidJSON("The field %q is %s, out of range; see openapi.yaml for its limits.", typ.Field, n), typ.Field}
		}
		return invalidJSON("The field %q must be %s, not %s.", typ.Field, kindOf(typ.Type), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalidJSON("Unknown field %s; the fields are %s.", name, fieldList(v))
	}
	return invalidJSON("The body is not a valid request: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// rangeError is a whole number too large for its field's type.
type rangeError struct {
	apiError
	field string
}

// Unwrap lets fail find the *apiError inside.
func (e *rangeError) Unwrap() error { return &e.apiError }

// isWhole says whether a JSON number is written as a whole number.
func isWhole(n string) bool {
	n = strings.TrimPrefix(n, "-")
	return n != "" && strings.Trim(n, "0123456789") == ""
}

// outOfRange answers an amount too large to read as the invalid_amount
// a smaller one past the largest receipt is; other errors unchanged.
func (a *API) outOfRange(err error) error {
	var re *rangeError
	if errors.As(err, &re) && re.field == "amount" {
		return a.amountError()
	}
	return err
}

func kindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number (minor units or points, no decimals, no quotes)"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "an array of strings"
		}
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
}

// fieldList names the JSON fields of v's struct type.
func fieldList(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" {
			names = append(names, tag)
		}
	}
	return strings.Join(names, ", ")
}
