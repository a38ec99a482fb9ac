package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withUzShop is an Uzbek shop as its owner would configure it: numbers
// read in Uzbekistan, money in soʻm, Uzbek first, stores in Tashkent.
func withUzShop(b *domain.Business) {
	b.Owners = []int64{ownerID}
	b.PhoneRegion = "UZ"
	b.Currency = "UZS"
	b.Languages = []string{"uz", "ru"}
	b.DefaultLanguage = "uz"
	for i := range b.Stores {
		b.Stores[i].TimeZone = "Asia/Tashkent"
	}
}

// uzCashier has the owner of an Uzbek shop hire an Uzbek-speaking cashier
// for Central through /staff.
func uzCashier(t *testing.T, h *bottest.Harness) *bottest.Chat {
	t.Helper()
	owner := h.Chat(ownerID, "Olga", "uz")
	owner.Send("/staff").Tap("➕ Kassirni taklif qilish").Tap("Central")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link:\n%s", owner.Transcript())
	}
	cashier := h.Chat(951, "Bobur", "uz")
	cashier.Send("/start " + m[1])
	return cashier
}

// TestUzbekCashierTypesSomWithABacktick: in Uzbekistan the oʻ of "soʻm"
// is typed with whatever key is at hand, the backtick most of all
// ("so`m"); the shop's answers already fold it as an apostrophe
// (domain.foldApostrophes), so an amount with it is 150 000 soʻm too.
func TestUzbekCashierTypesSomWithABacktick(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withUzShop)
	cashier := uzCashier(t, h)
	c := h.Chat(150, "Dilnoza", "uz")
	c.Send("/start s_central").Tap("✅ Roziman").Send("90 123 45 67").Tap("Dilnoza").Tap("Ha, albatta")
	cashier.Send("/scan").Send("901234567").Send("150 000 so`m")
	if got := cashier.Last().Text; !strings.Contains(got, "chek 150 000 soʻm") {
		t.Fatalf("150 000 so`m not read as 150 000 soʻm:\n%s", cashier.Transcript())
	}
}

// TestUzbekReceiptOverTheDefaultLimit: max_receipt's default is 100 000 000
// minor units, 1 000 000.00 of the shop's currency: a typo guard in
// roubles, but in soʻm (about 80 USD) an everyday supermarket receipt.
// A receipt of 2 000 000 soʻm is refused with "too large" and nothing
// about the limit, so the cashier cannot tell a real refusal from a typo
// and the owner never learns the setting exists: the refusal must at
// least name the largest receipt the shop takes.
func TestUzbekReceiptOverTheDefaultLimit(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withUzShop)
	cashier := uzCashier(t, h)
	c := h.Chat(150, "Dilnoza", "uz")
	c.Send("/start s_central").Tap("✅ Roziman").Send("90 123 45 67").Tap("Dilnoza").Tap("Ha, albatta")
	cashier.Send("/scan").Send("901234567").Send("2 000 000 soʻm")
	got := lastTexts(cashier, 2)
	if !strings.Contains(got, "juda katta") || !strings.Contains(got, "1 000 000 soʻm") {
		t.Fatalf("a 2 000 000 soʻm receipt refused without the limit:\n%s", cashier.Transcript())
	}
}
