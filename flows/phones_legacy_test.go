package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestAnonymousNumberContactJoins: a Telegram account on an anonymous
// Fragment number (+888 …) shares its contact; Telegram vouches for the
// number, so the customer joins as before the numbers were read by the
// shop's country.
func TestAnonymousNumberContactJoins(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").ShareContact("88801234567")
	if c, _ := customer(t, h, 101); c.Phone != "+88801234567" {
		t.Fatalf("the shared anonymous number was refused: phone %q\n%s", c.Phone, anna.Transcript())
	}
}

// TestPhoneStoredBeforeTheRegionIsStillFound: a member who typed
// "999 000-01-05" before phone_region existed was stored as +9990000105;
// the cashier who types the number the same way must still find her.
func TestPhoneStoredBeforeTheRegionIsStillFound(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	join(t, h, 105, "Anna")
	// As the previous reader stored a typed 10-digit number.
	if _, err := h.DB.Pool().Exec(t.Context(), `UPDATE customers SET phone = '+9990000105', phone_verified = false WHERE telegram_id = 105`); err != nil {
		t.Fatal(err)
	}
	cashier.Send("/scan").Send("999 000-01-05")
	if got := lastTexts(cashier, 2); !strings.Contains(got, "Customer: Anna") {
		t.Fatalf("a member stored before the change is not found by her number:\n%s", cashier.Transcript())
	}
}

// TestOldReadingFindsNoSharedNumber: the old reading of a typed number
// is tried only for numbers that were typed: "467 012-34-56" typed at
// the register is a Russian number of nobody, not the Swedish member
// whose own shared contact is +46 70 123 456.
func TestOldReadingFindsNoSharedNumber(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	sven := h.Chat(106, "Sven", "en")
	sven.Send("/start").Tap("✅ I agree").ShareContact("+4670123456").Tap("Sven").Tap("No, thanks")
	if c, _ := customer(t, h, 106); c.Phone != "+4670123456" {
		t.Fatalf("Sven's shared number: %q\n%s", c.Phone, sven.Transcript())
	}
	cashier.Send("/scan").Send("467 012-34-56")
	if got := cashier.Last().Text; !strings.HasPrefix(got, "No member has this phone number.") {
		t.Fatalf("a Russian number of nobody found a member by its old reading:\n%s", cashier.Transcript())
	}
}
