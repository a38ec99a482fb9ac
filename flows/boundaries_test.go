package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestCashierJoiningThroughTheirOwnQRSignsNobodyUp: a cashier who takes a
// card of their own through their own /myqr link joins at the store, but
// /stats staff does not count them as a sign-up they brought.
func TestCashierJoiningThroughTheirOwnQRSignsNobodyUp(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 2041, "Boris")
	payload := myQRPayload(t, cashier)
	cashier.Send("/start " + payload).Tap("✅ I agree").ShareContact("+79990002041").Tap("Boris").Tap("No, thanks")
	if c, _ := customer(t, h, 2041); !c.Member() {
		t.Fatalf("Boris has no card of his own:\n%s", cashier.Transcript())
	}
	owner.Send("/stats staff")
	if got := owner.Last().Text; !strings.Contains(got, "Boris (cashier): nobody signed up through their QR yet") {
		t.Fatalf("Boris's own card counts as a sign-up he brought:\n%s", got)
	}
}

// TestManagerReadsOnlyTheirOwnPolls: the owner's poll is not a manager's to
// read: a Progress or an Export answers button for it in a manager's chat
// shows neither the tally nor who answered what; the manager's own poll
// they follow and export as before.
func TestManagerReadsOnlyTheirOwnPolls(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 2042, "Mila")
	anna := joinConsenting(t, h, 2043, "Anna")

	owner.Send("/broadcast").Send("Which day suits you for the tasting?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Friday").Send("Saturday").Tap("✅ Done").Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Sync().Tap("Friday")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT id FROM broadcasts`).Scan(&id); err != nil {
		t.Fatal(err)
	}

	manager.Send("/help")
	docs := func() int {
		n := 0
		for _, m := range manager.U.Messages() {
			if m.Document != nil {
				n++
			}
		}
		return n
	}
	manager.SignedCallback(manager.Last().ID, fmt.Sprintf("x:pollcsv:%d", id), "the owner's poll's Export answers")
	if n := docs(); n != 0 {
		t.Fatalf("a manager exported the owner's poll answers:\n%s", manager.Transcript())
	}
	manager.SignedCallback(manager.Last().ID, fmt.Sprintf("x:broadcast:%d", id), "the owner's broadcast's Progress")
	for _, m := range manager.U.Messages() {
		if strings.Contains(m.Text, "Friday: 1") {
			t.Fatalf("a manager read the owner's poll's tally:\n%s", manager.Transcript())
		}
	}

	manager.Send("/broadcast").Send("Tea or coffee?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Tea").Send("Coffee").Tap("✅ Done").Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Sync().Tap("Tea")
	manager.Tap("📊 Progress")
	if !strings.Contains(manager.Last().Text, "Tea: 1") {
		t.Fatalf("the manager's own poll's tally:\n%s", manager.Transcript())
	}
	manager.Tap("📥 Export answers")
	if doc := manager.Last().Document; doc == nil || !strings.Contains(string(doc.Data), "Tea") {
		t.Fatalf("the manager's own poll's export:\n%s", manager.Transcript())
	}
}

// TestManagersPromoListCountsTheirStoreOnly: an owner's promotion at
// every store brings purchases at Central and at River; Central's
// manager reads in /promo what it brought at Central, not River's
// purchases and revenue, which the owner reads in full.
func TestManagersPromoListCountsTheirStoreOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	central := hire(t, h, owner, "cashier", 2044, "Boris")
	river := hireAt(t, h, owner, "cashier", "River", 2045, "Rita")
	manager := hire(t, h, owner, "manager", 2046, "Mira")
	anna := joinVia(t, h, 2047, "Anna", "s_central")
	bob := joinVia(t, h, 2048, "Bob", "s_river")

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start")
	scan(t, anna, central)
	central.Send("1000").Tap("➕ Accrue +60").Tap("✅ Confirm")
	scan(t, bob, river)
	river.Send("3000").Tap("➕ Accrue +180").Tap("✅ Confirm")
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE promotion = 'live-1'`); n != 2 {
		t.Fatalf("%d purchases under the promotion, want 2:\n%s\n%s", n, central.Transcript(), river.Transcript())
	}

	owner.Send("/promo")
	if got := owner.Last().Text; !strings.Contains(got, "so far: purchases 2, 4,000 RUB") {
		t.Fatalf("the owner's /promo:\n%s", got)
	}
	manager.Send("/promo")
	if got := manager.Last().Text; !strings.Contains(got, "so far: purchases 1, 1,000 RUB, points over the usual rate +30") {
		t.Fatalf("Central's manager reads what the promotion brought elsewhere:\n%s", got)
	}
}

// TestStoreManagerAnnouncesOnlyTheirStoresPromotion: the owner starts a
// promotion at River; a "📣 Tell the members" button for it in the chat
// of Central's manager (one from before a move, or forged) does not
// start an announcement of River's promotion, as Central's manager may
// not stop it either.
func TestStoreManagerAnnouncesOnlyTheirStoresPromotion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	hireAt(t, h, owner, "cashier", "River", 2049, "Rita")
	manager := hire(t, h, owner, "manager", 2050, "Mira")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("River").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start")
	if n := countRows(t, h, `SELECT count(*) FROM live_promotions`); n != 1 {
		t.Fatalf("%d promotions, want River's:\n%s", n, owner.Transcript())
	}
	manager.Send("/help")
	manager.SignedCallback(manager.Last().ID, "x:promo:tell1", "River's promotion's Tell the members")
	if conv := countRows(t, h, `SELECT count(*) FROM conversations WHERE chat_id = 2050 AND flow = 'broadcast'`); conv != 0 {
		t.Fatalf("Central's manager is announcing River's promotion:\n%s", manager.Transcript())
	}
}
