package flows_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

const ownerID = 900

// withOwner lists user 900 as an owner in the business config.
func withOwner(b *domain.Business) { b.Owners = []int64{ownerID} }

var linkRe = regexp.MustCompile(`https://t\.me/\S+\?start=(i_[A-Za-z0-9_-]+)`)

// hire has the owner invite someone through /staff for Central and that
// person open the link; it returns the new staff member's chat.
func hire(t *testing.T, h *bottest.Harness, owner *bottest.Chat, role string, id int64, name string) *bottest.Chat {
	t.Helper()
	return hireAt(t, h, owner, role, "Central", id, name)
}

// hireAt is hire for the store named store.
func hireAt(t *testing.T, h *bottest.Harness, owner *bottest.Chat, role, store string, id int64, name string) *bottest.Chat {
	t.Helper()
	owner.Send("/staff").Tap(map[string]string{"cashier": "➕ Invite a cashier", "manager": "➕ Invite a manager"}[role]).Tap(store)
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	c := h.Chat(id, name, "en")
	c.Send("/start " + m[1])
	if !strings.Contains(c.Last().Text, "Welcome to the team") && !strings.Contains(lastTexts(c, 2), "Welcome to the team") {
		t.Fatalf("invite not accepted:\n%s", c.Transcript())
	}
	return c
}

func lastTexts(c *bottest.Chat, n int) string {
	ms := c.U.Messages()
	var b strings.Builder
	for _, m := range ms[max(0, len(ms)-n):] {
		b.WriteString(m.Text + m.Caption + "\n")
	}
	return b.String()
}

// scan opens the customer's current card QR as the cashier's phone camera
// would: the deep link arrives as /start c_… in the cashier's chat.
func scan(t *testing.T, customer, cashier *bottest.Chat) {
	t.Helper()
	customer.Send("/card")
	photo, ok := customer.LastPhoto()
	if !ok {
		t.Fatal("no card QR")
	}
	link, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	_, payload, _ := strings.Cut(link, "?start=")
	cashier.Send("/start " + payload)
}

func balance(t *testing.T, h *bottest.Harness, tgID int64) int64 {
	t.Helper()
	_, card := customer(t, h, tgID)
	return card.Balance
}

func TestCheckoutAccrueAndRedeem(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	if cmds := h.Fake.Commands(`{"type":"chat","chat_id":901}`, ""); len(cmds) == 0 || cmds[0].Command != "scan" {
		t.Fatalf("the new cashier's chat menu: %+v, want /scan first", cmds)
	}
	if err := h.Bot.RegisterCommands(context.Background(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	if cmds := h.Fake.Commands(`{"type":"all_private_chats"}`, "en"); len(cmds) == 0 || cmds[0].Command == "scan" {
		t.Fatal("/scan is in everyone's menu")
	}
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")

	cashier.Note("the welcome bonus pays part of this very receipt")
	scan(t, anna, cashier)
	cashier.Send("12 letters").
		Send("-5").
		Send("0").
		Send("99999999").
		Send("1 000,00").
		Tap("➖ Pay with points: 100").
		Note("a double tap on Confirm: both taps arrive before the first is answered")
	for range 2 {
		if _, err := cashier.U.Tap("✅ Confirm"); err != nil {
			t.Fatal(err)
		}
	}
	cashier.Sync()
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases after a double tap, want 1", n)
	}
	if got := balance(t, h, 101); got != 27 {
		t.Fatalf("balance %d after paying 100 of 1000 ₽ and earning 3 %% of 900 ₽, want 27", got)
	}
	if !strings.Contains(anna.Last().Text, "paid with points −100, earned +27. Balance: 27") {
		t.Fatalf("customer not told: %q", anna.Last().Text)
	}
	anna.Sync()
	bottest.Golden(t, "checkout_cashier", cashier.Transcript())
	bottest.Golden(t, "checkout_customer", anna.Transcript())
}

func countRows(t *testing.T, h *bottest.Harness, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCheckoutCustomRedeemCapAndTypedCode(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 902, "Boris")
	join(t, h, 102, "Pavel")
	_, card := customer(t, h, 102)
	code := h.Signer.Code(card.Number, h.Clock.Now())

	cashier.Send("/scan").
		Send("1234 5678").
		Send("/scan").
		Send(domain.FormatCode(code)).
		Send("200").
		Note("30 %% of 200 ₽ is 60 points: more is refused, then 50 is fine").
		Tap("✏️ Pay another number of points").
		Send("61").
		Send("fifty").
		Send("50").
		Tap("↩ Back").
		Tap("➕ Accrue +6").
		Tap("✅ Confirm")
	bottest.Golden(t, "checkout_custom_redeem", cashier.Transcript())
	if got := balance(t, h, 102); got != 106 {
		t.Fatalf("balance %d, want 100 + 6", got)
	}
}

func TestCheckoutExpiredForgedAndNonStaff(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 903, "Boris")
	join(t, h, 103, "Rita")
	_, card := customer(t, h, 103)
	old := h.Signer.Token(card.ID, h.Clock.Now())
	h.Clock.Advance(11 * time.Minute)
	cashier.Send("/start c_" + old).
		Send("/start c_" + old[:len(old)-2] + "AA")
	bottest.Golden(t, "checkout_expired_forged", cashier.Transcript())
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 0 {
		t.Fatal("a purchase from an expired or forged card")
	}
	// A genuine signature on a card that does not exist (a database
	// restored from an older backup, say) is an invalid code, not an error.
	cashier.Send("/start c_" + h.Signer.Token(card.ID+1000, h.Clock.Now()))
	if got := cashier.Last().Text; !strings.Contains(got, "This is not a valid card code") {
		t.Fatalf("a token of a card that does not exist: %q", got)
	}
	cashier.Send("/help")
	if got := cashier.Last().Text; !strings.Contains(got, "/scan") || strings.Contains(got, "/staff") {
		t.Fatalf("a cashier's /help: %q", got)
	}
	owner.Send("/help")
	if got := owner.Last().Text; !strings.Contains(got, "/staff") {
		t.Fatalf("an owner's /help: %q", got)
	}
}

