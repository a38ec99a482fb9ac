package flows_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// BenchmarkCheckoutConfirm measures the money path through the chat: the
// cashier's Confirm tap goes through the fake Telegram, long polling,
// Postgres (lock card, purchase, ledger, lots, outbox) and both messages
// (the cashier's edit and the customer's notice) come back over HTTP. The
// steps before Confirm are set up with the timer stopped. Reports p50/p99.
func BenchmarkCheckoutConfirm(b *testing.B) {
	h := bottest.New(b, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hireB(b, h, owner)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	var cardID int64
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT c.id FROM cards c JOIN customers u ON u.id = c.customer_id
		WHERE u.telegram_id = 101`).Scan(&cardID); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		cashier.U.SendText("/start c_" + h.Signer.Token(cardID, h.Clock.Now()))
		cashier.U.SendText("500")
		h.Settle()
		if _, err := cashier.U.Tap("➕ Accrue +15"); err != nil {
			b.Fatal(err)
		}
		h.Settle()
		before := len(anna.U.Messages())
		b.StartTimer()
		start := time.Now()
		if _, err := cashier.U.Tap("✅ Confirm"); err != nil {
			b.Fatal(err)
		}
		if _, err := anna.U.WaitMessages(ctx, before+1); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func hireB(b *testing.B, h *bottest.Harness, owner *bottest.Chat) *bottest.Chat {
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		b.Fatal("no invite link")
	}
	c := h.Chat(901, "Boris", "en")
	c.Send("/start " + m[1])
	return c
}

// BenchmarkLowRatingAlert measures the owner's alert on a bad visit: the
// customer's tap on 2⭐ goes through the fake Telegram, long polling and
// Postgres (the rating, the alert queued in its transaction), and the
// alert is in the owner's chat, sent by the background sender over HTTP.
// The purchase before each tap is made with the timer stopped.
func BenchmarkLowRatingAlert(b *testing.B) {
	h := bottest.New(b, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hireB(b, h, owner)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	var cardID int64
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT c.id FROM cards c JOIN customers u ON u.id = c.customer_id
		WHERE u.telegram_id = 101`).Scan(&cardID); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		cashier.U.SendText("/start c_" + h.Signer.Token(cardID, h.Clock.Now()))
		cashier.U.SendText("500")
		h.Settle()
		if _, err := cashier.U.Tap("➕ Accrue +15"); err != nil {
			b.Fatal(err)
		}
		h.Settle()
		if _, err := cashier.U.Tap("✅ Confirm"); err != nil {
			b.Fatal(err)
		}
		anna.U.SendText("/feedback")
		h.Settle()
		before := len(owner.U.Messages())
		b.StartTimer()
		start := time.Now()
		if _, err := anna.U.Tap("2⭐"); err != nil {
			b.Fatal(err)
		}
		if _, err := owner.U.WaitMessages(ctx, before+1); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
