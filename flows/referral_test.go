package flows_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

var referralRe = regexp.MustCompile(`\?start=(r_[A-Za-z0-9_-]+)`)

// inviteLink opens /invite and returns the start payload of the member's
// link, checking the QR says the same.
func inviteLink(t *testing.T, c *bottest.Chat) string {
	t.Helper()
	c.Send("/invite")
	photo, ok := c.LastPhoto()
	if !ok {
		t.Fatalf("/invite sent no QR:\n%s", c.Transcript())
	}
	m := referralRe.FindStringSubmatch(photo.Caption)
	if m == nil {
		t.Fatalf("no r_ link in %q", photo.Caption)
	}
	if link, err := bottest.DecodeQR(photo.Photo); err != nil || !strings.HasSuffix(link, "?start="+m[1]) {
		t.Fatalf("the QR holds %q (%v), the caption %s", link, err, m[1])
	}
	if len(m[1]) > 64 {
		t.Fatalf("payload %q is longer than Telegram's 64", m[1])
	}
	return m[1]
}

// TestReferralPaysBothOnceOnTheFriendsFirstPurchase: a friend who joins
// through a member's link hears who invited them; their first purchase
// pays both the configured bonus (ledger rows, messages, the referrer's
// badge), once: a second purchase pays nothing more. The member's own
// link and a member opening someone's link bring nothing.
func TestReferralPaysBothOnceOnTheFriendsFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	if !strings.Contains(anna.Last().Caption, "you get 100 points and your friend gets 100 points") {
		t.Fatalf("/invite caption: %q", anna.Last().Caption)
	}

	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	tr := bob.Transcript()
	for _, want := range []string{"Anna invited you to Test Coffee: join, and your first purchase brings you 100 points.",
		"You came with a friend's invite: 100 points for you with your first purchase."} {
		if !strings.Contains(tr, want) {
			t.Fatalf("Bob was not told %q:\n%s", want, tr)
		}
	}
	buy(t, bob, cashier)
	bob.Sync()
	if !strings.Contains(texts(bob), "The friend's invite brought you 100 points.") {
		t.Fatalf("Bob's referral bonus not announced:\n%s", bob.Transcript())
	}
	anna.Sync()
	if !strings.Contains(texts(anna), "A friend you invited made their first purchase: 100 points for you!") ||
		!strings.Contains(texts(anna), "🤝 New badge: 1 friend brought!") {
		t.Fatalf("Anna's side:\n%s", anna.Transcript())
	}
	if strings.Contains(texts(anna), "Bob") {
		t.Fatal("the referrer was told who the friend is")
	}
	buy(t, bob, cashier)
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'referral' AND amount = 100`); n != 2 {
		t.Fatalf("%d referral bonus rows after two purchases, want one each", n)
	}
	// Anna: 100 welcome + 100 for bringing Bob.
	if got := balance(t, h, 101); got != 200 {
		t.Fatalf("Anna's balance %d, want 200", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE completed_at IS NOT NULL AND purchase_id IS NOT NULL`); n != 1 {
		t.Fatal("the referral is not recorded as completed by the purchase")
	}
	inviteLink(t, anna)
	if !strings.Contains(anna.Last().Caption, "Friends who joined: 1, made a first purchase: 1.") {
		t.Fatalf("/invite stats: %q", anna.Last().Caption)
	}

	anna.Send("/start " + link)
	if !strings.Contains(lastTexts(anna, 3), "That is your own invite link") {
		t.Fatalf("own link:\n%s", anna.Transcript())
	}
	bob.Send("/start " + link)
	if !strings.Contains(lastTexts(bob, 3), "You are a member already") {
		t.Fatalf("a member opening a link:\n%s", bob.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals`); n != 1 {
		t.Fatalf("%d referrals, want Bob's only", n)
	}
	bottest.Golden(t, "referral_friend", bob.Transcript())
}

// TestReferralRefusedForTheSamePhoneOrAFormerMember: a second account
// with the member's own number (typed by the member, shared by the
// "friend") and someone who was a member before (an erased phone) join
// as usual, are told the link brings no bonus, and their purchases pay
// nobody a referral bonus.
func TestReferralRefusedForTheSamePhoneOrAFormerMember(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	dave := h.Chat(104, "Dave", "en")
	dave.Send("/start").Tap("✅ I agree").Send("+7 999 000-05-55").Tap("Dave").Tap("No, thanks")
	link := inviteLink(t, dave)

	eve := h.Chat(105, "Eve", "en")
	eve.Note("the same person's second account, with the number Dave typed").
		Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000555").Tap("Eve").Tap("No, thanks")
	if !strings.Contains(eve.Transcript(), "This invite link brings no bonus for this number.") {
		t.Fatalf("the same phone was not refused:\n%s", eve.Transcript())
	}

	frank := join(t, h, 106, "Frank")
	frank.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	frank.Note("erased; back through Dave's link with the same phone").
		Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000106").Tap("Frank").Tap("No, thanks")
	if !strings.Contains(frank.Transcript(), "This invite link brings no bonus for this number.") {
		t.Fatalf("a former member was not refused:\n%s", frank.Transcript())
	}
	buy(t, eve, cashier)
	buy(t, frank, cashier)
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'referral'`); n != 0 {
		t.Fatalf("%d referral bonuses paid for refused referrals", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE refused = 'same_phone'`); n != 1 {
		t.Fatal("Eve's referral is not recorded as the same phone")
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE refused = 'member_before'`); n != 1 {
		t.Fatal("Frank's referral is not recorded as a former member")
	}
}

// TestReferralVoidedWhenTheFirstPurchaseIsReturned: buying to earn the
// referral bonuses and bringing it all back earns nothing. The friend's
// first purchase returned in full (or cancelled) voids the referral: both
// bonuses are taken back (the referrer's as far as it is left), both are
// told, the referrer's count drops (her good-friend badge goes with it),
// and the friend's next purchase completes it again.
func TestReferralVoidedWhenTheFirstPurchaseIsReturned(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	buy(t, bob, cashier) // 100 welcome + 100 referral + 30 earned + 20 first-purchase badge; Anna 100 + 100
	// Anna spends 150 of her 200 on a receipt of 1,000: 50 left, 25 more
	// earned on the 850 paid, 20 for her own first-purchase badge.
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("150").Tap("✅ Confirm")
	if a, b := balance(t, h, 101), balance(t, h, 102); a != 95 || b != 250 {
		t.Fatalf("balances before the return: Anna %d (want 95), Bob %d (want 250)", a, b)
	}

	h.Clock.Advance(3 * 24 * time.Hour)
	scan(t, bob, owner)
	owner.Tap("↩ Return of items").Tap(owner.Last().Inline[0][0].Text).Tap("All: 1,000 RUB").Tap("✅ Confirm the return")
	// Bob: 250 − 30 earned − 100 referral − 20 of the first-purchase
	// badge, which goes with the purchase; Anna: of the 100 she got for
	// him only 95 points are on her card, all taken.
	if a, b := balance(t, h, 101), balance(t, h, 102); a != 0 || b != 100 {
		t.Fatalf("balances after the return: Anna %d (want 0), Bob %d (want 100)\n%s", a, b, owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE voided_at IS NOT NULL`); n != 1 {
		t.Fatal("the referral is not void")
	}
	bob.Sync()
	anna.Sync()
	if !strings.Contains(texts(bob), "the bonus of the friend's invite is taken back: 100 points.") ||
		!strings.Contains(texts(bob), "the badge 🎉 First purchase it earned goes with it") ||
		!strings.Contains(texts(anna), "the bonus it brought you is taken back: 95 points.") ||
		!strings.Contains(texts(anna), "so the badge 🤝 1 friend brought goes with it") || strings.Contains(texts(anna), "Bob") {
		t.Fatalf("the two were not told, or the referrer was told who:\n%s\n---\n%s", bob.Transcript(), anna.Transcript())
	}
	inviteLink(t, anna)
	if !strings.Contains(anna.Last().Caption, "Friends who joined: 1, made a first purchase: 0.") {
		t.Fatalf("/invite stats after the return: %q", anna.Last().Caption)
	}
	// Bob buys again: the referral completes again, each side given back
	// what the return took from it (Anna 95: the 5 she spent stay spent),
	// so neither ever holds more than one bonus; Anna's good-friend badge,
	// gone with the void, comes back.
	buy(t, bob, cashier)
	if a, b := balance(t, h, 101), balance(t, h, 102); a != 95 || b != 250 {
		t.Fatalf("balances after buying again: Anna %d (want 95), Bob %d (want 250)", a, b)
	}
	bob.Sync()
	anna.Sync()
	if !strings.HasSuffix(texts(bob), "The friend's invite brought you 100 points.\n🎉 New badge: First purchase!\n+20 points on your card.\n") ||
		!strings.HasSuffix(texts(anna), "A friend you invited made their first purchase: 95 points for you!\n🤝 New badge: 1 friend brought!\n") {
		t.Fatalf("the referral's second round was not told:\n%s\n---\n%s", bob.Transcript(), anna.Transcript())
	}
	inviteLink(t, anna)
	if !strings.Contains(anna.Last().Caption, "Friends who joined: 1, made a first purchase: 1.") {
		t.Fatalf("/invite stats after buying again: %q", anna.Last().Caption)
	}
	// A purchase cancelled while another stands voids nothing.
	buy(t, bob, cashier)
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(owner.Last().Inline[0][0].Text).Tap("Yes, cancel it")
	if a, b := balance(t, h, 101), balance(t, h, 102); a != 95 || b != 250 {
		t.Fatalf("balances after cancelling Bob's third purchase: Anna %d (want 95), Bob %d (want 250)\n%s", a, b, owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE voided_at IS NOT NULL`); n != 0 {
		t.Fatal("a cancellation voided the referral while a purchase of Bob's stands")
	}
	// A cancellation of the only purchase voids it as a full return does,
	// and the cashier's purchase rung up again completes it again.
	carl := h.Chat(103, "Carl", "en")
	carl.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000103").Tap("Carl").Tap("No, thanks")
	buy(t, carl, cashier)
	if a := balance(t, h, 101); a != 195 {
		t.Fatalf("Anna's balance after Carl's first purchase: %d, want 195", a)
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(owner.Last().Inline[0][0].Text).Tap("Yes, cancel it")
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE voided_at IS NOT NULL`); n != 1 {
		t.Fatalf("Carl's cancelled first purchase did not void his referral:\n%s", owner.Transcript())
	}
	if c, a := balance(t, h, 103), balance(t, h, 101); c != 100 || a != 95 { // the welcome alone: no referral bonus, no points earned, no badge
		t.Fatalf("balances after the cancel: Carl %d (want 100), Anna %d (want 95)", c, a)
	}
	buy(t, carl, cashier)
	if c, a := balance(t, h, 103), balance(t, h, 101); c != 250 || a != 195 {
		t.Fatalf("balances after the purchase rung up again: Carl %d (want 250), Anna %d (want 195)", c, a)
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE rounds = 2 AND voided_at IS NULL`); n != 2 {
		t.Fatalf("%d referrals in their second round, want Bob's and Carl's", n)
	}
	cardsAddUp(t, h, 101, 102, 103)
}

// cardsAddUp checks that each customer's card balance is what their open
// lots hold and what their ledger adds up to.
func cardsAddUp(t *testing.T, h *bottest.Harness, tgIDs ...int64) {
	t.Helper()
	for _, tg := range tgIDs {
		_, card := customer(t, h, tg)
		var lots, ledger int64
		if err := h.DB.Pool().QueryRow(t.Context(), `SELECT (SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE card_id = $1),
			(SELECT coalesce(sum(amount), 0) FROM ledger WHERE card_id = $1)`, card.ID).Scan(&lots, &ledger); err != nil {
			t.Fatal(err)
		}
		if lots != card.Balance || ledger != card.Balance {
			t.Errorf("customer %d: balance %d, lots %d, ledger %d", tg, card.Balance, lots, ledger)
		}
	}
}

// TestVoidReferralDoesNotCountForTheBadge: a referral voided by the
// friend's cancelled purchase is no friend brought for the referral
// badge; completed again, it is.
func TestVoidReferralDoesNotCountForTheBadge(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		for i := range b.Gamification.Badges {
			if b.Gamification.Badges[i].ID == "good_friend" {
				b.Gamification.Badges[i].Count = 2
			}
		}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	friend := func(id int64, name, phone string) *bottest.Chat {
		c := h.Chat(id, name, "en")
		c.Send("/start " + link).Tap("✅ I agree").ShareContact(phone).Tap(name).Tap("No, thanks")
		return c
	}
	bob, carl := friend(102, "Bob", "+79990000102"), friend(103, "Carl", "+79990000103")
	badge := func() int {
		return countRows(t, h, `SELECT count(*) FROM badge_awards WHERE badge = 'good_friend'`)
	}
	buy(t, bob, cashier)
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	buy(t, carl, cashier)
	if n := badge(); n != 0 {
		t.Fatalf("Carl's purchase and Bob's void referral earned the badge of two friends")
	}
	buy(t, bob, cashier)
	if n := badge(); n != 1 {
		t.Fatalf("two friends who bought: %d badges, want 1", n)
	}
}

// TestReferralBadgeGoesWithTheVoidedReferral: the referrer's good-friend
// badge goes with the referral a cancellation voids, with its points as
// far as they are left on the card (the referrer is told, never who the
// friend is), and comes back when the friend buys again, paying only
// what was taken back: the points spent before the void stay spent, so
// the badge never pays twice.
func TestReferralBadgeGoesWithTheVoidedReferral(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		for i := range b.Gamification.Badges {
			if b.Gamification.Badges[i].ID == "good_friend" {
				b.Gamification.Badges[i].Points = 50
			}
		}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	badge := func() int {
		return countRows(t, h, `SELECT count(*) FROM badge_awards WHERE badge = 'good_friend'`)
	}
	annaHas := func(when string, want int64) {
		t.Helper()
		if got := balance(t, h, 101); got != want {
			t.Fatalf("%s: Anna's balance %d, want %d", when, got, want)
		}
		cardsAddUp(t, h, 101, 102)
	}
	buy(t, bob, cashier)
	if n := badge(); n != 1 {
		t.Fatalf("Bob's first purchase: %d good-friend badges, want 1", n)
	}
	annaHas("Bob's first purchase", 250) // 100 welcome + 100 for Bob + 50 of the badge
	// Anna spends 150 of her 250 on a receipt of 1,000: 100 left, 25 more
	// earned on the 850 paid, 20 for her own first-purchase badge.
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("150").Tap("✅ Confirm")
	annaHas("Anna's purchase", 145)

	anna.Sync()
	before := len(texts(anna))
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	if n := badge(); n != 0 {
		t.Errorf("Bob's only purchase was cancelled and the referral voided, yet Anna keeps %d good-friend badge(s)", n)
	}
	// The referral bonus takes 100 of her 145, the badge the 45 left: the
	// 5 of its points she spent stay spent.
	annaHas("the cancel", 0)
	anna.Sync()
	if told := texts(anna)[before:]; told != "🤝 A friend you invited cancelled or returned their purchase, so the bonus it brought you is taken back: 100 points. It comes back if they buy again.\n"+
		"↩ A friend you invited cancelled or returned their purchase, so the badge 🤝 1 friend brought goes with it: it comes back if they buy again.\nIts points are taken back: −45 points.\n" {
		t.Fatalf("Anna was told:\n%s", told)
	}
	anna.Send("/badges")
	if board := anna.Last().Text; !strings.Contains(board, "🏅 Your badges: 1") || !strings.Contains(board, "🤝 1 friend brought — invite a friend") {
		t.Fatalf("/badges after the void:\n%s", board)
	}

	// Bob buys again: the referral completes again and the badge comes
	// back, paying the 45 taken back, not the 5 Anna spent.
	before = len(texts(anna))
	buy(t, bob, cashier)
	if n := badge(); n != 1 {
		t.Fatalf("Bob bought again: %d good-friend badges, want 1", n)
	}
	annaHas("Bob bought again", 145)
	anna.Sync()
	if told := texts(anna)[before:]; !strings.HasSuffix(told, "A friend you invited made their first purchase: 100 points for you!\n🤝 New badge: 1 friend brought!\n+45 points on your card.\n") ||
		strings.Contains(told, "Bob") {
		t.Fatalf("Anna was told:\n%s", told)
	}
	// Her badges paid once: 20 for her first purchase, 50 for Bob.
	if n := countRows(t, h, `SELECT coalesce(sum(l.amount), 0)::int FROM ledger l JOIN cards c ON c.id = l.card_id
		JOIN customers u ON u.id = c.customer_id WHERE u.telegram_id = 101 AND l.kind = 'badge'`); n != 70 {
		t.Fatalf("Anna's badges paid her %d points net, want 70", n)
	}
}
