package domain

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var (
	testSecret = []byte("0123456789abcdef-test-secret")
	testNow    = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

func testSigner(t testing.TB) *CardSigner {
	t.Helper()
	s, err := NewCardSigner(testSecret, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewCardSigner(t *testing.T) {
	tests := []struct {
		secret []byte
		ttl    time.Duration
		ok     bool
	}{
		{testSecret, 5 * time.Minute, true},
		{[]byte("exactly16bytes!!"), time.Second, true},
		{[]byte("15 bytes secret"), time.Minute, false},
		{nil, time.Minute, false},
		{testSecret, 0, false},
		{testSecret, -time.Minute, false},
		{testSecret, 500 * time.Millisecond, false},
		{testSecret, 24 * time.Hour, true},
		{testSecret, 24*time.Hour + time.Second, false},
	}
	for _, tt := range tests {
		s, err := NewCardSigner(tt.secret, tt.ttl)
		if (err == nil) != tt.ok {
			t.Errorf("NewCardSigner(%q, %v) error = %v, want ok=%v", tt.secret, tt.ttl, err, tt.ok)
		}
		if err == nil && s.TTL() != tt.ttl {
			t.Errorf("TTL() = %v, want %v", s.TTL(), tt.ttl)
		}
	}
}

// mutate decodes a token, lets f change its bytes and encodes it again, so
// tests can forge tokens byte by byte.
func mutate(t *testing.T, token string, f func([]byte) []byte) string {
	t.Helper()
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	return tokenEncoding.EncodeToString(f(append([]byte(nil), raw...)))
}

func TestVerifyToken(t *testing.T) {
	s := testSigner(t)
	other, err := NewCardSigner([]byte("another-secret-of-16+"), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Token(42, testNow)
	ttl := s.TTL()
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error // nil means the card id 42
	}{
		{"fresh", tok, testNow, nil},
		{"last second", tok, testNow.Add(ttl), nil},
		{"clock slightly behind", tok, testNow.Add(-30 * time.Second), nil},
		{"expired", tok, testNow.Add(ttl + time.Second), ErrCardExpired},
		{"expired a day ago", tok, testNow.Add(ttl + 24*time.Hour), ErrCardExpired},
		{"expired two days ago", tok, testNow.Add(48 * time.Hour), ErrCardInvalid},
		{"low expiry bits come round again", s.Token(42, testNow.Add(-expiryUnit*(1<<16)*time.Second)), testNow, ErrCardInvalid},
		{"version 1", tokenV1(s, 42, testNow), testNow, nil},
		{"version 1 expired", tokenV1(s, 42, testNow), testNow.Add(ttl + time.Second), ErrCardExpired},
		{"version 1 from a future window", tokenV1(s, 42, testNow.Add(time.Hour)), testNow, ErrCardInvalid},
		{"version 2 read as version 1", mutate(t, tok, func(b []byte) []byte { b[0] = 1; return b }), testNow, ErrCardInvalid},
		{"flipped signature byte", mutate(t, tok, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), testNow, ErrCardInvalid},
		{"forged and old", mutate(t, tok, func(b []byte) []byte { b[len(b)-3] ^= 0x80; return b }), testNow.Add(time.Hour), ErrCardInvalid},
		{"changed card id", mutate(t, tok, func(b []byte) []byte { b[1]++; return b }), testNow, ErrCardInvalid},
		{"changed expiry", mutate(t, tok, func(b []byte) []byte { b[3]++; return b }), testNow, ErrCardInvalid},
		{"wrong version", mutate(t, tok, func(b []byte) []byte { b[0] = 3; return b }), testNow, ErrCardInvalid},
		{"id varint runs into the expiry", mutate(t, tok, func(b []byte) []byte { b[1] |= 0x80; return b }), testNow, ErrCardInvalid},
		{"wrong secret", other.Token(42, testNow), testNow, ErrCardInvalid},
		{"wrong secret and old", other.Token(42, testNow), testNow.Add(time.Hour), ErrCardInvalid},
		{"truncated by one char", tok[:len(tok)-1], testNow, ErrCardInvalid},
		{"truncated by one byte", mutate(t, tok, func(b []byte) []byte { return b[:len(b)-1] }), testNow, ErrCardInvalid},
		{"extra byte", mutate(t, tok, func(b []byte) []byte { return append(b, 0) }), testNow, ErrCardInvalid},
		{"from a future window", s.Token(42, testNow.Add(time.Hour)), testNow, ErrCardInvalid},
		{"non-canonical base64", tok[:len(tok)-1] + nextB64(tok[len(tok)-1]), testNow, ErrCardInvalid},
		{"empty", "", testNow, ErrCardInvalid},
		{"not base64", "!!!!!!!!!!!!!!!!!!!!!!!!", testNow, ErrCardInvalid},
		{"padded", tok + "=", testNow, ErrCardInvalid},
		{"embedded newline", tok[:5] + "\r\n" + tok[5:], testNow, ErrCardInvalid},
		{"too long", strings.Repeat("A", 63), testNow, ErrCardInvalid},
		{"with c_ prefix", "c_" + tok, testNow, ErrCardInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.VerifyToken(tt.token, tt.now)
			if tt.want == nil {
				if err != nil || id != 42 {
					t.Fatalf("VerifyToken(%q) = %d, %v; want 42, nil", tt.token, id, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyToken(%q) error = %v, want %v", tt.token, err, tt.want)
			}
			if tt.want == ErrCardInvalid && errors.Is(err, ErrCardExpired) {
				t.Fatalf("forged token reported as expired: %v", err)
			}
		})
	}
}

// nextB64 changes the last character of a raw base64 string to one that
// decodes to the same bytes only if trailing bits are ignored.
func nextB64(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

func TestTokenShapeAndRoundTrip(t *testing.T) {
	s := testSigner(t)
	ids := []int64{0, 1, 42, 127, 128, 1 << 31, 1<<53 + 1, math.MaxInt64 - 1, math.MaxInt64, -1, math.MinInt64}
	times := []time.Time{testNow, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for _, id := range ids {
		for _, now := range times {
			tok := s.Token(id, now)
			if len(tok) > 62 {
				t.Errorf("Token(%d, %v) has %d chars, want ≤ 62", id, now, len(tok))
			}
			if !payloadChars(tok) {
				t.Errorf("Token(%d) = %q has characters outside [A-Za-z0-9_-]", id, tok)
			}
			if _, err := ParseStartPayload("c_" + tok); err != nil {
				t.Errorf("c_%s is not a valid start payload: %v", tok, err)
			}
			got, err := s.VerifyToken(tok, now)
			if err != nil || got != id {
				t.Errorf("VerifyToken(Token(%d)) = %d, %v", id, got, err)
			}
		}
	}
	if a, b := s.Token(7, testNow), s.Token(7, testNow.Add(expiryUnit*time.Second)); a == b {
		t.Errorf("tokens %ds apart are equal: %q", expiryUnit, a)
	}
	// The QR's size depends on the link's length: up to 2,097,151 cards the
	// token stays at 24 chars (see Token).
	for _, id := range []int64{1, 16383, 16384, 2_097_151} {
		if tok := s.Token(id, testNow); len(tok) > 24 {
			t.Errorf("Token(%d) = %q, %d chars; want ≤ 24", id, tok, len(tok))
		}
	}
}

// tokenV1 makes a token in the first layout (version 1, varint card id,
// varint expiry in seconds, MAC of all before it), as replicas running the
// earlier release still show.
func tokenV1(s *CardSigner, cardID int64, now time.Time) string {
	buf := []byte{1}
	buf = binary.AppendVarint(buf, cardID)
	buf = binary.AppendVarint(buf, now.Add(s.ttl).Unix())
	return tokenEncoding.EncodeToString(append(buf, s.tokenMAC(buf)...))
}

func TestCode(t *testing.T) {
	s := testSigner(t)
	const number = "12345678"
	code := s.Code(number, testNow)
	if len(code) != 14 || !allDigits(code) || code[:8] != number {
		t.Fatalf("Code = %q, want the number and 6 digits", code)
	}
	wrongDigit := code[:13] + string('0'+(code[13]-'0'+1)%10)
	wrongNumber := "12345679" + code[8:]
	tests := []struct {
		name string
		code string
		now  time.Time
		want error // nil means the number
	}{
		{"now", code, testNow, nil},
		{"grouped", FormatCode(code), testNow, nil},
		{"dashes", code[:4] + "-" + code[4:8] + "-" + code[8:], testNow, nil},
		{"spaces anywhere", " " + code[:2] + " " + code[2:9] + "  " + code[9:] + " ", testNow, nil},
		{"old 12-digit shape", code[:12], testNow, ErrCardInvalid},
		{"surrounding spaces", " " + code + " ", testNow, nil},
		{"one ttl later", code, testNow.Add(s.TTL()), nil},
		{"two windows later", code, testNow.Add(2 * s.TTL()), ErrCardInvalid},
		{"two hours later", code, testNow.Add(2 * time.Hour), ErrCardInvalid},
		{"23 hours later", code, testNow.Add(23 * time.Hour), ErrCardInvalid},
		{"wrong otp digit", wrongDigit, testNow, ErrCardInvalid},
		{"wrong number digit", wrongNumber, testNow, ErrCardInvalid},
		{"from a future window", s.Code(number, testNow.Add(time.Hour)), testNow, ErrCardInvalid},
		{"13 digits", code[:13], testNow, ErrCardInvalid},
		{"15 digits", code + "1", testNow, ErrCardInvalid},
		{"letters", code[:13] + "a", testNow, ErrCardInvalid},
		{"leading zero number", s.Code("02345678", testNow), testNow, ErrCardInvalid},
		{"empty", "", testNow, ErrCardInvalid},
		{"fullwidth digits", "１２３４５６７８９０１２３４", testNow, ErrCardInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.VerifyCode(tt.code, tt.now)
			if tt.want == nil {
				if err != nil || got != number {
					t.Fatalf("VerifyCode(%q) = %q, %v; want %q", tt.code, got, err, number)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyCode(%q) error = %v, want %v", tt.code, err, tt.want)
			}
		})
	}
}

// TestCodeWindows checks that a code lives at least ttl wherever in its
// window it was shown, and is refused once two windows passed, with the
// same error as a wrong code: "expired" would tell a guesser it was close.
func TestCodeWindows(t *testing.T) {
	s := testSigner(t)
	for off := time.Duration(0); off < s.TTL(); off += 17 * time.Second {
		shown := testNow.Add(off)
		code := s.Code("87654321", shown)
		if _, err := s.VerifyCode(code, shown.Add(s.TTL())); err != nil {
			t.Errorf("code shown at +%v refused one ttl later: %v", off, err)
		}
		_, err := s.VerifyCode(code, shown.Add(2*s.TTL()))
		if !errors.Is(err, ErrCardInvalid) || errors.Is(err, ErrCardExpired) {
			t.Errorf("code shown at +%v two windows later: %v, want invalid (as a wrong code)", off, err)
		}
	}
}

// TestOneTimePartShape: the one-time part is always 6 digits, leading
// zeros kept, and varies from window to window and card to card.
func TestOneTimePartShape(t *testing.T) {
	s := testSigner(t)
	seen := map[string]bool{}
	for i := range 2000 {
		code := s.Code("12345678", testNow.Add(time.Duration(i)*s.TTL()))
		if len(code) != 14 || !allDigits(code) {
			t.Fatalf("Code = %q, want 14 digits", code)
		}
		seen[code[8:]] = true
	}
	if len(seen) < 1990 {
		t.Errorf("only %d distinct one-time parts in 2000 windows", len(seen))
	}
	if a, b := s.Code("12345678", testNow), s.Code("12345679", testNow); a[8:] == b[8:] {
		t.Errorf("two cards share the one-time part %s (possible, but not with this secret)", a[8:])
	}
}

func TestCodeAndTokenKeysDiffer(t *testing.T) {
	s := testSigner(t)
	if string(s.tokenKey) == string(s.codeKey) {
		t.Fatal("token and code keys are equal")
	}
}

func TestFormatCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12345678123456", "1234 5678 123 456"},
		{"1234-5678-123-456", "1234 5678 123 456"},
		{"1234 5678 123 456", "1234 5678 123 456"},
		{"1234 5678 1234 56", "1234 5678 123 456"},
		{"123456789012", "1234 5678 9012"},
		{"12345", "1234 5"},
		{"", ""},
		{"abc", "abc"},
	}
	for _, tt := range tests {
		if got := FormatCode(tt.in); got != tt.want {
			t.Errorf("FormatCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewCardNumber(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := NewCardNumber()
		if len(n) != 8 || !allDigits(n) || n[0] == '0' {
			t.Fatalf("NewCardNumber() = %q", n)
		}
		seen[n] = true
	}
	if len(seen) < 990 {
		t.Errorf("only %d distinct numbers in 1000", len(seen))
	}
	s := testSigner(t)
	n := NewCardNumber()
	if got, err := s.VerifyCode(s.Code(n, testNow), testNow); err != nil || got != n {
		t.Errorf("VerifyCode(Code(%s)) = %q, %v", n, got, err)
	}
}

func FuzzVerifyToken(f *testing.F) {
	s := testSigner(f)
	f.Add(s.Token(42, testNow), int64(42), testNow.Unix())
	f.Add(s.Token(math.MaxInt64, testNow), int64(math.MaxInt64), int64(0))
	f.Add("AQ", int64(-1), int64(-1))
	f.Add("", int64(0), int64(math.MaxInt32))
	f.Fuzz(func(t *testing.T, token string, id int64, unix int64) {
		now := time.Unix(unix%(1<<40), 0)
		got, err := s.VerifyToken(token, now)
		if err == nil {
			// Only a token this signer made can verify, and it has one spelling.
			raw, derr := tokenEncoding.DecodeString(token)
			if derr != nil || tokenEncoding.EncodeToString(raw) != token || len(token) > 62 {
				t.Fatalf("accepted non-canonical token %q", token)
			}
			if again, err := s.VerifyToken(token, now); err != nil || again != got {
				t.Fatalf("verify not stable: %d, %v", again, err)
			}
		} else if !errors.Is(err, ErrCardInvalid) && !errors.Is(err, ErrCardExpired) {
			t.Fatalf("VerifyToken error %v is neither invalid nor expired", err)
		}
		tok := s.Token(id, now)
		if len(tok) > 62 || !payloadChars(tok) {
			t.Fatalf("Token(%d) = %q", id, tok)
		}
		if back, err := s.VerifyToken(tok, now); err != nil || back != id {
			t.Fatalf("round trip of %d: %d, %v", id, back, err)
		}
		if back, err := s.VerifyToken(tok, now.Add(s.TTL()+time.Second)); !errors.Is(err, ErrCardExpired) || back != id {
			t.Fatalf("token past its ttl: %d, %v, want %d and expired (its card named)", back, err, id)
		}
	})
}

func FuzzVerifyCode(f *testing.F) {
	s := testSigner(f)
	f.Add(s.Code("12345678", testNow), testNow.Unix())
	f.Add("1234 5678 123 456", int64(0))
	f.Add("1234 5678 9012", int64(0))
	f.Add("０１２", int64(-5))
	f.Fuzz(func(t *testing.T, code string, unix int64) {
		now := time.Unix(unix%(1<<40), 0)
		n, err := s.VerifyCode(code, now)
		if err != nil {
			if !errors.Is(err, ErrCardInvalid) && !errors.Is(err, ErrCardExpired) {
				t.Fatalf("VerifyCode error %v is neither invalid nor expired", err)
			}
			return
		}
		if len(n) != 8 || !allDigits(n) || n[0] == '0' {
			t.Fatalf("VerifyCode(%q) = %q", code, n)
		}
		ref, err := ParseCardRef(code)
		if err != nil || ref.Code == "" || ref.Code[:8] != n {
			t.Fatalf("ParseCardRef(%q) = %+v, %v", code, ref, err)
		}
	})
}
