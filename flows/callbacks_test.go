package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// buttonData returns the callback data of the button labelled label.
func buttonData(t *testing.T, m tgfake.Message, label string) string {
	t.Helper()
	for _, row := range m.Inline {
		for _, b := range row {
			if b.Text == label {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q on message %d: %q", label, m.ID, m.Buttons())
	return ""
}

// A Confirm belongs to its own checkout: tapped from an old message (a
// stale view after a cancel, a message scrolled up to, a completed
// checkout), it is refused and records nothing, whatever checkout the
// cashier is at now.
func TestOldConfirmDoesNotConfirmAnotherCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 960, "Boris")
	anna := join(t, h, 160, "Anna")
	bob := join(t, h, 161, "Bob")
	purchases := func(want int, why string) {
		t.Helper()
		if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != want {
			t.Fatalf("%d purchases, want %d: %s\n%s", n, want, why, cashier.Transcript())
		}
	}

	cashier.Note("checkout A: Anna, 500 RUB, up to Confirm, then cancelled")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15")
	confirmA := cashier.Last()
	dataA := buttonData(t, confirmA, "✅ Confirm")
	cashier.Tap("✖ Cancel")

	cashier.Note("checkout B: Bob, 700 RUB, up to Confirm")
	scan(t, bob, cashier)
	cashier.Send("700").Tap("➕ Accrue +21")
	confirmB := cashier.Last()
	cashier.Callback(confirmA.ID, dataA, "A's ✅ Confirm, from a view of the message before the cancel")
	purchases(0, "A's Confirm must not confirm B")
	if got := cashier.U.CallbackAnswers(); got[len(got)-1].Text != "This button is out of date." {
		t.Fatalf("the old Confirm was answered %q", got[len(got)-1].Text)
	}

	cashier.Note("checkout C: Anna again, 300 RUB, while B's Confirm is still on screen")
	scan(t, anna, cashier)
	cashier.Send("300").Tap("➕ Accrue +9")
	cashier.TapOld(confirmB.ID, "✅ Confirm")
	purchases(0, "B's Confirm, scrolled up to, must not confirm C")

	cashier.Note("C's own Confirm works; tapped again from an outdated view, it records nothing more")
	confirmC := cashier.Last()
	dataC := buttonData(t, confirmC, "✅ Confirm")
	cashier.Tap("✅ Confirm")
	purchases(1, "C's Confirm records C")
	cashier.Callback(confirmC.ID, dataC, "C's ✅ Confirm again, from a view before the edit")
	purchases(1, "a completed checkout's Confirm records nothing more")
	_, card := customer(t, h, 160)
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE card_id = $1 AND amount = 30000`, card.ID); n != 1 {
		t.Fatal("the one purchase is not C's 300 RUB on Anna's card")
	}
	bottest.Golden(t, "stale_confirm", cashier.Transcript())
}

// dogCare is an owner's section that applies only to pet owners: every
// question hangs on the pets preset's "do you have a pet?".
func dogCare(b *domain.Business) {
	t := func(en string) map[string]string { return map[string]string{"en": en, "ru": en + " (ru)"} }
	b.Questionnaire.Sections = append(b.Questionnaire.Sections,
		domain.Section{ID: "dog_care", Title: t("Your dog"), Offer: domain.OfferNudge, Bonus: 30})
	b.Questionnaire.Questions = append(b.Questionnaire.Questions,
		domain.Question{ID: "dog_food", Type: domain.QuestionText, Section: "dog_care", Reward: 10,
			If: &domain.Condition{Question: "has_pet", Equals: "yes"}, Text: t("What does your dog eat?")})
}

// A forged x:section or x:edit callback opens nothing the customer may not
// be asked: a section none of whose questions applies, a question whose
// condition does not hold, a section that does not exist. (A section that
// applies may be started without an offer: /profile offers it anyway.)
func TestForgedProfileCallbacksAreRefused(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), dogCare)
	anna := join(t, h, 162, "Anna")
	msg := anna.Last().ID
	acks := len(anna.U.CallbackAnswers())
	anna.SignedCallback(msg, "x:section:dog_care", "x:section:dog_care (no pet, so no question of it applies)").
		Callback(msg, "x:section:nope", "x:section:nope (no such section)").
		Callback(msg, "x:edit:dog_food", "x:edit:dog_food (its condition does not hold)").
		Send("Dry food")
	for _, a := range anna.U.CallbackAnswers()[acks:] {
		if a.Text != "This button is out of date." {
			t.Fatalf("a forged callback was answered %q\n%s", a.Text, anna.Transcript())
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM section_offers`); n != 0 {
		t.Fatalf("%d section offers recorded by forged callbacks", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM answers`); n != 0 {
		t.Fatalf("%d answers saved after forged callbacks", n)
	}
	if got := points(t, h, "bonus"); got != 0 {
		t.Fatalf("forged callbacks earned %d bonus points", got)
	}
	// "Dry food" outside any step is offered to the shop as a question
	// (flow "ask"), not taken as an answer.
	if n := countRows(t, h, `SELECT count(*) FROM conversations WHERE chat_id = 162 AND flow NOT IN ('', 'ask')`); n != 0 {
		t.Fatal("a forged callback put the chat into a flow")
	}
}

// longIDs is a questionnaire and a store with the longest ids the config
// allows (32 characters) and a dozen options per question: the longest
// callback data the flows build.
func longIDs(b *domain.Business) {
	t := func(en string) map[string]string { return map[string]string{"en": en, "ru": en + " (ru)"} }
	id := func(c string) string { return strings.Repeat(c, 32) }
	var opts []domain.Option
	for i := range 12 {
		opts = append(opts, domain.Option{ID: id("o")[:30] + fmt.Sprintf("%02d", i), Text: t(fmt.Sprintf("Option %d", i+1))})
	}
	sec := id("s")
	b.Questionnaire.Sections = append(b.Questionnaire.Sections,
		domain.Section{ID: sec, Title: t("Long"), Offer: domain.OfferJoin, Bonus: 1})
	b.Questionnaire.Questions = append(b.Questionnaire.Questions,
		domain.Question{ID: id("y"), Type: domain.QuestionYesNo, Section: sec, Optional: true, Text: t("Yes or no?")},
		domain.Question{ID: id("c"), Type: domain.QuestionChoice, Section: sec, Optional: true, Options: opts, Text: t("Choose one")},
		domain.Question{ID: id("m"), Type: domain.QuestionMulti, Section: sec, Optional: true, Options: opts, Text: t("Choose any")},
		domain.Question{ID: id("g"), Type: domain.QuestionGroup, Section: sec, Optional: true, Max: 3, Text: t("Things"),
			Fields: []domain.Question{{ID: id("f"), Type: domain.QuestionChoice, Options: opts, Text: t("Which?")}}},
	)
	b.Stores = append(b.Stores, domain.StoreConfig{Code: id("S"), Name: "Far away", TimeZone: "Europe/Moscow"})
}

// Every button the flows build fits Telegram's 64 bytes of callback data,
// even with the longest ids a config allows: the fake refuses longer data
// as Telegram does, so a button over the limit would never arrive here.
func TestLongestButtonsFitTelegram(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, longIDs)
	c := join(t, h, 163, "Vera")
	c.Tap("📝 Long (up to +1 point)").
		Tap("Yes").
		Tap("Option 12").
		Tap("Option 12").Tap("Option 11").Tap("✓ Done").
		Tap("Option 12").Tap("➕ Add another").Tap("Option 10").Tap("✓ That's all").
		Send("/profile").Tap("✏️ 2").
		Send("/feedback").Tap("Far away") // stars of a store with the longest code
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Far away")
	// /stats of that store over typed dates: the view, the longest period
	// and the longest store code in one button.
	owner.Send("/stats").Tap("Far away").Tap("📅 Dates…").Send("01.11.2026 - 20.11.2026")
	if !strings.Contains(lastTexts(owner, 2), "Far away") {
		t.Fatalf("/stats of the store with the longest code over typed dates:\n%s", owner.Transcript())
	}
	longest := ""
	for _, chat := range []*bottest.Chat{c, owner} {
		if tr := chat.Transcript(); strings.Contains(tr, "went wrong") {
			t.Fatalf("a reply failed:\n%s", tr)
		}
		for _, m := range chat.U.Messages() {
			for _, row := range m.Inline {
				for _, b := range row {
					if len(b.Data) > len(longest) {
						longest = b.Data
					}
				}
			}
		}
	}
	if got := points(t, h, "bonus"); got != 1 {
		t.Fatalf("the long section was not completed: %d bonus points\n%s", got, c.Transcript())
	}
	t.Logf("longest callback data seen: %q (%d bytes)", longest, len(longest))
	if len(longest) < 50 || len(longest) > tgfake.MaxCallbackData {
		t.Fatalf("longest callback data %q is %d bytes; the test should reach the long ids", longest, len(longest))
	}
}
