package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestChangeNameAndPhone: from /profile a member fixes the name the
// cashier sees (a bad one is said and asked again) and moves to a new
// number (someone else's, a malformed one and another person's contact
// are refused; Cancel keeps the old one); the owner finds them by the new
// number only, and the old number, joined with from another account, is
// one whose welcome bonus was given.
func TestChangeNameAndPhone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	join(t, h, 102, "Bob")

	anna.Send("/profile").Tap("✏️ Name").Send("1234").Send("Anya")
	if got := anna.Last().Text; got != "Done: we will call you Anya." {
		t.Fatalf("name change: %q", got)
	}
	scan(t, anna, cashier)
	if got := lastTexts(cashier, 3); !strings.Contains(got, "Anya") {
		t.Fatalf("the register does not show the new name:\n%s", got)
	}
	cashier.Tap("✖ Cancel")

	anna.Send("/profile").Tap("📞 Phone").Send("✖ Cancel") // a key of the reply keyboard
	if c, _ := customer(t, h, 101); c.Phone != "+79990000101" || anna.Last().Text != "Nothing changed." {
		t.Fatalf("Cancel: the phone is %s, the answer %q", c.Phone, anna.Last().Text)
	}
	anna.Send("/profile").Tap("📞 Phone").
		Send("+7 999 000-01-02"). // Bob's
		Send("12").
		ShareForeignContact("+79995550000").
		Send("+7 999 555 12 34")
	if got := anna.Last().Text; got != "Done: your phone in the program is now +79995551234." {
		t.Fatalf("phone change: %q\n%s", got, anna.Transcript())
	}
	if c, _ := customer(t, h, 102); c.Phone != "+79990000102" {
		t.Fatalf("Bob's number moved: %s", c.Phone)
	}
	owner.Send("/customer +7 999 555 12 34")
	if !strings.Contains(owner.Last().Text, "Anya") {
		t.Fatalf("the owner does not find her by the new number:\n%s", owner.Last().Text)
	}
	owner.Send("/customer +7 999 000-01-01")
	if strings.Contains(owner.Last().Text, "Anya") {
		t.Fatalf("the old number still finds her:\n%s", owner.Last().Text)
	}

	// Another account joining with the number she left gets no second bonus.
	carl := h.Chat(103, "Carl", "en")
	carl.Send("/start s_central").Tap("✅ I agree").Send("+7 999 000-01-01").Tap("Carl").Tap("No, thanks")
	if !strings.Contains(carl.Transcript(), "already received the welcome bonus once") {
		t.Fatalf("the number she left gave a new account a welcome bonus:\n%s", carl.Transcript())
	}
	bottest.Golden(t, "account_change", anna.Transcript())
}

// TestATypoFixedInProfileLeavesItsOwnerTheWelcomeBonus: Anna types her
// number with a typo at joining and fixes it in /profile with her own
// contact. The number she mistyped is Bob's: joining with his own shared
// contact, he is a newcomer who never had a welcome bonus and gets one,
// not "you had it before".
func TestATypoFixedInProfileLeavesItsOwnerTheWelcomeBonus(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-02").Tap("Anna").Tap("No, thanks") // a typo for 01
	if c, _ := customer(t, h, 101); !c.Member() || c.Phone != "+79990000102" {
		t.Fatalf("Anna did not join with the typed number:\n%s", anna.Transcript())
	}
	anna.Send("/profile").Tap("📞 Phone").ShareContact("+79990000101")
	if c, _ := customer(t, h, 101); c.Phone != "+79990000101" {
		t.Fatalf("the typo was not fixed:\n%s", anna.Transcript())
	}
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start").Tap("✅ I agree").ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	if strings.Contains(bob.Transcript(), "already received the welcome bonus once") {
		t.Errorf("Bob, whose number Anna mistyped and fixed, is refused the welcome bonus:\n%s", bob.Transcript())
	}
	if b := balance(t, h, 102); b != 100 {
		t.Errorf("Bob's balance %d, want the welcome bonus of 100", b)
	}
}