func TestRevokedCashierRefusedAndManagerCancels(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 904, "Boris")
	manager := hire(t, h, owner, "manager", 905, "Mila")
	anna := join(t, h, 104, "Anna")

	cashier.Note("a purchase the manager will cancel")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	if got := balance(t, h, 104); got != 115 {
		t.Fatalf("balance %d, want 115", got)
	}
	manager.Send("/staff").Tap("🧾 Recent purchases")
	if list := manager.Last().Text; !strings.Contains(list, "15:00 · Anna · 500 RUB · +15 / −0 · Boris\n   "+lastPurchaseID(t, h)) {
		t.Fatalf("the list does not say who bought and who rang it up:\n%s", list)
	}
	manager.Tap("Cancel 15:00 · Anna · 500 RUB").Tap("Yes, cancel it")
	if got := balance(t, h, 104); got != 100 {
		t.Fatalf("balance %d after the cancel, want 100", got)
	}
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "cancelled") {
		t.Fatalf("customer not told of the cancel: %q", anna.Last().Text)
	}

	cashier.Note("the owner revokes the cashier while they are mid-checkout")
	scan(t, anna, cashier)
	cashier.Send("300")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris").Tap("Yes, revoke")
	cashier.Sync().Tap("➕ Accrue +9")
	if cmds := h.Fake.Commands(`{"type":"chat","chat_id":904}`, ""); len(cmds) != 0 {
		t.Fatalf("revoked cashier still has a staff menu: %+v", cmds)
	}
	scan(t, anna, cashier)
	cashier.Send("/scan")
	bottest.Golden(t, "revoke_and_cancel_cashier", cashier.Transcript())
	bottest.Golden(t, "revoke_and_cancel_manager", manager.Transcript())
	bottest.Golden(t, "revoke_and_cancel_owner", owner.Transcript())
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases, want 1 (the revoked cashier's tap must do nothing)", n)
	}
}

