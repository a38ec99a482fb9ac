package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// sentSince is the text of what the bot showed c after its first n messages.
func sentSince(c *bottest.Chat, n int) string {
	var b strings.Builder
	for _, m := range c.U.Messages()[n:] {
		b.WriteString(m.Text + m.Caption + "\n")
	}
	return b.String()
}

// TestCommandsAsClientsTypeThem sends commands the way Telegram clients
// and people produce them: with the bot's name, in capitals, the argument
// on the next line or after a tab or a no-break space, a zero-width
// character copied in front. Each is the command, not an unknown one nor a
// question to the shop.
func TestCommandsAsClientsTypeThem(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 931, "Boris")
	anna := join(t, h, 131, "Anna")

	for _, text := range []string{
		"/Card",
		"/CARD@" + bottest.BotUsername,
		"\u200b/card",
		"\ufeff/card",
		"/card\u00a0",
	} {
		n := len(anna.U.Messages())
		anna.Send(text)
		if ms := anna.U.Messages()[n:]; len(ms) == 0 || len(ms[0].Photo) == 0 {
			t.Errorf("%q did not show the card:\n%s", text, sentSince(anna, n))
		}
	}

	_, card := customer(t, h, 131)
	for _, sep := range []string{" ", "\n", "\t", "\u00a0"} {
		code := domain.FormatCode(h.Signer.Code(card.Number, h.Clock.Now()))
		n := len(cashier.U.Messages())
		cashier.Send("/scan" + sep + code)
		got := sentSince(cashier, n)
		if !strings.Contains(got, "Anna") || !strings.Contains(got, "Receipt amount?") {
			t.Errorf("/scan%q then the code did not open Anna's card:\n%s", sep, got)
		}
		if strings.Contains(got, "Receipt amount?") {
			cashier.Tap("✖ Cancel")
		}
	}

	n := len(cashier.U.Messages())
	cashier.Send("/scan 1234 5678").
		Send(domain.FormatCode(h.Signer.Code(card.Number, h.Clock.Now())))
	if got := sentSince(cashier, n); !strings.Contains(got, "not a valid card code") || !strings.Contains(got, "Type the 14-digit code") ||
		!strings.Contains(got, "Receipt amount?") {
		t.Errorf("/scan with a mistyped code, then the code typed again:\n%s", got)
	}
	cashier.Tap("✖ Cancel")
	n = len(cashier.U.Messages())
	cashier.Send("/scan 8 999 000-01-31")
	if got := sentSince(cashier, n); !strings.Contains(got, "Anna") || !strings.Contains(got, "Receipt amount?") {
		t.Errorf("/scan with the customer's phone:\n%s", got)
	}
}
