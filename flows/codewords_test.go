package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestCodeWords: an owner starts a code word through /codes; a member
// who writes it (in any case, with a # copied from a post) gets its
// points once; someone who writes it before joining is welcomed in and
// gets them with the card; a limited word answers "taken" when its uses
// are gone, a stopped one "ended"; the p_ link gives the points in one
// tap; the list counts the uses and the new members; the audit log and
// the customer's history name the word; staff other than owners cannot
// reach any of it.
func TestCodeWords(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	carl := join(t, h, 103, "Carl")

	owner.Send("/codes")
	if got := owner.Last(); !strings.Contains(got.Text, "No code word yet") || strings.Join(got.Buttons(), "|") != "➕ New code word" {
		t.Fatalf("the empty list:\n%s\n%v", got.Text, got.Buttons())
	}
	owner.Tap("➕ New code word").Send("a b")
	if !strings.Contains(owner.Last().Text, "Send the code word") || !strings.Contains(lastTexts(owner, 2), "one word of 3 to 20 letters or digits, with at least one letter") {
		t.Fatalf("a bad word:\n%s", owner.Transcript())
	}
	owner.Send("#autumn").Send("lots")
	if !strings.Contains(lastTexts(owner, 2), "a whole number of points from 1 to 10,000") {
		t.Fatalf("bad points:\n%s", owner.Transcript())
	}
	owner.Tap("100").Send("21.11.2026")
	if !strings.Contains(lastTexts(owner, 2), "a last day from today up to 366 days ahead") {
		t.Fatalf("a last day in the past:\n%s", owner.Transcript())
	}
	owner.Send("30.11").Send("2")
	if got := owner.Last().Text; got != "Start the code word AUTUMN: 100 points to each member who writes it, once, through 30.11.2026, while uses are left (at most 2). Someone who writes it before joining gets the points with the card." {
		t.Fatalf("the confirmation: %q", got)
	}
	owner.Tap("✅ Start")
	if got := owner.Last().Text; !strings.Contains(got, "The code word AUTUMN runs through 30.11.2026") || !strings.Contains(got, "https://t.me/"+bottest.BotUsername+"?start=p_AUTUMN") {
		t.Fatalf("started:\n%s", got)
	}

	anna.Send("Autumn!")
	if got := anna.Last().Text; !strings.HasPrefix(got, "🎉 Code word AUTUMN: +100 points on your card. Balance: ") {
		t.Fatalf("Anna's word:\n%s", anna.Transcript())
	}
	anna.Send("autumn")
	if got := anna.Last().Text; got != "You have used the code word AUTUMN already: it gives its points once." {
		t.Fatalf("Anna's second time: %q", got)
	}
	anna.Send("/balance")
	if got := anna.Last().Text; !strings.Contains(got, "+100  code word AUTUMN (valid until 22.12.2026)") {
		t.Fatalf("Anna's history:\n%s", got)
	}

	buyFor(t, anna, cashier, 1000)

	// Someone who writes the word before joining.
	dan := h.Chat(104, "Dan", "en")
	dan.Send("AUTUMN")
	if !strings.Contains(lastTexts(dan, 3), "Your code word AUTUMN gives 100 points more once you join") {
		t.Fatalf("Dan's greeting:\n%s", dan.Transcript())
	}
	dan.Tap("✅ I agree").ShareContact("+79990000104").Tap("Dan").Tap("No, thanks")
	if !strings.Contains(lastTexts(dan, 4), "🎉 Code word AUTUMN: +100 points on your card.") {
		t.Fatalf("Dan's joining:\n%s", dan.Transcript())
	}

	// Both uses are taken: the owner who started the word hears it.
	owner.Sync()
	if !strings.Contains(lastTexts(owner, 3), "🔑 The code word AUTUMN has given all its uses (2).") {
		t.Fatalf("the owner's notice:\n%s", owner.Transcript())
	}
	carl.Send("autumn")
	if got := carl.Last().Text; !strings.HasPrefix(got, "All the uses of the code word AUTUMN are taken") {
		t.Fatalf("Carl's word: %q", got)
	}
	owner.Send("/codes")
	if got := owner.Last(); !strings.Contains(got.Text, "• AUTUMN: 100 points, through 30.11.2026; uses: 2 of 2, all taken; of them new members: 1\n   since using it: buyers: 1, purchases: 1, 1,000 RUB") ||
		strings.Join(got.Buttons(), "|") != "⏹ Stop AUTUMN|➕ New code word" {
		t.Fatalf("the list:\n%s\n%v", got.Text, got.Buttons())
	}

	// A word of the same key while one runs; then a second word, by its link.
	owner.Tap("➕ New code word").Send("AUTUMN")
	if !strings.Contains(lastTexts(owner, 2), "The code word AUTUMN is running already") {
		t.Fatalf("a word taken:\n%s", owner.Transcript())
	}
	owner.Send("Winter2026").Tap("50").Tap("7 days (to 28.11)").Tap("No limit").Tap("✅ Start")
	bob.Send("/start p_WINTER2026")
	if got := bob.Last().Text; !strings.HasPrefix(got, "🎉 Code word WINTER2026: +50 points on your card.") {
		t.Fatalf("Bob's link:\n%s", bob.Transcript())
	}

	owner.Send("/codes").Tap("⏹ Stop AUTUMN")
	if got := owner.Last(); !strings.Contains(got.Text, "• AUTUMN: ended 22.11; uses: 2, of them new members: 1") ||
		!strings.Contains(got.Text, "• WINTER2026: 50 points, through 28.11.2026; uses: 1, of them new members: 0") ||
		strings.Join(got.Buttons(), "|") != "⏹ Stop WINTER2026|➕ New code word" {
		t.Fatalf("the list after a stop:\n%s\n%v", got.Text, got.Buttons())
	}
	bob.Send("autumn")
	if got := bob.Last().Text; got != "The code word AUTUMN has ended. Watch our news for the next one!" {
		t.Fatalf("a stopped word: %q", got)
	}

	owner.Send("/audit")
	if got := owner.Last().Text; !strings.Contains(got, "Olga (owner) started the code word AUTUMN, 100 points through 30.11.2026") ||
		!strings.Contains(got, "Olga (owner) stopped the code word AUTUMN") {
		t.Fatalf("the audit log:\n%s", got)
	}

	// Managers reach none of it, by command or by the list's buttons.
	manager.Send("/codes")
	if got := manager.Last().Text; got != "This is for owners only." {
		t.Fatalf("a manager's /codes: %q", got)
	}
}

