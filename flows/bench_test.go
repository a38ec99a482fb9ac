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
	bc := newBenchCheckout(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		bc.upToConfirm(b)
		before := len(bc.anna.U.Messages())
		b.StartTimer()
		start := time.Now()
		if _, err := bc.cashier.U.Tap("✅ Confirm"); err != nil {
			b.Fatal(err)
		}
		if _, err := bc.anna.U.WaitMessages(ctx, before+1); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatency(b, lat)
}

// benchCheckout is a shop with an owner, a cashier and one member, for
// benchmarks that run checkouts one after another.
type benchCheckout struct {
	h                    *bottest.Harness
	owner, cashier, anna *bottest.Chat
	cardID               int64
}

func newBenchCheckout(b *testing.B) *benchCheckout {
	h := bottest.New(b, withOwner)
	bc := &benchCheckout{h: h, owner: h.Chat(ownerID, "Olga", "en")}
	bc.cashier = hireB(b, h, bc.owner)
	bc.anna = h.Chat(101, "Anna", "en")
	bc.anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT c.id FROM cards c JOIN customers u ON u.id = c.customer_id
		WHERE u.telegram_id = 101`).Scan(&bc.cardID); err != nil {
		b.Fatal(err)
	}
	return bc
}

// upToConfirm scans the card and takes a 500 receipt to its Confirm step.
func (bc *benchCheckout) upToConfirm(b *testing.B) {
	bc.cashier.U.SendText("/start c_" + bc.h.Signer.Token(bc.cardID, bc.h.Clock.Now()))
	bc.cashier.U.SendText("500")
	bc.h.Settle()
	if _, err := bc.cashier.U.Tap("➕ Accrue +15"); err != nil {
		b.Fatal(err)
	}
	bc.h.Settle()
}

// reportLatency reports the median and the 99th percentile of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
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
	bc := newBenchCheckout(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		bc.upToConfirm(b)
		notices := len(bc.anna.U.Messages())
		if _, err := bc.cashier.U.Tap("✅ Confirm"); err != nil {
			b.Fatal(err)
		}
		// The purchase is in once its notice is: /feedback, from another
		// chat and so another worker, may otherwise find no visit yet.
		if _, err := bc.anna.U.WaitMessages(ctx, notices+1); err != nil {
			b.Fatal(err)
		}
		bc.anna.U.SendText("/feedback")
		bc.h.Settle()
		before := len(bc.owner.U.Messages())
		b.StartTimer()
		start := time.Now()
		if _, err := bc.anna.U.Tap("2⭐"); err != nil {
			b.Fatal(err)
		}
		if _, err := bc.owner.U.WaitMessages(ctx, before+1); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatency(b, lat)
}
