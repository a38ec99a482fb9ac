package domain

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	// tokenVersion is the first byte of every card token, so the layout can
	// change without old tokens being misread. Version 1 (varint expiry in
	// seconds) is still verified; see Token for version 2.
	tokenVersion = 2
	// tokenMACLen is the truncated HMAC-SHA256 length: 96 bits is far beyond
	// guessing within a token's life, and keeps the QR small.
	tokenMACLen = 12
	// maxTokenLen keeps "c_"+token within Telegram's 64-char start payload.
	maxTokenLen = 62
	// tokenSkew is how far a token's expiry may lie beyond now+ttl (clock
	// differences between processes) before the token is refused.
	tokenSkew = time.Minute
	// maxTTL keeps a token's whole life within the span its 16-bit expiry
	// can tell apart (36.4 hours; see Token).
	maxTTL = 24 * time.Hour

	// cardNumberLen and otpLen make up the 14-digit typed code. The
	// one-time part has 6 digits because typed codes are the guessable
	// form of a card: see lookups.go for the arithmetic against the
	// limits on failed lookups.
	cardNumberLen = 8
	otpLen        = 6
	otpSpace      = 1_000_000 // 10^otpLen
	codeLen       = cardNumberLen + otpLen
)

// tokenEncoding is strict so that every accepted token has exactly one
// spelling: a token that verifies re-encodes to itself.
var tokenEncoding = base64.RawURLEncoding.Strict()

// CardSigner makes and checks the two short-lived forms of a loyalty card:
// the token inside the QR deep link and the 14-digit code printed under it.
// Both are bound to a server secret, so a customer cannot forge a card, and
// both age out, so a screenshot of someone's card stops working quickly.
type CardSigner struct {
	tokenKey  []byte
	codeKey   []byte
	buttonKey []byte // signs stateless buttons (buttonmac.go)
	ttl       time.Duration
}

// NewCardSigner returns a signer for the secret from config. The secret must
// be at least 16 bytes (a shorter one is guessable offline from one token)
// and ttl from one second (code windows count whole seconds) to a day (a
// token's expiry must stay recoverable from its 16 bits). Separate keys are
// derived for tokens and codes so that one form can never be replayed as the
// other.
func NewCardSigner(secret []byte, ttl time.Duration) (*CardSigner, error) {
	if len(secret) < 16 {
		return nil, fmt.Errorf("card signer: secret is %d bytes, need at least 16", len(secret))
	}
	if ttl < time.Second || ttl > maxTTL {
		return nil, fmt.Errorf("card signer: ttl %v, need 1s to %v", ttl, maxTTL)
	}
	return &CardSigner{
		tokenKey:  deriveKey(secret, "loyaltybot card token v1"),
		codeKey:   deriveKey(secret, "loyaltybot card code v1"),
		buttonKey: deriveKey(secret, "loyaltybot button v1"),
		ttl:       ttl.Truncate(time.Second),
	}, nil
}

func deriveKey(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// TTL is how long a token stays valid and the length of one code window;
// the card screen uses it to know when to show a fresh QR.
func (s *CardSigner) TTL() time.Duration { return s.ttl }

// Token returns the payload put after "c_" in https://t.me/<bot>?start=c_<token>.
// It is at most 62 chars of [A-Za-z0-9_-] for any card id, so "c_"+token fits
// Telegram's 64-char start payload. Layout before base64 (raw URL), version 2:
//
//	0x02 | uvarint card id | expiry, 2 bytes | HMAC-SHA256, 12 bytes
//
// The expiry is counted in expiryUnit steps since the Unix epoch, rounded
// down (a token never outlives the ttl), and only its low 16 bits are
// written: the verifier knows the expiry lies within a day and a half
// before now+ttl and takes the one value in that span with those bits. The
// MAC covers the whole expiry, so an old token whose low bits come round
// again does not verify. A card id below 2,097,152 makes a 24-char token,
// and https://t.me/<bot>?start=c_<token> stays within the 62 bytes of a
// version 4 QR at level M for bot names up to 15 chars: a 33-module code
// instead of 37, coarser to scan and 44 % cheaper to draw (the QR was a
// third of the bot's CPU in the chat load) than version 1's 28-char token.
func (s *CardSigner) Token(cardID int64, now time.Time) string {
	units := expiryUnits(now.Add(s.ttl))
	buf := make([]byte, 0, 1+binary.MaxVarintLen64+2+tokenMACLen)
	buf = append(buf, tokenVersion)
	buf = binary.AppendUvarint(buf, uint64(cardID))
	head := len(buf)
	buf = binary.BigEndian.AppendUint16(buf, uint16(units))
	return tokenEncoding.EncodeToString(append(buf, s.tokenMAC(buf[:head], expiryBytes(units))...))
}

// expiryUnit is the step of a version 2 token's expiry: 16 bits of it span
// 36.4 hours, enough for the longest ttl (24h) and a day-old token still
// to be told apart as expired rather than forged.
const expiryUnit = 2 // seconds

func expiryUnits(t time.Time) int64 { return floorDiv(t.Unix(), expiryUnit) }

// tokenMAC is the truncated HMAC of parts in a row. A version 1 token
// signs everything before its MAC; a version 2 token its version and card
// id as written, then the whole expiry (expiryBytes), of which it carries
// only the low bits.
func (s *CardSigner) tokenMAC(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, s.tokenKey)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)[:tokenMACLen]
}

