package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// ownerReturns takes amount of the purchase back as the owner, under
// the idempotency key.
func ownerReturns(t *testing.T, h *bottest.Harness, purchaseID, key string, amount int64) {
	t.Helper()
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		st, err := tx.FindStaffByTelegramID(t.Context(), ownerID)
		if err != nil {
			return err
		}
		_, err = h.Engine.Service.ReturnPurchase(t.Context(), tx, domain.ReturnRequest{PurchaseID: purchaseID,
			By: st, Source: domain.SourceBot, IdempotencyKey: key, RequestHash: "x", Amount: amount})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// cancelPurchase cancels a purchase as the POS's cancel does.
func cancelPurchase(t *testing.T, h *bottest.Harness, publicID string) {
	t.Helper()
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.CancelPurchase(t.Context(), tx, publicID, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCancelledVisitsRatingLeavesTheCounts: Boris rings Anna's coffee up,
// she rates it 1⭐ at once, and he cancels it (rung up by mistake: the
// visit is rung up again, and rated again). Bella rates her visit 5⭐. A
// cancelled purchase is no visit anywhere else (receipts, revenue,
// Boris's checkouts, Anna's visits) and cannot be rated any more: its
// rating must not weigh in the evening digest, /stats, Boris's average,
// nor the chart and weekly report. Clara rates hers 2⭐ and brings it
// all back: a visit, and its rating (the reason, often) counts.
func TestCancelledVisitsRatingLeavesTheCounts(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	cancelPurchase(t, h, lastPurchaseID(t, h))
	bella := join(t, h, 102, "Bella")
	buy(t, bella, cashier)
	bella.Send("/feedback").Tap("5⭐").Tap("Skip")
	clara := join(t, h, 103, "Clara")
	buy(t, clara, cashier)
	clara.Send("/feedback").Tap("2⭐").Tap("Skip")
	ownerReturns(t, h, lastPurchaseID(t, h), "test:clara", 100_000)
	h.Settle()
	seen := len(owner.Sync().U.Messages())
	h.Clock.Advance(time.Hour)

	n, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB)
	if err != nil || n != 2 {
		t.Fatalf("the digest counted %d ratings, %v; want 2 (Bella's and Clara's)", n, err)
	}
	h.Settle()
	msgs := owner.Sync().U.Messages()
	want := "📊 Ratings in the last 24 hours:\nCentral: 2 ratings, average 3.5⭐\n   · Boris: 2, average 3.5⭐"
	if len(msgs) != seen+1 || msgs[len(msgs)-1].Text != want {
		t.Fatalf("digest:\n%s\nwant:\n%s", owner.Transcript(), want)
	}

	now := h.Clock.Now()
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		k, err := h.Engine.Service.KPIs(t.Context(), tx, domain.Period{From: now.Add(-24 * time.Hour), To: now}, 0)
		if err != nil {
			return err
		}
		if k.Ratings != 2 || k.StarsSum != 7 || k.BadRatings != 1 {
			t.Errorf("/stats: %d ratings, %d stars, %d bad; want Bella's 5 and Clara's 2", k.Ratings, k.StarsSum, k.BadRatings)
		}
		staff, err := h.Engine.Service.StaffKPIs(t.Context(), tx, domain.Period{From: now.Add(-24 * time.Hour), To: now}, 0)
		if err != nil {
			return err
		}
		for _, s := range staff {
			if s.Name == "Boris" && (s.Ratings != 2 || s.StarsSum != 7) {
				t.Errorf("Boris's ratings: %d, %d stars; want Bella's 5 and Clara's 2", s.Ratings, s.StarsSum)
			}
		}
		weeks, err := h.Engine.Service.WeeklyStats(t.Context(), tx, 0, 1, time.UTC)
		if err != nil {
			return err
		}
		if w := weeks[len(weeks)-1]; w.Ratings != 2 || w.Stars != 7 || w.Bad != 1 {
			t.Errorf("the chart's week: %d ratings, %d stars, %d bad; want Bella's 5 and Clara's 2", w.Ratings, w.Stars, w.Bad)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestNoCommentOnACancelledVisit: Anna taps 2⭐ and starts writing; the
// purchase is cancelled meanwhile (the stars can no longer be changed).
// Her words are not kept as a comment on a visit that no longer counts,
// nor alerted to the owners as one about a purchase that does not stand:
// they are offered to the shop as a question instead, so nothing she
// wrote is lost.
func TestNoCommentOnACancelledVisit(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	cancelPurchase(t, h, lastPurchaseID(t, h))
	h.Settle()
	seen := len(owner.Sync().U.Messages())
	anna.Send("The cup was dirty")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment <> ''`); n != 0 {
		t.Errorf("the comment was kept on a cancelled visit's rating")
	}
	for _, m := range owner.Sync().U.Messages()[seen:] {
		if strings.Contains(m.Text, "added a comment") {
			t.Errorf("the owner was alerted of a comment on a cancelled purchase:\n%s", m.Text)
		}
	}
	if got := anna.Last(); !strings.Contains(got.Text, "Send this to") || !strings.Contains(got.Text, "The cup was dirty") {
		t.Fatalf("Anna's words were not offered to the shop:\n%s", anna.Transcript())
	}
	anna.Tap("✉️ Send")
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE text = 'The cup was dirty'`); n != 1 {
		t.Fatalf("the question did not reach the shop:\n%s", anna.Transcript())
	}
}

// TestCancelledAfterAPartReturnRatingLeavesTheCounts: Anna's 1,000 RUB
// purchase, rated 1⭐, had 100 RUB of it returned, and was then cancelled
// whole (rung up by mistake after all). It is a cancel, not a return in
// full: no visit anywhere, and its rating must not weigh in the digest
// nor in /stats.
func TestCancelledAfterAPartReturnRatingLeavesTheCounts(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	id := lastPurchaseID(t, h)
	ownerReturns(t, h, id, "test:anna", 10_000)
	cancelPurchase(t, h, id)
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NOT NULL AND returned_amount = 10000`); n != 1 {
		t.Fatalf("%d purchases cancelled after a return of 100 RUB, want 1", n)
	}
	h.Settle()
	h.Clock.Advance(time.Hour)
	if n, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil || n != 0 {
		t.Errorf("the digest counted %d ratings, %v; want none (the visit was cancelled)", n, err)
	}
	now := h.Clock.Now()
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		k, err := h.Engine.Service.KPIs(t.Context(), tx, domain.Period{From: now.Add(-24 * time.Hour), To: now}, 0)
		if err == nil && k.Ratings != 0 {
			t.Errorf("/stats: %d ratings of a cancelled visit, want 0", k.Ratings)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCommentOnAVisitReturnedInFull: Clara taps 2⭐ and, while she types,
// her purchase is returned in full: a visit whose rating counts, so her
// words (why it came back) are its comment, and the owners read them.
func TestCommentOnAVisitReturnedInFull(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	clara := join(t, h, 103, "Clara")
	buy(t, clara, cashier)
	clara.Send("/feedback").Tap("2⭐")
	ownerReturns(t, h, lastPurchaseID(t, h), "test:clara", 100_000)
	clara.Send("The lid was broken")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment = 'The lid was broken'`); n != 1 {
		t.Fatalf("the comment on a visit returned in full was not kept:\n%s", clara.Transcript())
	}
	if !strings.Contains(owner.Last().Text, "The lid was broken") {
		t.Errorf("the owners did not read it:\n%s", owner.Transcript())
	}
}
