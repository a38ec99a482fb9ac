package flows_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/chart"
)

// lastPNG decodes the chat's newest photo and checks it is a chart of
// the expected size; it returns the caption.
func lastPNG(t *testing.T, c *bottest.Chat) string {
	t.Helper()
	m, ok := c.LastPhoto()
	if !ok {
		t.Fatalf("no photo:\n%s", c.Transcript())
	}
	img, err := png.Decode(bytes.NewReader(m.Photo))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if s := img.Bounds().Size(); s.X != chart.Width || s.Y != chart.Height {
		t.Fatalf("chart is %v, want %dx%d", s, chart.Width, chart.Height)
	}
	return m.Caption
}

// lastCSV parses the chat's newest document as CSV.
func lastCSV(t *testing.T, c *bottest.Chat, name string) [][]string {
	t.Helper()
	d := c.Last().Document
	if d == nil || d.FileName != name {
		t.Fatalf("no document %s:\n%s", name, c.Transcript())
	}
	body, ok := strings.CutPrefix(string(d.Data), "\ufeff")
	if !ok {
		t.Fatal("no UTF-8 byte order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", name, err)
	}
	return rows
}

// TestChartsForOwnersAndManagers: /chart offers three charts; each tap
// sends a PNG of the chart size with the current week in the caption.
// Cashiers get no chart.
func TestChartsForOwnersAndManagers(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)

	owner.Send("/chart").Tap("💰 Revenue")
	if got := lastPNG(t, owner); !strings.Contains(got, "Week of 16.11: revenue 1,000 RUB, receipts 1, average receipt 1,000 RUB.") {
		t.Fatalf("revenue caption %q", got)
	}
	owner.Tap("👥 Members")
	if got := lastPNG(t, owner); !strings.Contains(got, "members 1 (new 1), active 1") {
		t.Fatalf("members caption %q", got)
	}
	manager.Send("/chart ratings")
	if got := lastPNG(t, manager); !strings.Contains(got, "ratings 0") {
		t.Fatalf("ratings caption %q", got)
	}
	cashier.Send("/chart")
	if got := cashier.Last().Text; got != "This is for owners and managers." {
		t.Fatalf("a cashier asked for a chart: %q", got)
	}
	bottest.Golden(t, "chart_owner", owner.Transcript())
}

// TestExportsByRole: the owner's customers export has names and phones,
// a manager's has neither (nor card numbers), a cashier gets nothing;
// purchases come with their amounts in minor units and as a spreadsheet
// of the reader's language reads them (in Russian with ';' between the
// fields and a decimal comma); the exports are in the audit log.
func TestExportsByRole(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	file := "customers-2026-11-22.csv"

	owner.Send("/export").Tap("👥 Customers")
	rows := lastCSV(t, owner, file)
	if len(rows) != 2 || !slices.Contains(rows[0], "phone") || !slices.Contains(rows[1], "+79990000101") || !slices.Contains(rows[1], "Anna") {
		t.Fatalf("owner's customers: %q", rows)
	}
	if got := owner.Last().Caption; !strings.Contains(got, "With personal data") {
		t.Fatalf("caption %q", got)
	}
	manager.Send("/export").Tap("👥 Customers")
	rows = lastCSV(t, manager, file)
	if len(rows) != 2 || slices.Contains(rows[0], "phone") || slices.Contains(rows[0], "first_name") || slices.Contains(rows[0], "card_number") {
		t.Fatalf("manager's customers: %q", rows)
	}
	for _, cell := range rows[1] {
		if strings.Contains(cell, "Anna") || strings.Contains(cell, "+7999") {
			t.Fatalf("personal data in a manager's export: %q", rows[1])
		}
	}
	manager.Tap("🧾 Purchases")
	rows = lastCSV(t, manager, "purchases-2026-11-22.csv")
	if len(rows) != 2 || rows[1][7] != "100000" || rows[1][4] != "Boris" || rows[1][1] != "2026-11-22 15:00:00" {
		t.Fatalf("purchases: %q", rows)
	}
	// In Russian, the spreadsheet's way: ';' between fields, a decimal comma.
	manager.Send("/language").Tap("🇷🇺 Русский").Send("/export").Tap("🧾 Покупки")
	d := manager.Last().Document
	if d == nil {
		t.Fatalf("no Russian export:\n%s", manager.Transcript())
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(d.Data), "\ufeff")))
	r.Comma = ';'
	if rows, err := r.ReadAll(); err != nil || len(rows) != 2 || len(rows[1]) < 9 || rows[1][7] != "100000" || rows[1][8] != "1000,00" {
		t.Fatalf("the Russian purchases export: %q, %v", rows, err)
	}
	cashier.Send("/export")
	if got := cashier.Last().Text; got != "This is for owners and managers." {
		t.Fatalf("a cashier asked for an export: %q", got)
	}
	owner.Send("/audit")
	log := owner.Last().Text
	for _, want := range []string{"Mila (manager) exported 🧾 Purchases without personal data",
		"Mila (manager) exported 👥 Customers without personal data", "Olga (owner) exported 👥 Customers with personal data"} {
		if !strings.Contains(log, want) {
			t.Fatalf("audit log lacks %q:\n%s", want, log)
		}
	}
}

