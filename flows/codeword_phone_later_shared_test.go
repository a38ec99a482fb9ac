package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestCodeWordPhoneSharedAfterTheUseStillBarsASecondUse: Anna joins
// typing her own number and writes the code word; later she confirms the
// number by sharing her contact in /profile, deletes her data, and comes
// back from another Telegram account sharing the same number. Her phone
// was hers (shared) when she left, as the welcome bonus remembers
// (EraseCustomer): the word must not pay her a second time.
func TestCodeWordPhoneSharedAfterTheUseStillBarsASecondUse(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	startAutumn(t, h)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-01").Tap("Anna").Tap("No, thanks")
	anna.Send("autumn")
	if !strings.HasPrefix(anna.Last().Text, "🎉 Code word AUTUMN") {
		t.Fatalf("Anna's first use:\n%s", anna.Transcript())
	}
	anna.Send("/profile").Tap("📞 Phone").ShareContact("+79990000101")
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	again := h.Chat(111, "Anna", "en")
	again.Send("/start").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	if !strings.Contains(again.Transcript(), "already received the welcome bonus once") {
		t.Fatalf("setup: the shared number did not bar the welcome bonus:\n%s", again.Transcript())
	}
	again.Send("autumn")
	if got := again.Last().Text; strings.HasPrefix(got, "🎉 Code word AUTUMN") {
		t.Fatalf("the code word paid the same person twice (her number shared before she left):\n%s", again.Transcript())
	}
}
