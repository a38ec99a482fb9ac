package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withPresets gives the business the basic and pets presets.
func withPresets(names ...string) func(*domain.Business) {
	return func(b *domain.Business) {
		for _, n := range names {
			sec, qs, ok := domain.Preset(n)
			if !ok {
				panic(n)
			}
			b.Questionnaire.Sections = append(b.Questionnaire.Sections, sec)
			b.Questionnaire.Questions = append(b.Questionnaire.Questions, qs...)
		}
	}
}

func points(t *testing.T, h *bottest.Harness, kind string) int {
	t.Helper()
	return countRows(t, h, `SELECT coalesce(sum(amount), 0)::int FROM ledger WHERE kind = $1`, kind)
}

func TestQuestionnaireAfterFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("basic", "pets"))
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 940, "Boris")
	anna := join(t, h, 140, "Anna")
	anna.Send("/profile")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	anna.Sync().
		Note("the first purchase unlocks the basic section").
		Tap("📝 About you (up to +105 points)").
		Send("12.03.2090").
		Send("31.02.1990").
		Send("12 March 1990").
		Send("not an email").
		Tap("↩ Back").
		Send("14 марта 1990").
		Send("anna@Example.COM").
		Tap("Skip").
		Note("leave in the middle: another command, then /profile to continue").
		Send("/card").
		Send("/profile").
		Tap("▶ Continue: About you").
		Send("  Moscow ")
	bottest.Golden(t, "questionnaire_basic", anna.Transcript())
	// 20 (birthday, paid once though answered twice) + 15 + 10 (city); the
	// section is not complete (gender skipped), so no bonus.
	if got := points(t, h, "bonus"); got != 45 {
		t.Fatalf("bonus points %d, want 45", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'birthday'`); n != 2 {
		t.Fatalf("%d birthday rows, want 2 (the changed answer keeps history)", n)
	}
	var bday string
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT value FROM facts WHERE name = 'birthday'`).Scan(&bday); err != nil || bday != "1990-03-14" {
		t.Fatalf("birthday fact %q %v", bday, err)
	}

	anna.Note("change an answer from /profile: history kept, no second reward").
		Send("/profile").Tap("✏️ 4").Send("Kazan")
	if got := points(t, h, "bonus"); got != 45 {
		t.Fatalf("re-answering paid again: %d", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'city'`); n != 2 {
		t.Fatalf("%d city rows, want 2", n)
	}
	anna.Note("answering the skipped question completes the section: bonus once").
		Send("/profile").Tap("✏️ 3").Tap("Female")
	if got := points(t, h, "bonus"); got != 45+10+50 {
		t.Fatalf("bonus points %d, want 105", got)
	}
	bottest.Golden(t, "questionnaire_edit", anna.Transcript())
}

func TestQuestionnaireConditionAndRepeatingGroup(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets", "kids"))
	anna := join(t, h, 141, "Anna")
	var customerID int64
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT id FROM customers WHERE telegram_id = 141`).Scan(&customerID); err != nil {
		t.Fatal(err)
	}
	offer := func(section string) {
		if err := h.DB.Update(context.Background(), func(tx domain.Tx) error {
			return h.Engine.OfferSection(context.Background(), tx, customerID, section)
		}); err != nil {
			t.Fatal(err)
		}
		h.Bot.Sender().Kick()
	}
	offer("pets")
	anna.Sync().
		Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").
		Tap(optionText(h, "pets", "species", "dog")).
		Send("Rex").
		Send("01.06.2020").
		Tap("➕ Add another").
		Tap(optionText(h, "pets", "species", "cat")).
		Tap("Skip").
		Tap("Skip").
		Tap("✓ That's all")
	bottest.Golden(t, "questionnaire_pets", anna.Transcript())
	var species, count string
	h.DB.Pool().QueryRow(context.Background(), `SELECT value FROM facts WHERE name = 'pet_species'`).Scan(&species)
	h.DB.Pool().QueryRow(context.Background(), `SELECT value FROM facts WHERE name = 'pet_count'`).Scan(&count)
	if !strings.Contains(species, "dog") || !strings.Contains(species, "cat") || count != "2" {
		t.Fatalf("pet facts: species %q count %q", species, count)
	}

	bob := join(t, h, 142, "Bob")
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT id FROM customers WHERE telegram_id = 142`).Scan(&customerID); err != nil {
		t.Fatal(err)
	}
	offer("pets")
	bob.Sync().Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").Tap("No")
	if n := countRows(t, h, `SELECT count(*) FROM answers a JOIN customers c ON c.id = a.customer_id
		WHERE c.telegram_id = 142 AND a.question_id = 'pets'`); n != 0 {
		t.Fatal("the pets group was asked although there is no pet")
	}
	if !strings.Contains(bob.Last().Text, "complete") {
		t.Fatalf("no pet: the section should be complete, got %q", bob.Last().Text)
	}
}

func sectionTitle(h *bottest.Harness, id string) string {
	s, _ := h.Biz.Questionnaire.Section(id)
	return s.Title["en"]
}

func sectionPoints(h *bottest.Harness, id string) string {
	s, _ := h.Biz.Questionnaire.Section(id)
	p := s.Bonus
	for _, q := range h.Biz.Questionnaire.InSection(id) {
		p += q.Reward
	}
	return itoa(p)
}

// optionText finds an option label of a group field or question.
func optionText(h *bottest.Harness, section, field, option string) string {
	for _, q := range h.Biz.Questionnaire.InSection(section) {
		for _, f := range append([]domain.Question{*q}, q.Fields...) {
			if f.ID == field {
				if o, ok := f.Option(option); ok {
					return o.Text["en"]
				}
			}
		}
	}
	return "?" + option
}

// allTypes is an owner's own section with one question of every simple
// type, so each is driven through the chat with bad and good input.
func allTypes(b *domain.Business) {
	t := func(en string) map[string]string { return map[string]string{"en": en, "ru": en + " (ru)"} }
	b.Questionnaire.Sections = append(b.Questionnaire.Sections,
		domain.Section{ID: "all", Title: t("Everything"), Offer: domain.OfferJoin, Bonus: 25})
	b.Questionnaire.Questions = append(b.Questionnaire.Questions,
		domain.Question{ID: "nick", Type: domain.QuestionName, Section: "all", Reward: 1, Text: t("Nickname?")},
		domain.Question{ID: "motto", Type: domain.QuestionText, Section: "all", Reward: 1, Text: t("Your motto?")},
		domain.Question{ID: "work_phone", Type: domain.QuestionPhone, Section: "all", Reward: 1, Text: t("Work phone?")},
		domain.Question{ID: "visits", Type: domain.QuestionNumber, Section: "all", Reward: 1, Min: 1, Max: 30, Text: t("Visits a month?")},
		domain.Question{ID: "moved", Type: domain.QuestionDate, Section: "all", Reward: 1, Text: t("When did you move here?")},
		domain.Question{ID: "likes", Type: domain.QuestionMulti, Section: "all", Reward: 1, Text: t("What do you like?"),
			Options: []domain.Option{{ID: "tea", Text: t("Tea")}, {ID: "cake", Text: t("Cake")}, {ID: "jazz", Text: t("Jazz")}}},
		domain.Question{ID: "home", Type: domain.QuestionCity, Section: "all", Reward: 1, Text: t("Home town?")},
	)
}

func TestQuestionnaireEveryTypeAtJoining(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(150, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990000150").Tap("Vera").Tap("No, thanks").
		Note("the section offered at joining").
		Tap("📝 Everything (up to +32 points)").
		Send("🙂").Send("Vee").
		Sticker().Send("Carpe diem").
		Send("call me").Send("+7 (495) 123-45-67").
		Send("lots").Send("31").Send("12").
		Send("yesterday-ish").Send("01.01.2015").
		Send("tea").Tap("Tea").Tap("Jazz").Tap("✓ Tea").Tap("Cake").Tap("✓ Done").
		Send("Tver")
	bottest.Golden(t, "questionnaire_every_type", c.Transcript())
	if got := points(t, h, "bonus"); got != 7+25 {
		t.Fatalf("bonus points %d, want 7 answers + 25 section bonus", got)
	}
	var likes string
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT value->>'choice' FROM answers WHERE question_id = 'likes'`).Scan(&likes); err != nil {
		t.Fatal(err)
	}
	if likes != `["cake", "jazz"]` {
		t.Fatalf("multi answer %s, want cake and jazz", likes)
	}

	c.Note("the export carries the answers; erasure removes them").Send("/privacy").Tap("📦 Download my data")
	if doc := c.Last().Document; doc == nil || !strings.Contains(string(doc.Data), `"question": "work_phone"`) {
		t.Fatalf("answers missing from the export")
	}
	c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if n := countRows(t, h, `SELECT count(*) FROM answers`); n != 0 {
		t.Fatalf("%d answers left after erasure", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM facts`); n != 0 {
		t.Fatalf("%d facts left after erasure", n)
	}
}

// TestMultiFieldInAGroupCanBeAnswered: a multi-choice field inside a
// repeating group (the config allows it, DeriveFacts reads it) is
// answered by its ticks and Done.
func TestMultiFieldInAGroupCanBeAnswered(t *testing.T) {
	t.Parallel()
	tx := func(en string) map[string]string { return map[string]string{"en": en, "ru": en + " (ru)"} }
	h := bottest.New(t, func(b *domain.Business) {
		b.Questionnaire.Sections = append(b.Questionnaire.Sections,
			domain.Section{ID: "pets2", Title: tx("Pets"), Offer: domain.OfferJoin, Bonus: 10})
		b.Questionnaire.Questions = append(b.Questionnaire.Questions,
			domain.Question{ID: "pets2", Type: domain.QuestionGroup, Section: "pets2", Reward: 5, Max: 3, Fact: "pet2",
				Text: tx("Your pets"), Fields: []domain.Question{
					{ID: "name", Type: domain.QuestionText, Text: tx("Name?")},
					{ID: "needs", Type: domain.QuestionMulti, Text: tx("What do you buy for it?"),
						Options: []domain.Option{{ID: "food", Text: tx("Food")}, {ID: "toys", Text: tx("Toys")}}},
				}})
	})
	if err := h.Biz.Questionnaire.Validate(h.Biz.Languages); err != nil {
		t.Fatalf("the config is refused: %v", err)
	}
	c := h.Chat(5101, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990005101").Tap("Vera").Tap("No, thanks").
		Tap("📝 Pets (up to +15 points)").
		Send("Rex").
		Tap("Food")
	c.Tap("✓ Done")
	if !strings.Contains(c.Last().Text, "Add another") && !strings.Contains(c.Transcript(), "Add another") {
		t.Errorf("Food then Done did not finish the item: the customer is stuck at the multi field:\n%s", c.Transcript())
	}
	c.Tap("✓ That's all")
	var items string
	if err := h.DB.Pool().QueryRow(context.Background(),
		`SELECT value::text FROM answers WHERE question_id = 'pets2' AND superseded_at IS NULL`).Scan(&items); err != nil ||
		!strings.Contains(items, `"food"`) || !strings.Contains(items, "Rex") {
		t.Fatalf("the group's answer %s (%v):\n%s", items, err, c.Transcript())
	}
}

// TestLaterInAGroupKeepsThePetsTyped: the pets a customer typed in a
// repeating group are kept when they tap Later (or type /profile) at "Add
// another?", and the section's Continue goes on with them.
func TestLaterInAGroupKeepsThePetsTyped(t *testing.T) {
	t.Parallel()
	for _, leave := range []string{"later", "/profile"} {
		t.Run(leave, func(t *testing.T) {
			h := bottest.New(t, withPresets("pets"))
			id := int64(5110)
			if leave == "/profile" {
				id = 5111
			}
			c := h.Chat(id, "Anna", "en")
			c.Send("/start").Tap("✅ I agree").ShareContact("+7999000" + itoa(id)).Tap("Anna").Tap("No, thanks").
				Send("/profile").
				Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
				Tap("Yes").
				Tap(optionText(h, "pets", "species", "dog")).
				Send("Rex").
				Send("01.06.2020")
			if !strings.Contains(c.Last().Text, "Rex") {
				t.Fatalf("no Add another? prompt with Rex:\n%s", c.Transcript())
			}
			if leave == "later" {
				c.Tap("Later")
			} else {
				c.Send("/profile")
			}
			c.Send("/profile").Tap("▶ Continue: " + sectionTitle(h, "pets"))
			if !strings.Contains(c.Last().Text, "Rex") {
				t.Errorf("Rex, typed before leaving, is gone: the group starts afresh:\n%s", c.Transcript())
			}
		})
	}
}

// TestEditingAMultiAnswerStartsFromWhatWasChosen: ✏️ on a multiple-choice
// answer shows the options chosen before ticked, so adding one option
// does not silently drop the others.
func TestEditingAMultiAnswerStartsFromWhatWasChosen(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(1201, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990001201").Tap("Vera").Tap("No, thanks").
		Tap("📝 Everything (up to +32 points)").
		Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").Send("12").Send("01.01.2015").
		Tap("Tea").Tap("Cake").Tap("✓ Done").Send("Tver")
	c.Note("change the likes: add Jazz to Tea and Cake").Send("/profile").Tap("✏️ 6")
	if tail := c.Transcript()[strings.LastIndex(c.Transcript(), "tap [✏️ 6]"):]; !strings.Contains(tail, "[✓ Tea]") {
		t.Errorf("editing a multi answer shows the chosen options unticked:\n%s", tail)
	}
	c.Tap("Jazz").Tap("✓ Done")
	var likes string
	if err := h.DB.Pool().QueryRow(t.Context(),
		`SELECT value->>'choice' FROM answers WHERE question_id = 'likes' AND superseded_at IS NULL`).Scan(&likes); err != nil {
		t.Fatal(err)
	}
	if likes != `["tea", "cake", "jazz"]` {
		t.Fatalf("likes after adding Jazz: %s, want tea, cake and jazz", likes)
	}
}

// TestProfileRewardsArePaidOncePerPersonAcrossErasure: a member who
// erases their data and joins again gets no second welcome bonus; the
// points for the first answers and the section bonus are once per person
// too (not again at each erase and rejoin), and the offers then promise
// none.
func TestProfileRewardsArePaidOncePerPersonAcrossErasure(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(1202, "Vera", "en")
	answer := func(offer string) {
		t.Helper()
		c.Tap(offer).
			Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").Send("12").Send("01.01.2015").
			Tap("Tea").Tap("✓ Done").Send("Tver")
	}
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990001202").Tap("Vera").Tap("No, thanks")
	answer("📝 Everything (up to +32 points)")
	if got := points(t, h, "bonus"); got != 32 {
		t.Fatalf("profile points %d after the first run, want 32", got)
	}
	for i := range 2 {
		c.Note("erase, join again with the same contact, answer again").
			Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data").
			Send("/start").Tap("✅ I agree").ShareContact("+79990001202").Tap("Vera").Tap("No, thanks")
		if strings.Contains(c.Last().Text, "get points") {
			t.Fatalf("round %d: the offer promises points it will not pay:\n%s", i+1, c.Last().Text)
		}
		answer("📝 Everything")
		if got := points(t, h, "bonus"); got != 32 {
			t.Fatalf("round %d: profile points paid in all %d, want 32 (once per person, as the welcome bonus)", i+1, got)
		}
	}
}

// TestSectionDoneAnnouncesOnlyTheBonusPaid: the "section complete, Bonus:
// +N points" message promises only points that were credited. A section
// completed a second time (a pet after all, after "No pet" had completed
// it) or by a member who erased their data and joined again pays no
// bonus, so its message must not announce one.
func TestSectionDoneAnnouncesOnlyTheBonusPaid(t *testing.T) {
	t.Parallel()
	t.Run("completed again", func(t *testing.T) {
		t.Parallel()
		h := bottest.New(t, withPresets("pets"))
		c := join(t, h, 5120, "Anna")
		c.Send("/profile").
			Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
			Tap("No")
		if got := points(t, h, "bonus"); got != 10+40 {
			t.Fatalf("bonus points %d after No, want 10 + the 40 section bonus", got)
		}
		c.Note("a pet after all").
			Send("/profile").Tap("✏️ 1").Tap("Yes").
			Send("/profile").Tap("▶ Continue: " + sectionTitle(h, "pets")).
			Tap(optionText(h, "pets", "species", "dog")).Tap("Skip").Tap("Skip").
			Tap("✓ That's all")
		if got := points(t, h, "bonus"); got != 10+40+20 {
			t.Fatalf("bonus points %d, want 70 (the section bonus once)", got)
		}
		if last := c.Last().Text; strings.Contains(last, "Bonus: +40") {
			t.Errorf("the customer is told of a 40-point bonus that was not credited:\n%s", last)
		}
	})
	t.Run("rejoined", func(t *testing.T) {
		t.Parallel()
		h := bottest.New(t, allTypes)
		c := h.Chat(5121, "Vera", "en")
		answer := func(offer string) {
			c.Tap(offer).
				Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").Send("12").Send("01.01.2015").
				Tap("Tea").Tap("✓ Done").Send("Tver")
		}
		c.Send("/start").Tap("✅ I agree").ShareContact("+79990005121").Tap("Vera").Tap("No, thanks")
		answer("📝 Everything (up to +32 points)")
		c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data").
			Send("/start").Tap("✅ I agree").ShareContact("+79990005121").Tap("Vera").Tap("No, thanks")
		answer("📝 Everything")
		if got := points(t, h, "bonus"); got != 32 {
			t.Fatalf("profile points %d, want 32 (nothing on the second run)", got)
		}
		if last := c.Last().Text; strings.Contains(last, "Bonus: +25") {
			t.Errorf("the rejoined member is told of a 25-point bonus that was not credited:\n%s", last)
		}
	})
}

// TestOptionButtonsAfterTheOptionsChangeAreNotMisread: the choice buttons
// carry the option's index; an owner who adds an option in front (and
// restarts) while a customer has the question open must not have that
// customer's tap on "Tea" stored as the new first option.
func TestOptionButtonsAfterTheOptionsChangeAreNotMisread(t *testing.T) {
	t.Parallel()
	tx := func(en string) map[string]string { return map[string]string{"en": en, "ru": en + " (ru)"} }
	h := bottest.New(t, func(b *domain.Business) {
		b.Questionnaire.Sections = append(b.Questionnaire.Sections,
			domain.Section{ID: "drinks", Title: tx("Drinks"), Offer: domain.OfferJoin, Bonus: 10})
		b.Questionnaire.Questions = append(b.Questionnaire.Questions,
			domain.Question{ID: "drink", Type: domain.QuestionChoice, Section: "drinks", Reward: 5, Text: tx("Your drink?"),
				Options: []domain.Option{{ID: "tea", Text: tx("Tea")}, {ID: "coffee", Text: tx("Coffee")}}})
	})
	c := h.Chat(5130, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990005130").Tap("Vera").Tap("No, thanks").
		Tap("📝 Drinks (up to +15 points)")
	h.Settle()
	q, _ := h.Biz.Questionnaire.Question("drink")
	q.Options = append([]domain.Option{{ID: "juice", Text: tx("Juice")}}, q.Options...)
	c.Tap("Tea")
	var choice string
	h.DB.Pool().QueryRow(t.Context(),
		`SELECT coalesce(value->>'choice', '') FROM answers WHERE question_id = 'drink' AND superseded_at IS NULL`).Scan(&choice)
	if strings.Contains(choice, "juice") {
		t.Fatalf("the tap on Tea was stored as %s:\n%s", choice, c.Transcript())
	}
}

// TestAGroupDraftSurvivesAnsweringAnotherSection: the pets typed in a
// repeating group are kept after Later (group.go), also when the customer
// answers a question of another section before coming back.
func TestAGroupDraftSurvivesAnsweringAnotherSection(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("basic", "pets"))
	c := join(t, h, 5140, "Anna")
	c.Send("/profile").
		Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").
		Tap(optionText(h, "pets", "species", "dog")).
		Send("Rex").
		Send("01.06.2020")
	if !strings.Contains(c.Last().Text, "Rex") {
		t.Fatalf("no Add another? prompt with Rex:\n%s", c.Transcript())
	}
	c.Tap("Later").
		Note("another section meanwhile").
		Send("/profile").Tap("📝 About you (up to +105 points)").Send("12.03.1990").Tap("Later").
		Send("/profile").Tap("▶ Continue: " + sectionTitle(h, "pets"))
	if !strings.Contains(c.Last().Text, "Rex") {
		t.Errorf("Rex, typed before leaving, is gone after answering another section:\n%s", c.Transcript())
	}
}

// TestEditingAMultiAnswerAfterItsOptionWasRemoved: an owner drops an
// option ("Jazz") some customers had chosen; such a customer can still
// change their answer: ✏️ starts from the options still offered and
// Done saves, rather than refusing for ever an option no button shows.
func TestEditingAMultiAnswerAfterItsOptionWasRemoved(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, allTypes)
	c := h.Chat(5150, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990005150").Tap("Vera").Tap("No, thanks").
		Tap("📝 Everything (up to +32 points)").
		Send("Vee").Send("Carpe diem").Send("+7 (495) 123-45-67").Send("12").Send("01.01.2015").
		Tap("Tea").Tap("Jazz").Tap("✓ Done").Send("Tver")
	h.Settle()
	q, _ := h.Biz.Questionnaire.Question("likes")
	q.Options = q.Options[:2] // the owner drops Jazz (and restarts)
	c.Note("change the likes: add Cake").Send("/profile").Tap("✏️ 6").Tap("Cake").Tap("✓ Done")
	var likes string
	if err := h.DB.Pool().QueryRow(t.Context(),
		`SELECT value->>'choice' FROM answers WHERE question_id = 'likes' AND superseded_at IS NULL`).Scan(&likes); err != nil {
		t.Fatal(err)
	}
	if likes != `["tea", "cake"]` {
		t.Fatalf("likes after adding Cake: %s, want tea and cake:\n%s", likes, c.Transcript())
	}
}

// TestStaffSeeOnlyTheAnswersThatStillApply: a customer who told of a dog
// and then answered "no pet" sees no pet in /profile, and no pet facts
// are derived; the manager's customer card must not go on showing Rex.
func TestStaffSeeOnlyTheAnswersThatStillApply(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("pets"))
	owner := h.Chat(ownerID, "Olga", "en")
	c := join(t, h, 5160, "Anna")
	c.Send("/profile").
		Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Tap("Skip").Tap("✓ That's all").
		Note("the dog is gone").
		Send("/profile").Tap("✏️ 1").Tap("No")
	if strings.Contains(c.Last().Text, "Rex") {
		t.Fatalf("the customer's own profile still shows Rex:\n%s", c.Last().Text)
	}
	owner.Send("/customer +79990005160")
	if card := owner.Last().Text; strings.Contains(card, "Rex") {
		t.Errorf("the customer card shows a pet the customer no longer has:\n%s", card)
	}
	owner.Send("/export").Tap("👥 Customers")
	for _, row := range lastCSV(t, owner, "customers-2026-11-22.csv") {
		if strings.Contains(strings.Join(row, ","), "Rex") {
			t.Errorf("the customers export shows a pet the customer no longer has: %q", row)
		}
	}
}