// TestCustomerCardByRole: owners and managers read the customer card by
// phone or card number, each view logged for the owners; a cashier is
// refused, and a manager cannot read the log.
func TestCustomerCardByRole(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	cashier.Tap("🗒 Add a note").Send("prefers oat milk")
	_, card := customer(t, h, 101)

	// /customer alone asks what to look up, even in the middle of another
	// flow; a wrong phone is said and asked again.
	owner.Send("/waitlist").Send("/customer").Send("+7 999 12").Send("+7 (999) 000-01-01")
	text := owner.Last().Text
	for _, want := range []string{"Anna", "+79990000101", "Card " + card.Number, "1,000 RUB", "Boris: prefers oat milk"} {
		if !strings.Contains(text, want) {
			t.Fatalf("owner's card lacks %q:\n%s", want, text)
		}
	}
	manager.Send("/customer " + card.Number)
	if got := manager.Last().Text; !strings.Contains(got, "Anna") || !strings.Contains(got, "prefers oat milk") {
		t.Fatalf("manager's card:\n%s", got)
	}
	manager.Send("/customer 12345678").Send("/customer").Tap("✖ Cancel").Send("/audit")
	cashier.Send("/customer +79990000101")
	if got := cashier.Last().Text; got != "This is for owners and managers." {
		t.Fatalf("a cashier read a card: %q", got)
	}
	for _, m := range cashier.U.Messages() {
		if strings.Contains(m.Text+m.Caption, "9990000101") {
			t.Fatalf("a cashier saw the phone: %q", m.Text)
		}
	}
	owner.Send("/audit")
	// Card numbers are drawn at random.
	bottest.Golden(t, "customer_card_owner", strings.ReplaceAll(owner.Transcript(), card.Number, "<number>"))
	bottest.Golden(t, "customer_card_manager", strings.ReplaceAll(manager.Transcript(), card.Number, "<number>"))
}

// TestNotesAtCheckout: after a purchase the cashier notes what the
// customer likes; the next scan shows the note at the register. A note
// over 200 characters is refused and nothing is lost.
func TestNotesAtCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	cashier.Note("a note after the purchase").
		Tap("🗒 Add a note").
		Send(strings.Repeat("x", 201)).
		Send("prefers oat milk")
	h.Clock.Advance(24 * time.Hour)
	cashier.Note("the next day")
	scan(t, anna, cashier)
	if !strings.Contains(lastTexts(cashier, 3), "🗒 Notes:\n• 22.11 Boris: prefers oat milk") {
		t.Fatalf("no note at the register:\n%s", cashier.Transcript())
	}
	bottest.Golden(t, "notes_at_checkout", cashier.Transcript())

	// The note is Anna's personal data: her own export lists it.
	anna.Send("/privacy").Tap("📦 Download my data")
	var export struct {
		Notes []struct{ Text string } `json:"staff_notes"`
	}
	if doc := anna.Last().Document; doc == nil || json.Unmarshal(doc.Data, &export) != nil ||
		len(export.Notes) != 1 || export.Notes[0].Text != "prefers oat milk" {
		t.Fatalf("Anna's export lacks the note: %+v", export)
	}
}

// TestWeeklyReportJob: on Monday morning by the business clock the job
// sends every owner the chart of the last full weeks and the week's
// movements, with how the shop answered its bad ratings and questions; a
// second run in the same week sends nothing.
func TestWeeklyReportJob(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐").Tap("Skip")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	h.Clock.Advance(20 * time.Minute)
	owner.Sync().Tap("↩️ Reply").Send("Yes!")
	h.Clock.Advance(18*time.Hour - 20*time.Minute) // Monday 23.11, 09:00 in Moscow
	seen := len(manager.U.Messages())
	n, err := h.Engine.SendWeeklyReport(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("report queued for %d owners: %v", n, err)
	}
	h.Settle()
	caption := lastPNG(t, owner)
	for _, want := range []string{"Week 16.11–22.11", "Revenue 1,000 RUB (nothing the week before)", "New members 1 (the week before: 0)",
		"\n↩️ Bad ratings answered: none of 1 yet\n✉️ Questions to the shop: 1: answered 1, half of them within 20 min; closed without an answer 0; waiting 0"} {
		if !strings.Contains(caption, want) {
			t.Fatalf("report lacks %q:\n%s", want, caption)
		}
	}
	if len(manager.U.Messages()) != seen {
		t.Fatal("a manager got the owners' report")
	}
	if n, err := h.Engine.SendWeeklyReport(t.Context()); err != nil || n != 0 {
		t.Fatalf("a second report in the same week: %d %v", n, err)
	}
}