// startWord has the owner start a code word of 100 points for 7 days,
// without a limit.
func startWord(t *testing.T, owner *bottest.Chat, word string) {
	t.Helper()
	owner.Send("/codes").Tap("➕ New code word").Send(word).Tap("100").Tap("7 days (to 28.11)").Tap("No limit").Tap("✅ Start")
	if !strings.Contains(owner.Last().Text, "The code word "+word+" runs through") {
		t.Fatalf("the word did not start:\n%s", owner.Transcript())
	}
}

// TestCodeWordsWhereverTheyAreWritten: a word written while joining is
// kept for the card, one written while a step of the member's is open
// (yesterday's rating comment) gives its points and the step is asked
// again, and a member who erased their data and joins again is the same
// person: the word pays once.
func TestCodeWordsWhereverTheyAreWritten(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour)
	runFeedbackJob(t, h)
	anna.Sync().Tap("5⭐")
	startWord(t, owner, "AUTUMN")

	h.Clock.Advance(time.Hour)
	anna.Send("autumn")
	if got := lastTexts(anna, 2); !strings.Contains(got, "🎉 Code word AUTUMN: +100 points on your card.") ||
		!strings.Contains(got, "Would you like to tell us more?") {
		t.Fatalf("a word in an open comment step:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment <> ''`); n != 0 {
		t.Fatalf("the word became the rating's comment")
	}

	dan := h.Chat(104, "Dan", "en")
	dan.Send("hi").Send("AUTUMN")
	if !strings.Contains(lastTexts(dan, 2), "Your code word AUTUMN gives 100 points more once you join") {
		t.Fatalf("a word written while joining:\n%s", dan.Transcript())
	}
	dan.Tap("✅ I agree").ShareContact("+79990000104").Tap("Dan").Tap("No, thanks")
	if !strings.Contains(texts(dan), "🎉 Code word AUTUMN: +100 points on your card.") {
		t.Fatalf("Dan's joining:\n%s", dan.Transcript())
	}

	for range 2 {
		dan.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
		dan.Send("AUTUMN").Tap("✅ I agree").ShareContact("+79990000104").Tap("Dan").Tap("No, thanks")
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'code_word'`); n != 2 {
		t.Fatalf("%d code word credits, want Anna's and Dan's first:\n%s", n, dan.Transcript())
	}
	if !strings.Contains(lastTexts(dan, 6), "You have used the code word AUTUMN already") {
		t.Fatalf("Dan, joined again, is not told:\n%s", dan.Transcript())
	}
}

// TestCodeWordForNewMembersOnly: a word for new members pays those who
// join with it; a member already in is thanked and gets nothing.
func TestCodeWordForNewMembersOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Owners = append(b.Owners, 950) })
	owner := h.Chat(ownerID, "Olga", "en")
	oleg := h.Chat(950, "Oleg", "en").Send("/help")
	anna := join(t, h, 101, "Anna")

	owner.Send("/codes").Tap("➕ New code word").Send("Welcome").Tap("200").Tap("30 days (to 21.12)").Tap("No limit").
		Tap("🆕 For new members only")
	if got := owner.Last(); !strings.Contains(got.Text, "200 points to each new member who joins with it") ||
		!slices.Contains(got.Buttons(), "👥 For every member") {
		t.Fatalf("the confirmation for new members:\n%s", owner.Transcript())
	}
	owner.Tap("✅ Start")
	if got := owner.Last().Text; !strings.Contains(got, "someone who joins with it gets 200 points") {
		t.Fatalf("started:\n%s", got)
	}
	oleg.Sync()
	if got := oleg.Last().Text; got != "🔑 Olga started the code word WELCOME: 200 points to each new member who joins with it, through 21.12.2026. /codes lists it." {
		t.Fatalf("the other owner's notice: %q", got)
	}

	anna.Send("welcome")
	if got := anna.Last().Text; !strings.HasPrefix(got, "The code word WELCOME is for new members") {
		t.Fatalf("a member's new-members word: %q", got)
	}
	// A confirmation asked again and an older one's buttons: each does
	// what its own message says.
	owner.Send("/codes").Tap("➕ New code word").Send("Autumn").Tap("100").Tap("7 days (to 28.11)").Tap("No limit")
	first := owner.Last().ID
	owner.Send("start it").TapOld(first, "🆕 For new members only")
	owner.Tap("✅ Start") // the newest confirmation, which says every member
	anna.Send("autumn")
	if got := anna.Last().Text; !strings.HasPrefix(got, "🎉 Code word AUTUMN: +100 points") {
		t.Fatalf("a word started from a confirmation for every member: %q\n%s", got, owner.Transcript())
	}

	// A newcomer with a word from a link who writes another while joining
	// gets both.
	dan := h.Chat(104, "Dan", "en")
	dan.Send("/start p_AUTUMN").Tap("✅ I agree").Send("WELCOME")
	if !strings.Contains(lastTexts(dan, 2), "Your code word WELCOME gives 200 points more once you join") {
		t.Fatalf("a second word while joining:\n%s", dan.Transcript())
	}
	dan.ShareContact("+79990000104").Tap("Dan").Tap("No, thanks")
	if got := texts(dan); !strings.Contains(got, "🎉 Code word WELCOME: +200 points on your card.") ||
		!strings.Contains(got, "🎉 Code word AUTUMN: +100 points on your card.") {
		t.Fatalf("Dan's joining:\n%s", dan.Transcript())
	}
	owner.Send("/codes")
	if got := owner.Last().Text; !strings.Contains(got, "• WELCOME (new members only): 200 points, through 21.12.2026; uses: 1, of them new members: 1") {
		t.Fatalf("the list:\n%s", got)
	}
	owner.Send("/audit")
	if got := owner.Last().Text; !strings.Contains(got, "started the code word WELCOME, 200 points through 21.12.2026, for new members only") ||
		!strings.Contains(got, "started the code word AUTUMN, 100 points through 28.11.2026\n") && !strings.HasSuffix(got, "started the code word AUTUMN, 100 points through 28.11.2026") {
		t.Fatalf("the audit log:\n%s", got)
	}
}

// TestCodeWordNotBarredByATypedNumber: Ivan typed a stranger's number
// and wrote the code word; the number's owner, who shares it as her own
// contact, writes the word too and gets its points: a typed number is
// anybody's, as for the welcome bonus.
func TestCodeWordNotBarredByATypedNumber(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	startAutumn(t, h)
	ivan := h.Chat(181, "Ivan", "en")
	ivan.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-82").Tap("Ivan").Tap("No, thanks")
	ivan.Send("autumn")
	if !strings.HasPrefix(ivan.Last().Text, "🎉 Code word AUTUMN") {
		t.Fatalf("Ivan's word:\n%s", ivan.Transcript())
	}
	mila := h.Chat(182, "Mila", "en")
	mila.Send("/start").Tap("✅ I agree").ShareContact("+79990000182").Tap("Mila").Tap("No, thanks")
	mila.Send("autumn")
	if got := mila.Last().Text; !strings.HasPrefix(got, "🎉 Code word AUTUMN") {
		t.Fatalf("the number's owner is refused the word a stranger used with her typed number:\n%s", mila.Transcript())
	}
}

// startAutumn has the owner start AUTUMN: 100 points, through 30.11, no
// limit of uses.
func startAutumn(t *testing.T, h *bottest.Harness) {
	t.Helper()
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/codes").Tap("➕ New code word").Send("autumn").Tap("100").Send("30.11").Send("0").Tap("✅ Start")
	if !strings.Contains(owner.Last().Text, "The code word AUTUMN runs") {
		t.Fatalf("not started:\n%s", owner.Transcript())
	}
}

// TestCodeWordEqualToAnAnswerDoesNotTrapTheStep: the owner runs the code
// word SOFIA (the shop's name on a flyer); Sofia, a newcomer, taps the
// keyboard button with her name at the name step: her word is kept for
// her card once, and tapping her name again names her rather than
// repeating the hint forever. A member asked her city, when the city is a
// running word, is not asked it again and again either.
func TestCodeWordEqualToAnAnswerDoesNotTrapTheStep(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("basic"))
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	startWord(t, owner, "SOFIA")
	startWord(t, owner, "MOSCOW")

	sofia := h.Chat(105, "Sofia", "en")
	sofia.Send("/start").Tap("✅ I agree").ShareContact("+79990000105").Tap("Sofia").Tap("Sofia").Tap("No, thanks")
	if c, _ := customer(t, h, 105); !c.Member() {
		t.Fatalf("Sofia cannot give her name at the name step:\n%s", sofia.Transcript())
	}

	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	anna.Sync().Tap("📝 About you (up to +105 points)").Send("12.03.1990").Send("anna@example.com").Tap("Skip").
		Send("Moscow").Send("Moscow").Send("Moscow")
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'city'`); n != 1 {
		t.Fatalf("%d city answers, want Anna's Moscow:\n%s", n, anna.Transcript())
	}
}