func expiryBytes(units int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(units)) }

// VerifyToken returns the card id a token was made for. A malformed, forged
// or unknown-version token is ErrCardInvalid (wrapped with a detail for
// logs); a genuine token past its expiry is ErrCardExpired, so the cashier
// can ask for a fresh card instead of suspecting fraud. The signature is
// checked before the expiry, so a forged token is never called expired. A
// genuine token whose expiry lies further ahead than ttl allows (the ttl was
// lowered, or clocks disagree by more than a minute) is refused as invalid,
// and so is a version 2 token that expired more than about a day and a half
// ago (its expiry is no longer recoverable from its low bits). Version 1
// tokens, which replicas not yet upgraded still show, verify for their ttl.
//
// A genuine token that expired comes back with its card id and
// ErrCardExpired: its signature proves which card it was made for (a
// POS's retry of a recorded receipt is compared with it), but it opens
// nothing.
func (s *CardSigner) VerifyToken(token string, now time.Time) (cardID int64, err error) {
	if token == "" || len(token) > maxTokenLen {
		return 0, fmt.Errorf("%w: token length %d", ErrCardInvalid, len(token))
	}
	// The base64 decoder skips '\r' and '\n'; refuse them (and anything
	// else outside the alphabet) first so a token has exactly one spelling.
	if !payloadChars(token) {
		return 0, fmt.Errorf("%w: bad characters", ErrCardInvalid)
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil {
		return 0, fmt.Errorf("%w: not base64", ErrCardInvalid)
	}
	if len(raw) < 1+2+tokenMACLen {
		return 0, fmt.Errorf("%w: token too short", ErrCardInvalid)
	}
	switch raw[0] {
	case tokenVersion:
		return s.verifyV2(raw, now)
	case 1:
		return s.verifyV1(raw, now)
	}
	return 0, fmt.Errorf("%w: token version %d", ErrCardInvalid, raw[0])
}

func (s *CardSigner) verifyV2(raw []byte, now time.Time) (int64, error) {
	body, mac := raw[:len(raw)-tokenMACLen], raw[len(raw)-tokenMACLen:]
	id, n := binary.Uvarint(body[1:])
	if n <= 0 || len(body) != 1+n+2 {
		return 0, fmt.Errorf("%w: bad layout", ErrCardInvalid)
	}
	head := body[:1+n]
	// The latest expiry a genuine token can have, and the one value at or
	// before it with the token's low 16 bits.
	latest := expiryUnits(now.Add(s.ttl + tokenSkew))
	units := latest - (latest-int64(binary.BigEndian.Uint16(body[1+n:])))&0xffff
	if !hmac.Equal(mac, s.tokenMAC(head, expiryBytes(units))) {
		return 0, fmt.Errorf("%w: bad signature", ErrCardInvalid)
	}
	if exp := units * expiryUnit; now.Unix() > exp {
		return int64(id), fmt.Errorf("%w: token expired %s", ErrCardExpired,
			time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return int64(id), nil
}

// verifyV1 reads the first layout: version byte 1, varint card id, varint
// expiry in unix seconds, MAC of everything before it.
func (s *CardSigner) verifyV1(raw []byte, now time.Time) (int64, error) {
	body, mac := raw[:len(raw)-tokenMACLen], raw[len(raw)-tokenMACLen:]
	if !hmac.Equal(mac, s.tokenMAC(body)) {
		return 0, fmt.Errorf("%w: bad signature", ErrCardInvalid)
	}
	rest := body[1:]
	id, n := binary.Varint(rest)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad card id", ErrCardInvalid)
	}
	rest = rest[n:]
	exp, n := binary.Varint(rest)
	if n <= 0 || n != len(rest) {
		return 0, fmt.Errorf("%w: bad expiry", ErrCardInvalid)
	}
	if now.Unix() > exp {
		return id, fmt.Errorf("%w: token expired %s", ErrCardExpired,
			time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	if exp > now.Add(s.ttl+tokenSkew).Unix() {
		return 0, fmt.Errorf("%w: expiry too far ahead", ErrCardInvalid)
	}
	return id, nil
}

// Code returns the 14 digits printed under the QR for typing by hand at
// /scan or into a POS: the card's static 8-digit number, then a 6-digit
// one-time code for the current time window (window = ttl, like TOTP). The
// number alone finds the card; the one-time part proves the customer is
// showing it now, not reading it off an old photo.
func (s *CardSigner) Code(cardNumber string, now time.Time) string {
	return cardNumber + s.otp(cardNumber, s.window(now))
}

func (s *CardSigner) window(now time.Time) int64 {
	return floorDiv(now.Unix(), int64(s.ttl/time.Second))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (s *CardSigner) otp(cardNumber string, window int64) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte(cardNumber))
	var w [8]byte
	binary.BigEndian.PutUint64(w[:], uint64(window))
	m.Write(w[:])
	sum := m.Sum(nil)
	// 2^64 / 10^6 leaves a modulo bias far below one in a billion.
	v := binary.BigEndian.Uint64(sum[:8]) % otpSpace
	return fmt.Sprintf("%0*d", otpLen, v)
}

// VerifyCode checks a typed 14-digit code (spaces and dashes allowed) and
// returns its card number. The one-time part is accepted for the current and
// the previous window, so a code shown just before a window ends still works
// for at least ttl. Anything else, an old code included, is ErrCardInvalid:
// a typed code can be guessed, so "expired" would tell a guesser that the
// number is a card's and the one-time part was right once (and searching old
// windows would cost an HMAC per window on every failed attempt). The
// cashier is told to ask for a fresh code either way.
func (s *CardSigner) VerifyCode(code string, now time.Time) (cardNumber string, err error) {
	digits, ok := codeDigits(code)
	if !ok {
		return "", fmt.Errorf("%w: not a %d-digit code", ErrCardInvalid, codeLen)
	}
	number, otp := digits[:cardNumberLen], digits[cardNumberLen:]
	if number[0] == '0' {
		return "", fmt.Errorf("%w: card number starts with 0", ErrCardInvalid)
	}
	w := s.window(now)
	if s.otpMatches(number, otp, w) || s.otpMatches(number, otp, w-1) {
		return number, nil
	}
	return "", fmt.Errorf("%w: wrong or old one-time code", ErrCardInvalid)
}

func (s *CardSigner) otpMatches(number, otp string, window int64) bool {
	return hmac.Equal([]byte(otp), []byte(s.otp(number, window)))
}

// codeDigits strips the spaces and dashes people type between groups and
// reports whether exactly 14 ASCII digits remain.
func codeDigits(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\u00a0':
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) == codeLen
}

// codeSeparators drops what people and printers put between a code's
// digits. Built once: a Replacer made per call allocated 6 KB each time,
// on every /card.
var codeSeparators = strings.NewReplacer(" ", "", "-", "")

// FormatCode groups a code so it is easy to read aloud and type: a card
// code as the number in fours and the one-time part in threes
// ("1234 5678 123 456"), anything else in fours. Spaces and dashes in the
// input are dropped first; input that is not all digits is returned
// unchanged.
func FormatCode(code string) string {
	digits := codeSeparators.Replace(code)
	for _, r := range digits {
		if r < '0' || r > '9' {
			return code
		}
	}
	if len(digits) == codeLen {
		return digits[:4] + " " + digits[4:8] + " " + digits[8:11] + " " + digits[11:]
	}
	var b strings.Builder
	for i := 0; i < len(digits); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(digits[i:min(i+4, len(digits))])
	}
	return b.String()
}

// NewCardNumber makes a random 8-digit card number with a non-zero first
// digit (so it never loses a digit in a spreadsheet). Numbers are random
// rather than sequential so one card does not reveal its neighbours; the
// caller retries on a uniqueness conflict.
func NewCardNumber() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand.Read does not fail on supported platforms.
		panic(errors.New("crypto/rand: " + err.Error()))
	}
	// 90,000,000 ≪ 2^64, so the modulo bias is negligible.
	n := 10_000_000 + binary.BigEndian.Uint64(b[:])%90_000_000
	return strconv.FormatUint(n, 10)
}
