package posapi_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBadPhoneExampleIsTheShopsCountry: in a shop of phone_region UZ, a
// phone the API cannot read is answered with an example of the shop's
// own country, as the chat's messages give (PhoneExample), not a Russian one.
func TestBadPhoneExampleIsTheShopsCountry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(b *domain.Business) { b.PhoneRegion = "UZ" })
	r := e.purchase(map[string]any{"phone": "call me", "amount": 100_000, "currency": "RUB", "receipt_id": "R-1"})
	if r.status != 400 || r.code() != "invalid_field" {
		t.Fatalf("not a phone: %d %s", r.status, r.raw)
	}
	if strings.Contains(r.message(), "+7999") || !strings.Contains(r.message(), e.h.Biz.PhoneExample) {
		t.Errorf("message %q: want the shop's example %q", r.message(), e.h.Biz.PhoneExample)
	}
}
