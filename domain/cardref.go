package domain

import (
	"net/url"
	"strings"
)

// minTokenLen is the shortest string that can be a card token (version,
// two one-byte varints and the MAC, base64-encoded), so shorter input is
// not mistaken for one.
const minTokenLen = 20

// CardRef is what a cashier or a POS typed or scanned, before it is checked
// against a CardSigner: exactly one of Token (without "c_") or Code (14
// digits, no separators) is set. Parsing and verifying are separate so that
// "unreadable" (ask again) and "forged/expired" (ask for a fresh card) get
// different answers.
type CardRef struct {
	Token string
	Code  string
}

// ParseCardRef reads a card reference in any form people produce: the
// deep link a phone camera or barcode scanner reads from the QR
// ("https://t.me/any_bot?start=c_<token>", also without scheme, or
// telegram.me), "c_<token>", a bare token, or the 14-digit code with
// spaces or dashes. Anything else is a *ValidationError with reason
// "error.card.unreadable". Only the shape is checked here; signatures and
// expiry are CardSigner's job.
func ParseCardRef(s string) (CardRef, error) {
	s = strings.TrimSpace(s)
	if len(s) > 512 {
		return CardRef{}, unreadable("too long")
	}
	if digits, ok := codeDigits(s); ok {
		return CardRef{Code: digits}, nil
	}
	if payload, ok := deepLinkPayload(s); ok {
		s = payload
		if !strings.HasPrefix(s, "c_") {
			return CardRef{}, unreadable("link is not a card")
		}
	}
	s = strings.TrimPrefix(s, "c_")
	if len(s) < minTokenLen || len(s) > maxTokenLen || !payloadChars(s) {
		return CardRef{}, unreadable("not a card token")
	}
	return CardRef{Token: s}, nil
}

func unreadable(detail string) error {
	return &ValidationError{Reason: "error.card.unreadable", Detail: detail}
}

// deepLinkPayload returns the start parameter of a t.me link, or false if s
// does not look like a link at all.
func deepLinkPayload(s string) (string, bool) {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, "t.me/") && !strings.Contains(lower, "telegram.me/") &&
		!strings.HasPrefix(lower, "tg:") {
		return "", false
	}
	if !strings.Contains(lower, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", true
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "tg" && host == "resolve":
	case (u.Scheme == "https" || u.Scheme == "http") &&
		(host == "t.me" || host == "telegram.me" || host == "www.t.me" || host == "www.telegram.me"):
	default:
		return "", true
	}
	return u.Query().Get("start"), true
}