func lastPurchaseID(t *testing.T, h *bottest.Harness) string {
	t.Helper()
	var id string
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT public_id FROM purchases ORDER BY id DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestVelocityFlagAlertsOwner: a purchase over a limit alerts the owner,
// in the language the bot talks to her in, though the business default
// is another and she is no customer.
func TestVelocityFlagAlertsOwner(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		b.Program.MaxPurchasesPerCardPerDay = 1
		b.DefaultLanguage = "ru"
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 906, "Boris")
	anna := join(t, h, 106, "Anna")
	for range 2 {
		scan(t, anna, cashier)
		cashier.Send("100").Tap("➕ Accrue +3").Tap("✅ Confirm")
	}
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Unusual activity") || !strings.Contains(owner.Last().Text, "Boris") ||
		!strings.Contains(owner.Last().Text, "2 purchases with one card in 24 hours (the limit is 1)") {
		t.Fatalf("owner not alerted: %q", owner.Last().Text)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 2 {
		t.Fatalf("flagged purchase not recorded: %d purchases", n)
	}
}

// TestVelocityAlertsDoNotRepeatPerPurchase: every purchase over a limit
// is flagged, but the owner hears of the first and then of every
// limit-th after it, each alert saying how many there were.
func TestVelocityAlertsDoNotRepeatPerPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		b.Program.MaxPurchasesPerCardPerDay, b.Program.MaxPurchasesPerCashierPerHour = 2, 3
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 907, "Boris")
	anna := join(t, h, 107, "Anna")
	mark := owner.U.Mark()
	for range 7 {
		scan(t, anna, cashier)
		cashier.Send("100").Tap("➕ Accrue +3").Tap("✅ Confirm")
	}
	owner.Sync()
	var alerts []string
	for _, m := range owner.U.Since(mark) {
		if strings.Contains(m.Text, "Unusual activity") {
			alerts = append(alerts, m.Text)
		}
	}
	// The card: 3rd, 5th and 7th purchase of the day (limit 2); the
	// cashier: 4th and 7th of the hour (limit 3). The 7th is one alert
	// with both reasons.
	want := [][]string{
		{"3 purchases with one card in 24 hours (the limit is 2)"},
		{"4 purchases by one cashier in an hour (the limit is 3)"},
		{"5 purchases with one card in 24 hours (the limit is 2)"},
		{"7 purchases with one card in 24 hours (the limit is 2)", "7 purchases by one cashier in an hour (the limit is 3)"},
	}
	if len(alerts) != len(want) {
		t.Fatalf("%d alerts, want %d:\n%s", len(alerts), len(want), strings.Join(alerts, "\n---\n"))
	}
	for i, w := range want {
		for _, reason := range w {
			if !strings.Contains(alerts[i], reason) {
				t.Errorf("alert %d lacks %q:\n%s", i+1, reason, alerts[i])
			}
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE 'card_velocity' = ANY(flags)`); n != 5 {
		t.Errorf("%d purchases flagged for the card, want 5 (3rd to 7th)", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE 'cashier_velocity' = ANY(flags)`); n != 4 {
		t.Errorf("%d purchases flagged for the cashier, want 4 (4th to 7th)", n)
	}
}

// TestTierShownWithDistanceToNext: spending moves the customer up a tier,
// and the purchase that does tells them once;
// /balance shows the tier and how far the next one is.
func TestTierShownWithDistanceToNext(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		b.Program.Tiers = []domain.Tier{{Name: "Base", EarnBP: 300}, {Name: "Silver", MinSpend: 100000, EarnBP: 500}}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 930, "Boris")
	anna := join(t, h, 130, "Anna")
	anna.Send("/balance")
	if !strings.Contains(anna.Last().Text, "Your tier: Base — 3 %") || !strings.Contains(anna.Last().Text, "Spend 1,000 RUB more within a year to reach Silver (5 %)") {
		t.Fatalf("tier not shown:\n%s", anna.Last().Text)
	}
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	if got := anna.Sync().Last().Text; !strings.Contains(got, "🎉 You have reached Silver: from your next purchase you earn 5 %.") {
		t.Fatalf("the purchase that reached Silver does not say so:\n%s", got)
	}
	scan(t, anna, cashier)
	cashier.Send("100").Tap("➕ Accrue +5").Tap("✅ Confirm")
	if got := anna.Sync().Last().Text; strings.Contains(got, "You have reached") {
		t.Fatalf("a purchase within Silver says it again:\n%s", got)
	}
	scan(t, anna, cashier)
	cashier.Send("100")
	if b := cashier.Last().Buttons(); len(b) == 0 || b[0] != "➕ Accrue +5" {
		t.Fatalf("Silver's 5 %% not applied: %v\n%s", cashier.Last().Buttons(), cashier.Transcript())
	}
	anna.Send("/balance")
	if !strings.Contains(anna.Last().Text, "Your tier: Silver — 5 %") || strings.Contains(anna.Last().Text, "more within a year") {
		t.Fatalf("after 1,000 RUB the customer is Silver, the top tier:\n%s", anna.Last().Text)
	}
}

