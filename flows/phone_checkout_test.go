package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestCheckoutByPhoneAddsPointsOnly: a customer without their card tells
// the cashier their number; /scan takes it in any usual spelling, shows
// the customer and lets the cashier add points but not pay with them (a
// crafted "pay with points" tap changes nothing); the customer is told
// as after any purchase. A number of nobody says so and counts as a
// failed lookup: past the limit even a member's number waits.
func TestCheckoutByPhoneAddsPointsOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	_, before := customer(t, h, 101)

	cashier.Send("/scan").Send("8 (999) 000-01-01")
	if got := lastTexts(cashier, 2); !strings.Contains(got, "Customer: Anna") || !strings.Contains(got, "Found by phone number") {
		t.Fatalf("the card found by phone:\n%s", cashier.Transcript())
	}
	cashier.Send("1000")
	choice := cashier.Last()
	if !strings.Contains(choice.Text, "Found by phone number: points can be added, not paid with") || len(choice.Inline) != 2 {
		t.Fatalf("the choice by phone:\n%s", cashier.Transcript())
	}
	// The accrue button's data with "max" for its value: a crafted tap.
	data := choice.Inline[0][0].Data
	cashier.Callback(choice.ID, strings.TrimSuffix(data, "accrue")+"max", "a crafted “pay with points”")
	cashier.Tap("➕ Accrue +30").Tap("✅ Confirm")
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE points_redeemed = 0 AND points_earned = 30`); n != 1 {
		t.Fatalf("%d purchases earning 30 and paying nothing, want 1:\n%s", n, cashier.Transcript())
	}
	if _, c := customer(t, h, 101); c.Balance != before.Balance+30 {
		t.Errorf("balance %d, want %d", c.Balance, before.Balance+30)
	}
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Points: +30.") {
		t.Errorf("Anna was not told:\n%s", anna.Transcript())
	}

	cashier.Send("/scan").Send("+7 999 555-55-55")
	if got := cashier.Last().Text; !strings.HasPrefix(got, "No member has this phone number.") {
		t.Fatalf("a number of nobody: %q", got)
	}
	limit := domain.LimitOf(domain.ScopeStaff).Max
	for i := 1; i < limit+1; i++ {
		cashier.Send(fmt.Sprintf("+7 999 555-%02d-%02d", i/100, i%100))
	}
	cashier.Send("+79990000101")
	if got := cashier.Last().Text; !strings.HasPrefix(got, "Too many phone numbers that found nobody. Wait 15 min") {
		t.Fatalf("a member's number past the limit: %q", got)
	}
	bottest.Golden(t, "checkout_by_phone", cashier.Transcript())
}

// TestPhoneTypedWithoutCountryCode: in a Russian shop (phone_region
// "RU") a customer types their number as people there do, without +7;
// the cashier finds them by it in another spelling. Before the region
// was known, "999 000-01-05" was stored as +9990000105, a number of
// nobody that no other spelling found.
func TestPhoneTypedWithoutCountryCode(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := h.Chat(105, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").Send("999 000-01-05").Tap("Anna").Tap("No, thanks")
	if c, _ := customer(t, h, 105); !c.Member() || c.Phone != "+79990000105" {
		t.Fatalf("phone %q, member %v:\n%s", c.Phone, c.Member(), anna.Transcript())
	}
	cashier.Send("/scan").Send("8 999 000 01 05")
	if got := lastTexts(cashier, 2); !strings.Contains(got, "Customer: Anna") {
		t.Fatalf("the card not found by phone:\n%s", cashier.Transcript())
	}
}

// TestPhoneExampleIsTheShopsCountry: an Uzbek shop (phone_region "UZ")
// gives an Uzbek number for the example, in Russian too: not "+7 999…",
// nor "type it with the country code", which it no longer needs.
func TestPhoneExampleIsTheShopsCountry(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.PhoneRegion = "UZ"; b.Currency = "UZS" })
	c := h.Chat(102, "Dilnoza", "ru")
	c.Send("/start s_central").Tap("✅ Согласен(на)").Send("hello")
	if tr := c.Transcript(); strings.Contains(tr, "+7 ") || strings.Count(tr, "+998 91 234 56 78") != 3 {
		t.Fatalf("a UZ shop's examples:\n%s", tr)
	}
	c.Send("91 234 56 79")
	if cust, _ := customer(t, h, 102); cust.Phone != "+998912345679" {
		t.Fatalf("the number typed as the example shows: %q\n%s", cust.Phone, c.Transcript())
	}
}
