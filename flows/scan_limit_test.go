package flows_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// wrongCode is a typed code for number whose one-time part is none of
// the valid ones.
func wrongCode(h *bottest.Harness, number string, seed int) string {
	now, ttl := h.Clock.Now(), h.Signer.TTL()
	right := h.Signer.Code(number, now)
	n := len(right) - len(number)
	for i := seed; ; i++ {
		code := number + fmt.Sprintf("%0*d", n, (i*7919+13)%1_000_000)[:n]
		if code != right && code != h.Signer.Code(number, now.Add(-ttl)) {
			return domain.FormatCode(code)
		}
	}
}

// TestScanTypedCodesAreLimited: a cashier typing card codes at /scan gets
// the same answer for an old code as for a wrong one; after the limit of
// failures a slow-down message saying how long to wait, even for the right
// code; the owner hears of it exactly once, in her language (the
// business default is another).
func TestScanTypedCodesAreLimited(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.DefaultLanguage = "ru" })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 950, "Boris")
	join(t, h, 150, "Nina")
	_, card := customer(t, h, 150)

	old := h.Signer.Code(card.Number, h.Clock.Now().Add(-3*h.Signer.TTL()))
	cashier.Send("/scan").Send(domain.FormatCode(old))
	oldAnswer := cashier.Last().Text
	cashier.Send(wrongCode(h, card.Number, 1))
	if got := cashier.Last().Text; got != oldAnswer || !strings.Contains(got, "not a valid card code") {
		t.Fatalf("old code: %q; wrong code: %q; want the same answer", oldAnswer, got)
	}
	limit := domain.LimitOf(domain.ScopeStaff).Max
	cashier.Note("guessing other cards' codes until the limit")
	for i := 2; i < limit+3; i++ {
		cashier.Send(wrongCode(h, strconv.Itoa(40_000_000+i*7919), i))
	}
	if got := cashier.Last().Text; !strings.Contains(got, "Too many wrong card codes. Wait 15 min") {
		t.Fatalf("after %d wrong codes: %q, want the slow-down message", limit+2, got)
	}
	cashier.Note("even the right code waits")
	cashier.Send(domain.FormatCode(h.Signer.Code(card.Number, h.Clock.Now())))
	if got := cashier.Last().Text; !strings.Contains(got, "Too many wrong card codes") {
		t.Fatalf("the right code while refused: %q", got)
	}
	bottest.Golden(t, "scan_limit_cashier", cashier.Transcript())

	// Every alert was queued by the update that caused it: once nothing is
	// left to send to the owner, all of them have arrived.
	for deadline := time.Now().Add(10 * time.Second); countRows(t, h, `SELECT count(*) FROM outbox
		WHERE chat_id = $1 AND sent_at IS NULL AND dropped_at IS NULL`, ownerID) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("messages to the owner still pending")
		}
	}
	owner.Sync()
	alerts := 0
	for _, m := range owner.U.Messages() {
		if strings.Contains(m.Text, "failed card lookups") {
			alerts++
			want := fmt.Sprintf("%d failed card lookups from cashier Boris at Central in the last 15 minutes", limit)
			if !strings.Contains(m.Text, want) {
				t.Errorf("alert %q, want %q", m.Text, want)
			}
		}
	}
	if alerts != 1 {
		t.Fatalf("%d alerts to the owner, want exactly 1", alerts)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 0 {
		t.Fatal("a purchase from a guessed code")
	}
}
