package flows_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// offerList is the id of the cashier's latest list of open offers.
func offerList(t *testing.T, cashier *bottest.Chat) int {
	t.Helper()
	id := 0
	for _, m := range cashier.U.Messages() {
		if strings.HasPrefix(m.Text, "🏷") {
			id = m.ID
		}
	}
	if id == 0 {
		t.Fatalf("no offers listed:\n%s", cashier.Transcript())
	}
	return id
}

// teaOffer is the number of the tea reminder's offer sent to tgID.
func teaOffer(t *testing.T, h *bottest.Harness, tgID int64) string {
	t.Helper()
	var code int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT n.id FROM nudges n JOIN customers c ON c.id = n.customer_id
		WHERE n.rule = 'tea' AND n.outcome = 'sent' AND c.telegram_id = $1`, tgID).Scan(&code); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(code, 10)
}

// TestOfferButtonOnlyWithTheCardAtHand: an offer's button under a scan
// works while that card's checkout is the cashier's current one; on an
// old scan message, once the cashier has moved on to another customer
// (or days later), it marks nothing and asks for the card; for a
// customer who erased their data since it says the card is closed, not
// that the offer was used.
func TestOfferButtonOnlyWithTheCardAtHand(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withReplenish)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 962, "Boris")
	anna := joinConsenting(t, h, 111, "Anna")
	bob := joinConsenting(t, h, 112, "Bob")
	carl := joinConsenting(t, h, 113, "Carl")
	posBuy(t, h, 111, "tea")
	posBuy(t, h, 113, "tea")
	h.Clock.Advance(8 * 24 * time.Hour)
	runNudges(t, h)
	no := teaOffer(t, h, 111)
	used := func() int {
		return countRows(t, h, `SELECT count(*) FROM nudges WHERE offer_used_at IS NOT NULL`)
	}

	scan(t, anna, cashier)
	old := offerList(t, cashier)
	cashier.Note("the next customer, then a tap on Anna's list of a minute ago, and again two days later")
	scan(t, bob, cashier)
	cashier.TapOld(old, "✅ No. "+no+": honoured now")
	ask := "Offer no. " + no + " is honoured with the customer's card at hand: scan their card, then tap the offer under it."
	if got(cashier, ask) != 1 || used() != 0 {
		t.Fatalf("an offer honoured under another customer's checkout:\n%s", cashier.Transcript())
	}
	scan(t, anna, cashier)
	again := offerList(t, cashier)
	cashier.Tap("✖ Cancel")
	h.Clock.Advance(2 * 24 * time.Hour)
	cashier.TapOld(again, "✅ No. "+no+": honoured now")
	if got(cashier, ask) != 2 || used() != 0 {
		t.Fatalf("an offer honoured days after the scan, the checkout gone:\n%s", cashier.Transcript())
	}
	scan(t, anna, cashier)
	cashier.Tap("✅ No. " + no + ": honoured now")
	if got(cashier, "✅ Offer no. "+no+" marked used.") != 1 || used() != 1 {
		t.Fatalf("the card at hand, the offer is not honoured:\n%s", cashier.Transcript())
	}

	cno := teaOffer(t, h, 113)
	scan(t, carl, cashier)
	list := offerList(t, cashier)
	carl.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	cashier.TapOld(list, "✅ No. "+cno+": honoured now")
	if got(cashier, "Offer no. "+cno+" cannot be honoured: the customer deleted their data, and their card is closed.") != 1 ||
		used() != 1 {
		t.Fatalf("an erased customer's offer:\n%s", cashier.Transcript())
	}
}