// TestCheckoutAmountRetyped: a cashier who sees a typo in the amount, at
// the choice or at the check before confirming, types the right amount
// instead of cancelling and scanning again. The receipt is quoted afresh,
// the earlier buttons are stale, and other text gets a hint that says so.
func TestCheckoutAmountRetyped(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000")
	choice := cashier.Last().ID
	cashier.Send("1200")
	if got := cashier.Last().Text; !strings.Contains(got, "1,200 RUB") {
		t.Fatalf("after the corrected amount: %q", got)
	}
	cashier.TapOld(choice, "➕ Accrue +30").
		Tap("➕ Accrue +36").
		Send("no wait").
		Send("1 300").
		Tap("➕ Accrue +39").
		Tap("✅ Confirm")
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE amount = 130000 AND points_earned = 39`); n != 1 {
		t.Fatalf("the purchase is not the corrected one:\n%s", cashier.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Fatalf("%d purchases, want 1", n)
	}
	bottest.Golden(t, "checkout_amount_retyped", cashier.Transcript())
}

// TestInviterHearsTheInvitationWasOpened: whoever made an invitation is
// told who opened it, with the role it gave and the way to undo it, so a
// link that leaked shows at once; nobody else is.
func TestInviterHearsTheInvitationWasOpened(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	mila := hire(t, h, owner, "manager", 902, "Mila")
	owner.Sync()
	if got := owner.Last().Text; got != "✅ Mila opened your invitation and is now a manager (Central). Not who you invited? Revoke them in /staff → Staff list." {
		t.Fatalf("the owner after Mila joined: %q", got)
	}
	mila.Send("/staff").Tap("➕ Invite a cashier") // a manager invites to their own store
	m := linkRe.FindStringSubmatch(mila.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", mila.Last().Caption)
	}
	h.Chat(901, "Vera", "en").Send("/start " + m[1])
	mila.Sync()
	if got := mila.Last().Text; !strings.HasPrefix(got, "✅ Vera opened your invitation and is now a cashier (Central).") {
		t.Fatalf("the manager after Vera joined: %q", got)
	}
	if got := owner.Sync().Last().Text; strings.Contains(got, "Vera") {
		t.Fatalf("the owner was told of the manager's invitation: %q", got)
	}
}

// TestCashierCancelsOwnPurchase: a cashier who mistyped an amount cancels
// the purchase from their receipt, or from /today, within the program's
// minutes; the customer gets the points back and the owner and the
// store's manager hear of it. Later /today offers nothing and the
// receipt's button says to ask a manager; /stats staff counts the
// cancels. (Another cashier's purchase: TestStaffCanCancel; 0 minutes:
// TestCashierCancelOff.)
func TestCashierCancelsOwnPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 982, "Mila")
	cashier := hire(t, h, owner, "cashier", 981, "Boris")
	other := hire(t, h, owner, "cashier", 983, "Vlad")
	anna := join(t, h, 101, "Anna")

	scan(t, anna, cashier)
	cashier.Send("45000").Tap("➕ Accrue +1,350").Tap("✅ Confirm")
	h.Clock.Advance(2 * time.Minute)
	cashier.Tap("Cancel this purchase").Tap("Yes, cancel it")
	if got := cashier.Last().Text; !strings.Contains(got, "cancelled. Anna's balance: 100.") {
		t.Fatalf("the cashier's cancel:\n%s", cashier.Transcript())
	}
	if got := balance(t, h, 101); got != 100 {
		t.Fatalf("balance %d after the cancel, want 100", got)
	}
	for _, c := range []*bottest.Chat{owner, manager} {
		c.Sync()
		if !strings.Contains(c.Last().Text, "↩ Boris cancelled a purchase of their own at Central: Anna, 45,000 RUB, rung up at 22.11 15:00") {
			t.Fatalf("%d is not told of the cancel:\n%s", c.U.ID, c.Transcript())
		}
	}
	if !strings.Contains(texts(other), "Welcome to the team") || strings.Contains(texts(other), "cancelled a purchase") {
		t.Fatalf("a cashier is told of another's cancel:\n%s", other.Transcript())
	}
	if b := cashier.Last().Buttons(); len(b) != 0 {
		t.Fatalf("the cancelled receipt keeps buttons: %q", b)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'reversal'`); n != 1 {
		t.Fatalf("%d reversals, want 1", n)
	}

	// Seen a few minutes on, its receipt scrolled away: /today has it.
	scan(t, anna, cashier)
	cashier.Send("4500").Tap("➕ Accrue +135").Tap("✅ Confirm")
	h.Clock.Advance(3 * time.Minute)
	cashier.Send("/today")
	if b := cashier.Last().Buttons(); len(b) != 1 || b[0] != "Cancel 15:02 · Anna · 4,500 RUB" {
		t.Fatalf("/today's cancel buttons: %q\n%s", b, cashier.Transcript())
	}
	cashier.Tap("Cancel 15:02 · Anna · 4,500 RUB").Tap("Yes, cancel it")
	if got := balance(t, h, 101); got != 100 {
		t.Fatalf("balance %d after the cancel from /today, want 100", got)
	}

	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13").Tap("✅ Confirm")
	receipt := cashier.Last().ID
	h.Clock.Advance(11 * time.Minute)
	cashier.Send("/today")
	if b := cashier.Last().Buttons(); len(b) != 0 {
		t.Fatalf("/today offers to cancel a purchase past the minutes: %q", b)
	}
	cashier.TapOld(receipt, "Cancel this purchase") // its receipt's button, past the minutes
	if got := texts(cashier); !strings.Contains(got, "within 10 min of ringing it up; this one is older. Ask a manager") {
		t.Fatalf("a cancel too late:\n%s", cashier.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NULL`); n != 1 {
		t.Fatalf("%d purchases stand, want 1", n)
	}
	owner.Send("/stats staff")
	if got := owner.Last().Text; !strings.Contains(got, "Boris (cashier): nobody signed up through their QR yet · checkouts 1") ||
		!strings.Contains(got, " · cancelled their own 2") {
		t.Fatalf("the staff view:\n%s", got)
	}
}

// TestCashierCancelOff: with cashier_cancel_minutes = 0 a cashier's
// receipt has no cancel button.
func TestCashierCancelOff(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Program.CashierCancelMinutes = 0 })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 981, "Boris")
	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13").Tap("✅ Confirm")
	if b := cashier.Last().Buttons(); len(b) != 1 {
		t.Fatalf("the receipt's buttons with cashier cancels off: %q", b)
	}
}

// TestStartMidCheckoutKeepsTheCheckout: a plain /start in the middle of
// a checkout shows the cashier's own card (a member) or their role (not
// one) and asks the pending question again: the checkout goes on.
func TestStartMidCheckoutKeepsTheCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 943, "Mila")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000943").Tap("Mila").Tap("No, thanks")
	anna := join(t, h, 143, "Anna")
	scan(t, anna, cashier)
	cashier.Send("500").Send("/start")
	if !strings.Contains(buttons(cashier), "Accrue +15") {
		t.Fatalf("/start mid-checkout did not ask the pending question again:\n%s", cashier.Transcript())
	}
	cashier.Tap("➕ Accrue +15").Tap("✅ Confirm")
	if got := balance(t, h, 143); got != 115 {
		t.Fatalf("balance %d, want 115", got)
	}
	// A cashier who is no member: their role, then the question again.
	boris := hire(t, h, owner, "cashier", 944, "Boris")
	scan(t, anna, boris)
	boris.Send("700").Send("/start")
	if !strings.Contains(lastTexts(boris, 3), "You are on the team: cashier") || !strings.Contains(buttons(boris), "Accrue +21") ||
		strings.Contains(lastTexts(boris, 3), "Do you agree") {
		t.Fatalf("/start mid-checkout, not a member:\n%s", boris.Transcript())
	}
	boris.Tap("➕ Accrue +21").Tap("✅ Confirm")
	if got := balance(t, h, 143); got != 136 {
		t.Fatalf("balance %d, want 136", got)
	}
}

// TestRegisterOffersNoPointsPastTheirExpiry: points past their expiry
// (the welcome bonus, 30 days) that the nightly job has not written off
// yet are written off when the card is read: neither the register nor
// the customer's /balance offers them.
func TestRegisterOffersNoPointsPastTheirExpiry(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 942, "Boris")
	anna := join(t, h, 142, "Anna")                 // 100 welcome points, valid through 22.12 in Moscow
	h.Clock.Advance(30*24*time.Hour + 10*time.Hour) // 23.12, 01:00 in Moscow
	scan(t, anna, cashier)
	cashier.Send("500")
	if b := buttons(cashier); strings.Contains(b, "Pay with points") {
		t.Fatalf("the register offers to pay with welcome points that expired an hour ago:\n%s", cashier.Transcript())
	}
	if got := balance(t, h, 142); got != 0 {
		t.Fatalf("balance %d after the scan, want 0", got)
	}
	anna.Send("/balance")
	if got := anna.Last().Text; !strings.Contains(got, "0") || strings.Contains(got, "100 points") {
		t.Fatalf("/balance after the expiry:\n%s", got)
	}
}

// TestRevokedCashierCommandMidCheckoutShowsNoCard: a cashier revoked
// while a checkout waits at the choice sends a command before tapping
// anything: the command is answered, but the checkout's question is not
// asked again with the customer's name, balance and the buttons of a
// checkout the former cashier may no longer finish.
func TestRevokedCashierCommandMidCheckoutShowsNoCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 904, "Boris")
	anna := join(t, h, 104, "Anna")
	scan(t, anna, cashier)
	cashier.Send("300")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris").Tap("Yes, revoke")
	before := len(cashier.Sync().Transcript())
	cashier.Send("/help")
	if tail := cashier.Transcript()[before:]; strings.Contains(tail, "Anna") || strings.Contains(tail, "Accrue") {
		t.Fatalf("a revoked cashier's /help asks the checkout again, with the customer:\n%s", tail)
	}
}

// TestFailedScanMidCheckoutAsksThePendingQuestion: a cashier half way
// through Anna's checkout scans Bob's expired QR: told so, and then
// shown that Anna's checkout is still open (its question again), so the
// amount typed next is not rung up on Anna's card unawares.
func TestFailedScanMidCheckoutAsksThePendingQuestion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	bob.Send("/card") // Bob opens his card early; the code expires in the queue
	photo, _ := bob.LastPhoto()
	link, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	_, bobPayload, _ := strings.Cut(link, "?start=")
	h.Clock.Advance(11 * time.Minute)
	scan(t, anna, cashier)
	cashier.Send("500")
	before := len(cashier.U.Messages())
	cashier.Send("/start " + bobPayload)
	tail := textsSince(cashier, before)
	if !strings.Contains(tail, "expired") {
		t.Fatalf("Bob's expired code not refused:\n%s", tail)
	}
	if !strings.Contains(tail, "Anna · receipt 500") {
		t.Fatalf("after the failed scan Anna's open checkout is not asked again, so the next amount goes to her unawares:\n%s", cashier.Transcript())
	}
}

// TestPosterScannedMidCheckoutKeepsTheCheckout: a cashier who has no card
// of their own, half way through Anna's checkout, scans the register's
// poster on the counter by mistake (/start s_central): the checkout is
// asked again and goes on; it is not swapped for the cashier's joining.
func TestPosterScannedMidCheckoutKeepsTheCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("500").Send("/start s_central")
	if !strings.Contains(buttons(cashier), "Accrue +15") || strings.Contains(lastTexts(cashier, 3), "Do you agree") {
		t.Fatalf("the poster scan mid-checkout did not keep the checkout:\n%s", cashier.Transcript())
	}
	cashier.Tap("➕ Accrue +15").Tap("✅ Confirm")
	if got := balance(t, h, 101); got != 115 {
		t.Fatalf("balance %d, want 115:\n%s", got, cashier.Transcript())
	}
}