// TestCodeWordWithUzbekApostrophe: an owner starts SOG'LOM typed with a
// plain apostrophe; a member who writes it with the ʻ of an Uzbek
// keyboard (or a curly quote) gets its points.
func TestCodeWordWithUzbekApostrophe(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	startWord(t, owner, "SOGʻLOM")
	owner.Send("/codes").Tap("➕ New code word").Send("Sog'lom")
	if !strings.Contains(lastTexts(owner, 2), "The code word SOGʻLOM is running already") {
		t.Fatalf("the owner's Sog'lom is not SOGʻLOM:\n%s", owner.Transcript())
	}
	anna.Send("sog‘lom")
	if got := anna.Last().Text; !strings.HasPrefix(got, "🎉 Code word SOGʻLOM: +100 points") {
		t.Fatalf("Anna's sog‘lom:\n%s", anna.Transcript())
	}
}

// TestCodeWordForNewMembersNotForAReturningOne: Anna, a member, erases
// her data and joins again with the new-members word: she is no new
// member (no welcome bonus either), so she gets nothing and the owner's
// list does not count her among the new members the word brought.
func TestCodeWordForNewMembersNotForAReturningOne(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	owner.Send("/codes").Tap("➕ New code word").Send("Welcome").Tap("200").Tap("30 days (to 21.12)").Tap("No limit").
		Tap("🆕 For new members only").Tap("✅ Start")
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	anna.Send("WELCOME").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'code_word'`); n != 0 {
		t.Fatalf("a returning member got the new-members word:\n%s", anna.Transcript())
	}
	if !strings.Contains(lastTexts(anna, 3), "The code word WELCOME is for new members") {
		t.Fatalf("the returning member is not told:\n%s", anna.Transcript())
	}
	owner.Send("/codes")
	if got := owner.Last().Text; !strings.Contains(got, "uses: 0, of them new members: 0") {
		t.Fatalf("the list:\n%s", got)
	}
}

// TestCodeWordStartedBeforeTheApostropheFolding: MAʼNO was started (with
// the ʼ of an Uzbek keyboard, a letter then as now) before words folded
// their apostrophes into ʻ; the flyers print MAʼNO, and a member who
// writes it as printed still gets its points after the upgrade.
func TestCodeWordStartedBeforeTheApostropheFolding(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	startWord(t, owner, "MAʻNO")
	// The row as the version before wrote it.
	if _, err := h.DB.Pool().Exec(t.Context(), `UPDATE code_words SET word = 'MAʼNO', word_key = 'MAʼNO'`); err != nil {
		t.Fatal(err)
	}
	// The upgrade from that version (schema 74) to this one.
	if _, err := h.DB.Pool().Exec(t.Context(), `DELETE FROM schema_migrations WHERE version > 74`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(t.Context(), h.DB.Pool()); err != nil {
		t.Fatal(err)
	}
	anna.Send("maʼno")
	if got := anna.Last().Text; !strings.HasPrefix(got, "🎉 Code word MAʻNO: +100 points") {
		t.Fatalf("Anna's maʼno, as the flyer prints it:\n%s", anna.Transcript())
	}
}

// TestCodeWordApostropheUpgradeKeepsTheRunningWord: before the folding
// an owner ran MAʻNO and, later, MAʼNO (two words then), which has ended
// or which she stopped. After the upgrade the two are one spelling, and
// the word that still runs is the one found: a member who writes maʻno
// gets its points, as before the upgrade.
func TestCodeWordApostropheUpgradeKeepsTheRunningWord(t *testing.T) {
	t.Parallel()
	for name, stop := range map[string]string{
		"ended":   `ends_at = starts_at - interval '1 day', starts_at = starts_at - interval '2 days'`,
		"stopped": `stopped_at = starts_at, stopped_by = created_by`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := bottest.New(t, withOwner)
			owner := h.Chat(ownerID, "Olga", "en")
			anna := join(t, h, 101, "Anna")
			startWord(t, owner, "MAʻNO")
			startWord(t, owner, "LATER")
			// The later word as the version before wrote it: MAʼNO.
			if _, err := h.DB.Pool().Exec(t.Context(), `UPDATE code_words SET word = 'MAʼNO', word_key = 'MAʼNO', `+stop+`
				WHERE id = (SELECT max(id) FROM code_words)`); err != nil {
				t.Fatal(err)
			}
			if _, err := h.DB.Pool().Exec(t.Context(), `DELETE FROM schema_migrations WHERE version > 74`); err != nil {
				t.Fatal(err)
			}
			if err := postgres.Migrate(t.Context(), h.DB.Pool()); err != nil {
				t.Fatal(err)
			}
			anna.Send("maʻno")
			if got := anna.Last().Text; !strings.HasPrefix(got, "🎉 Code word MAʻNO: +100 points") {
				t.Fatalf("Anna's maʻno while MAʻNO runs:\n%s", anna.Transcript())
			}
		})
	}
}
