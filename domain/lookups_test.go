package domain

import (
	"testing"
	"time"
)

// TestGuessOdds keeps the arithmetic in lookups.go true: within what the
// limits allow, a guess finds a card with odds below 1 in 10,000.
func TestGuessOdds(t *testing.T) {
	const validAtATime = 2 // the current and the previous window
	otp := int64(1)
	for range otpLen {
		otp *= 10
	}
	if otp != otpSpace {
		t.Fatalf("otpSpace %d is not 10^%d", otpSpace, otpLen)
	}
	// A known card number: per card per window, doubled for the burst a
	// fixed window allows around its turn.
	perCard := int64(2 * LimitOf(ScopeCard).Max)
	if validAtATime*perCard*10_000 >= otpSpace {
		t.Errorf("known number: %d valid × %d attempts / %d is not below 1/10,000", validAtATime, perCard, otpSpace)
	}
	// No card number known: a key's attempts against a million cards,
	// over a whole day of windows.
	const cards, numbers = 1_000_000, 90_000_000
	perDay := int64(LimitOf(ScopePOSKey).Max) * int64(24*time.Hour/LimitOf(ScopePOSKey).Window)
	if validAtATime*cards*perDay*10_000 >= numbers*otpSpace {
		t.Errorf("unknown number: %d × %d cards × %d attempts / %d·%d is not below 1/10,000",
			validAtATime, cards, perDay, numbers, otpSpace)
	}
}

func TestLookupWindows(t *testing.T) {
	now := time.Date(2031, 5, 1, 23, 59, 30, 0, time.FixedZone("MSK", 3*3600))
	src := LookupSource{Scope: ScopeStaff, ID: "7"}
	keys := lookupKeys(src, "12345678", now)
	want := []LookupKey{
		{ScopeStaff, "7", time.Date(2031, 5, 1, 20, 45, 0, 0, time.UTC)},
		{ScopeCard, "12345678", time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	if len(keys) != 2 || keys[0] != want[0] || keys[1] != want[1] {
		t.Fatalf("lookupKeys = %v, want %v", keys, want)
	}
	if k := lookupKeys(src, "", now); len(k) != 1 {
		t.Fatalf("without a card number: %v", k)
	}
	over := func(n, max int) bool { return n >= max }
	err := overLimit(keys, []int{staffLimitMax, cardLimitMax}, now, over)
	tm, ok := err.(*TooManyAttemptsError)
	if !ok || tm.RetryAfter != time.Date(2031, 5, 2, 0, 0, 0, 0, time.UTC).Sub(now) {
		t.Fatalf("both over: %v, want a wait until the card's window ends", err)
	}
	if err := overLimit(keys, []int{staffLimitMax - 1, 0}, now, over); err != nil {
		t.Fatalf("under the limits: %v", err)
	}
}

func TestTypedCardNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1234 5678 123 456":          "12345678",
		"0234 5678 123 456":          "",
		"1234 5678 9012":             "",
		"c_AAAAAAAAAAAAAAAAAAAAAAAA": "",
		"hello":                      "",
	} {
		if got := TypedCardNumber(in); got != want {
			t.Errorf("TypedCardNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
