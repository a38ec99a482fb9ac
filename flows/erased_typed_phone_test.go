package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestErasedTypedPhoneDoesNotBarItsRealOwner: a typed number is anybody's
// (GrantWelcome, SetPhone). Someone who typed a stranger's number, joined
// and deleted their data must not keep the number's real owner from the
// welcome bonus when she joins at the register sharing her own contact.
func TestErasedTypedPhoneDoesNotBarItsRealOwner(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	squatter := h.Chat(181, "Ivan", "en")
	squatter.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-82").Tap("Ivan").Tap("No, thanks")
	squatter.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	owner := h.Chat(182, "Mila", "en")
	owner.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000182").Tap("Mila").Tap("No, thanks")
	if got := balance(t, h, 182); got != h.Biz.WelcomeBonus {
		t.Fatalf("the number's real owner joined at the register with balance %d, want the welcome bonus %d:\n%s",
			got, h.Biz.WelcomeBonus, owner.Transcript())
	}
	if strings.Contains(owner.Transcript(), "already received the welcome bonus") {
		t.Fatalf("the real owner is told she had the bonus before:\n%s", owner.Transcript())
	}
}
