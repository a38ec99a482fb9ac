package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// maxStartPayload is Telegram's limit on a /start deep-link parameter.
const maxStartPayload = 64

// StartKind says which deep link brought someone to the bot, and so which
// flow /start continues with.
type StartKind int

// The deep links of DESIGN §3. StartNone is a plain /start (or a payload the
// bot does not understand, which is treated the same way).
const (
	StartNone     StartKind = iota
	StartStore              // "s_<storecode>" or "s_<storecode>_<cashier>": joined at a store's register
	StartCard               // "c_<token>": a customer's card, scanned by staff
	StartInvite             // "i_<token>": one-time staff or owner invite
	StartReferral           // "r_<code>": referral from another customer
	StartWaitlist           // "w_<code>": "tell me when it is back" for an item
	StartCardMove           // "m_<token>": a one-time link moving a card to a new Telegram account
	StartCodeWord           // "p_<word>": a code word's link (its points, once)
)

var startPrefixes = [...]string{
	StartStore:    "s_",
	StartCard:     "c_",
	StartInvite:   "i_",
	StartReferral: "r_",
	StartWaitlist: "w_",
	StartCardMove: "m_",
	StartCodeWord: "p_",
}

// StartKinds lists every deep-link kind the bot reads (not StartNone), so
// a test can try each one: a kind added to startPrefixes is in it.
func StartKinds() []StartKind {
	var ks []StartKind
	for k, prefix := range startPrefixes {
		if prefix != "" {
			ks = append(ks, StartKind(k))
		}
	}
	return ks
}

// Prefix is what a payload of this kind starts with ("c_" for a card).
func (k StartKind) Prefix() string {
	if k < 0 || int(k) >= len(startPrefixes) {
		return ""
	}
	return startPrefixes[k]
}

// String names the kind for logs.
func (k StartKind) String() string {
	switch k {
	case StartNone:
		return "none"
	case StartStore:
		return "store"
	case StartCard:
		return "card"
	case StartInvite:
		return "invite"
	case StartReferral:
		return "referral"
	case StartWaitlist:
		return "waitlist"
	case StartCardMove:
		return "card_move"
	case StartCodeWord:
		return "code_word"
	}
	return fmt.Sprintf("StartKind(%d)", int(k))
}

// StartPayload is a parsed deep-link parameter: its kind and the value after
// the prefix (a store code, card token, invite token, referral code or
// waitlist code).
type StartPayload struct {
	Kind  StartKind
	Value string
}

// ParseStartPayload reads the parameter of "/start <payload>". An empty
// payload is a plain /start. An unknown prefix, an empty value, characters
// outside [A-Za-z0-9_-] or more than 64 chars give StartNone and an error
// wrapping ErrInvalid (reason "error.start.invalid"): the bot logs it and
// carries on as with a plain /start, since a mangled link should still greet
// the person.
func ParseStartPayload(s string) (StartPayload, error) {
	if s == "" {
		return StartPayload{}, nil
	}
	if len(s) > maxStartPayload {
		return StartPayload{}, badStart("longer than 64")
	}
	if !payloadChars(s) {
		return StartPayload{}, badStart("bad characters")
	}
	for k, prefix := range startPrefixes {
		if prefix == "" || len(s) < len(prefix) || s[:len(prefix)] != prefix {
			continue
		}
		if len(s) == len(prefix) {
			return StartPayload{}, badStart("empty value")
		}
		return StartPayload{Kind: StartKind(k), Value: s[len(prefix):]}, nil
	}
	return StartPayload{}, badStart("unknown prefix")
}

func badStart(detail string) error {
	return &ValidationError{Reason: "error.start.invalid", Detail: detail}
}

// payloadChars reports whether s uses only the characters Telegram allows in
// a start payload: A-Z, a-z, 0-9, '_' and '-'.
func payloadChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// StoreLink splits the value of an s_ link: the store code and, after an
// underscore (store codes have none), the staff id of the cashier whose
// own join QR it is. A cashier part that is not a positive number is
// ignored: the customer still joins at the store.
func StoreLink(value string) (store string, cashier int64) {
	store, rest, ok := strings.Cut(value, "_")
	if !ok {
		return value, 0
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n <= 0 {
		return store, 0
	}
	return store, n
}

// StoreLinkPayload is the /start payload of a store's join link, with the
// cashier's staff id when it is their own (0: the store's poster).
func StoreLinkPayload(store string, cashier int64) string {
	if cashier == 0 {
		return startPrefixes[StartStore] + store
	}
	return startPrefixes[StartStore] + store + "_" + strconv.FormatInt(cashier, 10)
}
