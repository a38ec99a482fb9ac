package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestReturnFromTheChat: a manager scans the card of a customer who
// brings items back, taps ↩ Return, picks the purchase, types what the
// items cost and confirms: the points earned on them are taken back, the
// points paid for them given back, the money to refund shown, the
// customer told; a second return takes the rest and the purchase counts
// as cancelled. A cashier has no Return button; bad amounts, an amount
// over what is left and a message in the middle are answered and lose
// nothing; a stale Confirm records nothing twice.
func TestReturnFromTheChat(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 921, "Boris")
	manager := hire(t, h, owner, "manager", 922, "Mila")
	anna := join(t, h, 121, "Anna") // 100 welcome points

	cashier.Note("two purchases: 1,000 accrued, then 1,000 paid partly with 100 points")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	h.Clock.Advance(time.Hour)
	scan(t, anna, cashier)
	if strings.Contains(buttons(cashier), "Return") {
		t.Fatalf("a cashier is offered a return:\n%s", cashier.Transcript())
	}
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("100").Tap("✅ Confirm")
	if got := balance(t, h, 121); got != 57 { // 130 − 100 + 27 earned on the 900 paid
		t.Fatalf("balance %d, want 57", got)
	}

	h.Clock.Advance(3 * 24 * time.Hour)
	manager.Note("three days later Anna brings back a quarter of the second receipt")
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("✖ Cancel")
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 16:00 · 1,000 RUB").
		Send("two hundred").Send("1500").Send("250")
	if got := manager.Last().Text; !strings.Contains(got, "−6 of those it earned, +25 of those paid with it") ||
		!strings.Contains(got, "Refund in money: 225 RUB") {
		t.Fatalf("the confirmation:\n%s", manager.Transcript())
	}
	manager.Send("what now?").Send("200").Send("250")
	confirm := manager.Last()
	manager.Tap("✅ Confirm the return")
	if got := balance(t, h, 121); got != 76 { // 57 − 6 + 25
		t.Fatalf("balance %d after the return, want 76", got)
	}
	manager.Callback(confirm.ID, confirm.Inline[0][0].Data, "the same Confirm again (a double tap)")
	if n := countRows(t, h, `SELECT count(*) FROM purchase_returns`); n != 1 {
		t.Fatalf("%d returns after a stale Confirm, want 1", n)
	}

	owner.Send("/customer +79990000121")
	if got := owner.Last().Text; !strings.Contains(got, "(returned 250 RUB)") {
		t.Fatalf("the customer card does not mark the return:\n%s", got)
	}
	anna.Sync().Send("/privacy").Tap("📦 Download my data")
	if d := anna.Last().Document; d == nil || !strings.Contains(string(d.Data), `"returned": "250 RUB"`) {
		t.Fatalf("her data export does not tell the return:\n%s", anna.Transcript())
	}

	manager.Note("then the rest of it")
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 16:00 · 1,000 RUB (returned 250 RUB)").Tap("All: 750 RUB").
		Tap("✅ Confirm the return")
	if got := balance(t, h, 121); got != 130 {
		t.Fatalf("balance %d after the whole, want 130", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NULL`); n != 1 {
		t.Fatalf("%d purchases stand, want 1", n)
	}
	scan(t, anna, manager)
	manager.Tap("↩ Return of items")
	if got := buttons(manager); strings.Contains(got, "16:00") {
		t.Fatalf("a purchase returned in full is offered again:\n%s", got)
	}
	manager.Tap("✖ Cancel").Send("/today")
	if got := manager.Last().Text; !strings.Contains(got, "Returns you took: 2 · paid back 900 RUB") {
		t.Fatalf("/today does not count the returns:\n%s", got)
	}
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Revenue through the program: 1,000 RUB") ||
		!strings.Contains(got, "↩ Returns of items in the period: 2, for 1,000 RUB (900 RUB paid back)") {
		t.Fatalf("/stats after the returns:\n%s", got)
	}
	owner.Send("/export").Tap("↩ Returns of items")
	rows := lastCSV(t, owner, "returns-2026-11-25.csv")
	if len(rows) != 3 || strings.Join(rows[0], ",") != "return_id,at,store,purchase_id,customer_id,staff,source,"+
		"pos_return_id,amount_minor,amount,currency,refund_minor,refund,points_taken,points_returned,points_short,time_zone" ||
		strings.Join(rows[1][5:], ",") != "Mila,bot,,25000,250.00,RUB,22500,225.00,6,25,0,Europe/Moscow" ||
		strings.Join(rows[2][5:], ",") != "Mila,bot,,75000,750.00,RUB,67500,675.00,21,75,0,Europe/Moscow" || rows[1][3] != rows[2][3] {
		t.Fatalf("the returns export: %q", rows)
	}
	anna.Sync()
	bottest.Golden(t, "return_manager", manager.Transcript())
	bottest.Golden(t, "return_customer", anna.Transcript())
}

// buttons lists the labels of the last message's buttons.
func buttons(c *bottest.Chat) string {
	var b strings.Builder
	for _, row := range c.Last().Inline {
		for _, btn := range row {
			b.WriteString(btn.Text + "\n")
		}
	}
	return b.String()
}

// TestCashierReturnsWhereTheProgramLetsThem: with cashier_returns a
// cashier takes a return at the till, and the owner and the store's
// manager hear of it; without it the service refuses a cashier whatever
// the chat sends.
func TestCashierReturnsWhereTheProgramLetsThem(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 923, "Boris")
	manager := hire(t, h, owner, "manager", 924, "Mila")
	anna := join(t, h, 122, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	h.Clock.Advance(24 * time.Hour)
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("400").Tap("✅ Confirm the return")
	if got := balance(t, h, 122); got != 118 { // 130 − 12
		t.Fatalf("balance %d after the cashier's return, want 118:\n%s", got, cashier.Transcript())
	}
	for _, c := range []*bottest.Chat{owner, manager} {
		c.Sync()
		if got := c.Last().Text; !strings.Contains(got, "↩ Boris took a return at Central: 400 RUB of Anna's receipt of") ||
			!strings.Contains(got, "(1,000 RUB), 400 RUB paid back (r_") {
			t.Fatalf("%s was not told of the cashier's return:\n%s", c.U.FirstName, got)
		}
	}
	bottest.Golden(t, "return_by_cashier", cashier.Transcript())
}

// TestServiceRefusesACashiersReturn: without cashier_returns a cashier's
// return is refused by the service itself, not only by the missing
// button, and nothing moves.
func TestServiceRefusesACashiersReturn(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 925, "Boris")
	anna := join(t, h, 123, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	id := lastPurchaseID(t, h)
	err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		st, err := tx.FindStaffByTelegramID(t.Context(), 925)
		if err != nil {
			return err
		}
		_, err = h.Engine.Service.ReturnPurchase(t.Context(), tx, domain.ReturnRequest{PurchaseID: id, By: st,
			Source: domain.SourceBot, IdempotencyKey: "test:1", RequestHash: "x", Amount: 10_000})
		return err
	})
	var v *domain.ValidationError
	if !errors.As(err, &v) || v.Reason != "staff.manager_only" {
		t.Fatalf("a cashier's return: %v", err)
	}
	if got := balance(t, h, 123); got != 130 || countRows(t, h, `SELECT count(*) FROM purchase_returns`) != 0 {
		t.Fatalf("a refused return moved something: balance %d", got)
	}
}

// TestReturnOfAnOlderPurchasePageByPage: a regular's purchase of weeks
// ago is a page or two back in the list, ten a page.
func TestReturnOfAnOlderPurchasePageByPage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 926, "Boris")
	anna := join(t, h, 124, "Anna")
	for range 12 {
		buy(t, anna, cashier) // 1,000 RUB, +30, a day apart
		h.Clock.Advance(24 * time.Hour)
	}
	scan(t, anna, owner)
	owner.Tap("↩ Return of items")
	if got := buttons(owner); strings.Count(got, "1,000 RUB") != 10 || !strings.Contains(got, "2/2 ▶") {
		t.Fatalf("the first page:\n%s", got)
	}
	owner.Tap("2/2 ▶")
	if got := buttons(owner); strings.Count(got, "1,000 RUB") != 2 || !strings.Contains(got, "◀ 1/2") {
		t.Fatalf("the second page:\n%s", got)
	}
	owner.Tap("22.11.26 15:00 · 1,000 RUB").Tap("All: 1,000 RUB").Tap("✅ Confirm the return")
	if got := balance(t, h, 124); got != 100+11*30 {
		t.Fatalf("balance %d after returning the oldest purchase, want %d:\n%s", got, 100+11*30, owner.Transcript())
	}
}

// pointsHold checks a card's points agree everywhere, now and after the
// expiry job has run: the balance shown, the ledger's sum and what a
// purchase may spend (the live lots) are all want.
func pointsHold(t *testing.T, h *bottest.Harness, tgID, want int64, transcript func() string) {
	t.Helper()
	_, card := customer(t, h, tgID)
	check := func(when string) {
		t.Helper()
		var bal, ledger, live int64
		if err := h.DB.Pool().QueryRow(context.Background(), `SELECT c.balance,
			(SELECT coalesce(sum(amount), 0)::bigint FROM ledger WHERE card_id = c.id),
			(SELECT coalesce(sum(remaining), 0)::bigint FROM point_lots
			  WHERE card_id = c.id AND (expires_at IS NULL OR expires_at > $2))
			FROM cards c WHERE c.id = $1`, card.ID, h.Clock.Now()).Scan(&bal, &ledger, &live); err != nil {
			t.Fatal(err)
		}
		if bal != want || ledger != want || live != want {
			t.Fatalf("%s: balance %d, ledger %d, spendable %d; want %d\n%s", when, bal, ledger, live, want, transcript())
		}
	}
	check("now")
	if _, err := domain.ExpirePoints(context.Background(), h.DB, &h.Biz.Program, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	check("after the expiry job")
}

// TestReturnGivesBackPointsOfAnExpiredLotForGood: the points a purchase
// was paid with go back to their lot when it is returned; when that lot
// (a welcome bonus of 30 days) has expired since, they come back as new
// points instead, which last as earned ones do, so the refund shown (the
// money less the points given back) and the balance shown stay true at
// the next read of the card and after the expiry job. The customer is
// told.
func TestReturnGivesBackPointsOfAnExpiredLotForGood(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	manager := hire(t, h, owner, "manager", 952, "Mila")
	anna := join(t, h, 151, "Anna") // 100 welcome points, 30 days
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("100").Tap("✅ Confirm")
	if got := balance(t, h, 151); got != 27 {
		t.Fatalf("balance %d, want 27:\n%s", got, cashier.Transcript())
	}
	h.Clock.Advance(40 * 24 * time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(manager.Last().Inline[0][0].Text).Tap("All: 1,000 RUB")
	preview := manager.Last().Text
	manager.Tap("✅ Confirm the return")
	done := manager.Last().Text
	after := balance(t, h, 151)
	if _, err := domain.ExpirePoints(context.Background(), h.DB, &h.Biz.Program, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	later := balance(t, h, 151)
	if after != 100 || later != 100 {
		t.Fatalf("after the return the balance is %d, after the next expiry run %d; want 100 both\npreview:\n%s\ndone:\n%s", after, later, preview, done)
	}
	if !strings.Contains(preview, "−27 of those it earned, +100 of those paid with it") || !strings.Contains(preview, "Refund in money: 900 RUB") ||
		!strings.Contains(done, "refund 900 RUB") || !strings.Contains(done, "balance now 100") {
		t.Fatalf("the preview and the result disagree with the card:\npreview:\n%s\ndone:\n%s", preview, done)
	}
	pointsHold(t, h, 151, 100, manager.Transcript)
	anna.Sync()
	if got := texts(anna); !strings.Contains(got, "Points you paid with, back on your card: +100.\n"+
		"100 of them had passed their date meanwhile: they come back as new points, which last as points earned on a purchase do.\nBalance: 100.") {
		t.Fatalf("the customer's notice:\n%s", anna.Transcript())
	}
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("100").Tap("✅ Confirm")
	if got := balance(t, h, 151); got != 27 {
		t.Fatalf("the points given back do not pay: balance %d, want 27:\n%s", got, cashier.Transcript())
	}
}

// TestReturnGivesBackToLiveAndExpiredLots: a purchase paid from a
// welcome bonus about to end and from points earned is returned in two
// steps after the bonus ended: the earned points go back to their lot,
// the bonus's come back as new points, and the card agrees with itself.
func TestReturnGivesBackToLiveAndExpiredLots(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 953, "Boris")
	manager := hire(t, h, owner, "manager", 954, "Mila")
	anna := join(t, h, 153, "Anna") // 100 welcome points, 30 days
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm") // 130
	h.Clock.Advance(29 * 24 * time.Hour)
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("120").Tap("✅ Confirm") // 100 welcome + 20 earned
	if got := balance(t, h, 153); got != 10+26 {
		t.Fatalf("balance %d, want 36:\n%s", got, cashier.Transcript())
	}
	h.Clock.Advance(2 * 24 * time.Hour)
	scan(t, anna, manager) // the bonus has ended: nothing of it was left
	manager.Tap("↩ Return of items").Tap(manager.Last().Inline[0][0].Text).Send("500").Tap("✅ Confirm the return")
	pointsHold(t, h, 153, 36-13+60, manager.Transcript)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(manager.Last().Inline[0][0].Text).Tap("All: 500 RUB").Tap("✅ Confirm the return")
	pointsHold(t, h, 153, 36-26+120, manager.Transcript)
	if n := countRows(t, h, `SELECT count(*) FROM point_lots l JOIN ledger g ON g.id = l.ledger_id
		WHERE g.kind = 'welcome' AND l.remaining > 0`); n != 0 {
		t.Fatalf("the ended welcome bonus got points back")
	}
}

// TestCancelGivesBackPointsOfAnExpiredLot: a purchase paid with welcome
// points an hour before they end is cancelled the next morning, within
// the 24 hours: the points come back as new points, not into the ended
// bonus, so the balance the manager is shown holds.
func TestCancelGivesBackPointsOfAnExpiredLot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 955, "Mila")
	anna := join(t, h, 155, "Anna") // 100 welcome points, 30 days
	h.Clock.Advance(30*24*time.Hour - time.Hour)
	scan(t, anna, manager)
	manager.Send("1000").Tap("✏️ Pay another number of points").Send("100").Tap("✅ Confirm")
	receipt := manager.Last().ID
	if got := balance(t, h, 155); got != 27 {
		t.Fatalf("balance %d, want 27:\n%s", got, manager.Transcript())
	}
	h.Clock.Advance(10 * time.Hour)
	manager.TapOld(receipt, "Cancel this purchase").Tap("Yes, cancel it")
	if got := manager.Last().Text; !strings.Contains(got, "cancelled. Anna's balance: 100.") {
		t.Fatalf("the cancel:\n%s", manager.Transcript())
	}
	pointsHold(t, h, 155, 100, manager.Transcript)
}

// TestPrizeCancelGivesBackPointsOfAnExpiredLot: a prize paid with welcome
// points about to end and earned ones is cancelled after the bonus
// ended: the bonus's points come back as new points, the earned ones to
// their lot, and the balance the customer is told holds.
func TestPrizeCancelGivesBackPointsOfAnExpiredLot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTillPrizes)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 956, "Boris")
	manager := hire(t, h, owner, "manager", 957, "Mila")
	anna := join(t, h, 157, "Anna") // 100 welcome points, 30 days
	buy(t, anna, cashier)           // 130
	h.Clock.Advance(30*24*time.Hour - 2*time.Hour)
	scan(t, anna, manager)
	manager.Tap("🎁 a free coffee · 120 points").Tap("✅ Give the prize")
	var given int
	for _, m := range manager.U.Messages() {
		if strings.HasPrefix(m.Text, "🎁 Given") {
			given = m.ID
		}
	}
	if got := balance(t, h, 157); got != 10 {
		t.Fatalf("balance %d after the prize, want 10:\n%s", got, manager.Transcript())
	}
	h.Clock.Advance(3 * time.Hour)
	manager.TapOld(given, "Cancel this prize").Tap("Yes, cancel it")
	pointsHold(t, h, 157, 130, manager.Transcript)
	anna.Sync()
	if !strings.Contains(texts(anna), "120 points are back on your card. Balance: 130.") {
		t.Fatalf("the customer's notice:\n%s", anna.Transcript())
	}
}
