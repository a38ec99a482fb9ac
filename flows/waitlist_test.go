package flows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// makeWaitlist has a staff member create a waitlist through /waitlist and
// returns the start payload read from its QR, as a phone camera would.
func makeWaitlist(t *testing.T, staff *bottest.Chat, name string, photo bool) string {
	t.Helper()
	staff.Send("/waitlist").Send(name)
	if photo {
		staff.Photo()
	} else {
		staff.Tap("Skip")
	}
	qr, ok := staff.LastPhoto()
	if !ok {
		t.Fatalf("no waitlist QR:\n%s", staff.Transcript())
	}
	link, err := bottest.DecodeQR(qr.Photo)
	if err != nil {
		t.Fatal(err)
	}
	payload, ok := strings.CutPrefix(link, "https://t.me/"+bottest.BotUsername+"?start=")
	if !ok || !strings.HasPrefix(payload, "w_") || len(payload) > 64 {
		t.Fatalf("QR holds %q, want a w_ deep link of this bot", link)
	}
	if !strings.Contains(qr.Caption, link) {
		t.Errorf("the caption does not show the link %q: %q", link, qr.Caption)
	}
	return payload
}

// backMessages lists the "it is back" messages a chat got.
func backMessages(c *bottest.Chat) []tgfake.Message {
	var out []tgfake.Message
	for _, m := range c.U.Messages() {
		if strings.Contains(m.Text+m.Caption, "is back in stock at") || strings.Contains(m.Text+m.Caption, "снова есть в") {
			out = append(out, m)
		}
	}
	return out
}

// TestWaitlistTellsEveryoneOnceWhenBack: a cashier makes a list with a
// photo; a member and a newcomer open its link (the newcomer joins the
// program first, then is on it); only those who may close it see the
// button; the owner marks it back in stock and each waiting customer
// gets exactly one message with the photo; the link then says closed.
func TestWaitlistTellsEveryoneOnceWhenBack(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 970, "Boris")
	other := hire(t, h, owner, "cashier", 973, "Vera")
	payload := makeWaitlist(t, cashier, "Oat milk 1 l", true)

	member := join(t, h, 971, "Mila")
	member.Send("/start " + payload)
	if got := member.Last().Text; !strings.Contains(got, "You are on the waitlist for Oat milk 1 l") {
		t.Fatalf("member opening the link: %q", got)
	}
	member.Send("/start " + payload)
	if got := member.Last().Text; !strings.Contains(got, "already on the waitlist") {
		t.Fatalf("member opening it twice: %q", got)
	}
	newbie := h.Chat(972, "Nina", "ru")
	newbie.Send("/start " + payload).Tap("✅ Согласен(на)").ShareContact("+79990000972").Tap("Nina").Tap("Нет, спасибо")
	if !strings.Contains(lastTexts(newbie, 4), "Вы в листе ожидания «Oat milk 1 l»") {
		t.Fatalf("the newcomer is not on the list after joining:\n%s", newbie.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM waitlist_entries`); n != 2 {
		t.Fatalf("%d waitlist entries, want 2 (opening twice adds nobody)", n)
	}

	other.Send("/waitlist")
	if got := other.Last(); !strings.Contains(got.Text, "Oat milk 1 l: 2 waiting") || len(got.Buttons()) != 0 {
		t.Errorf("another cashier sees %q %q, want the count and no button to close it", got.Text, got.Buttons())
	}
	owner.Send("/waitlist").Tap("✅ Oat milk 1 l is back").Tap("✅ Yes, it is back")
	if got := owner.Last().Text; !strings.Contains(got, "2 waiting customers get a message") {
		t.Fatalf("owner after confirming: %q", got)
	}
	h.Settle()
	for _, c := range []*bottest.Chat{member, newbie} {
		got := backMessages(c.Sync())
		if len(got) != 1 {
			t.Fatalf("chat %d got %d back-in-stock messages, want exactly 1:\n%s", c.U.ID, len(got), c.Transcript())
		}
		if got[0].PhotoRef == "" {
			t.Errorf("chat %d: the message lacks the item's photo", c.U.ID)
		}
	}
	if n := len(backMessages(cashier)) + len(backMessages(owner)); n != 0 {
		t.Errorf("staff who did not wait got %d back-in-stock messages", n)
	}
	member.Send("/start " + payload)
	if got := member.Last().Text; !strings.Contains(got, "this waitlist is closed") {
		t.Errorf("the link after restocking: %q", got)
	}
	owner.Send("/waitlist")
	if got := owner.Last().Text; strings.Contains(got, "Oat milk 1 l:") || strings.Contains(got, "Open waitlists") {
		t.Errorf("a closed list is still listed: %q", got)
	}
	bottest.Golden(t, "waitlist_cashier", cashier.Transcript())
	bottest.Golden(t, "waitlist_owner", owner.Transcript())
	bottest.Golden(t, "waitlist_newcomer_ru", newbie.Transcript())
}

// TestWaitlistForgedLink: an unknown w_ code says so, to a member and to
// a newcomer (who is then welcomed as by a plain /start).
func TestWaitlistForgedLink(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	member := join(t, h, 975, "Mila")
	member.Send("/start w_forged12")
	if got := member.Last().Text; got != "This waitlist link is not valid. Ask in the shop for the current one." {
		t.Errorf("member with a forged link: %q", got)
	}
	stranger := h.Chat(976, "Ivan", "en")
	stranger.Send("/start w_nope")
	if got := lastTexts(stranger, 3); !strings.Contains(got, "This waitlist link is not valid") || !strings.Contains(got, "Welcome to") {
		t.Errorf("newcomer with a forged link:\n%s", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM waitlist_entries`); n != 0 {
		t.Errorf("%d waitlist entries from forged links", n)
	}
}

// TestWaitlistIsStaffOnly: a customer's /waitlist makes nothing.
func TestWaitlistIsStaffOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := join(t, h, 977, "Mila")
	c.Send("/waitlist").Send("Free cake")
	if n := countRows(t, h, `SELECT count(*) FROM waitlists`); n != 0 {
		t.Errorf("a customer made %d waitlists", n)
	}
	if !strings.Contains(c.Transcript(), "This command is for shop staff.") {
		t.Errorf("no refusal:\n%s", c.Transcript())
	}
}

// TestErasureRemovesWaitlistEntries: deleting one's data takes one off
// every waitlist, so a later "it is back" reaches nobody erased.
func TestErasureRemovesWaitlistEntries(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	payload := makeWaitlist(t, owner, "Rye bread", false)
	c := join(t, h, 978, "Zoya")
	c.Send("/start " + payload)
	if n := countRows(t, h, `SELECT count(*) FROM waitlist_entries`); n != 1 {
		t.Fatalf("%d entries after joining, want 1", n)
	}
	c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if n := countRows(t, h, `SELECT count(*) FROM waitlist_entries`); n != 0 {
		t.Errorf("%d waitlist entries left after erasure", n)
	}
}

// TestWaitlistIsInTheDataExport: what a customer waits for is personal
// data, so "Download my data" lists it, and when it came back.
func TestWaitlistIsInTheDataExport(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 974, "Boris")
	payload := makeWaitlist(t, cashier, "Rye bread", false)
	mila := join(t, h, 975, "Mila")
	mila.Send("/start " + payload)
	owner.Send("/waitlist").Tap("✅ Rye bread is back").Tap("✅ Yes, it is back")
	mila.Send("/privacy").Tap("📦 Download my data")
	doc := mila.Last().Document
	if doc == nil {
		t.Fatalf("no export document:\n%s", mila.Transcript())
	}
	var export struct {
		Waitlists []struct {
			Item   string     `json:"item"`
			BackAt *time.Time `json:"back_in_stock_at"`
		} `json:"waitlists"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Waitlists) != 1 || export.Waitlists[0].Item != "Rye bread" || export.Waitlists[0].BackAt == nil {
		t.Fatalf("export waitlists %+v, want Rye bread, back in stock", export.Waitlists)
	}
}

// TestManyWaitlistsPageByPage: a shop with 40 open lists sees them 15 a
// page with ◀ ▶ (all in one message would pass Telegram's limits), and
// closes one of the newest, which a single page of the oldest never
// showed.
func TestManyWaitlistsPageByPage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help") // a config-listed owner is on the staff once they write
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		st, err := tx.FindStaffByTelegramID(t.Context(), ownerID)
		if err != nil {
			return err
		}
		for i := 1; i <= 40; i++ {
			if _, err := h.Engine.Service.CreateWaitlist(t.Context(), tx, st, fmt.Sprintf("Item %02d", i), ""); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	owner.Send("/waitlist")
	if got := owner.Last().Text; !strings.Contains(got, "(page 1 of 3)") || !strings.Contains(got, "Item 15") ||
		strings.Contains(got, "Item 16") {
		t.Fatalf("the first page:\n%s", got)
	}
	owner.Tap("2/3 ▶").Tap("3/3 ▶")
	if got := owner.Last().Text; !strings.Contains(got, "(page 3 of 3)") || !strings.Contains(got, "Item 40") {
		t.Fatalf("the last page:\n%s", got)
	}
	owner.Tap("✅ Item 40 is back").Tap("✅ Yes, it is back")
	if n := countRows(t, h, `SELECT count(*) FROM waitlists WHERE closed_at IS NOT NULL AND name = 'Item 40'`); n != 1 {
		t.Fatalf("Item 40 was not closed:\n%s", owner.Transcript())
	}
}

// TestWaitlistRestockCountsOnlyWhoIsTold: two members wait for an item;
// one of them has since blocked the bot (a 403 marked them unreachable),
// so the restock's message goes to one. The owner is told "2 waiting
// customers get a message" although one does.
func TestWaitlistRestockCountsOnlyWhoIsTold(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 983, "Boris")
	payload := makeWaitlist(t, owner, "Rye bread", false)
	mila := join(t, h, 183, "Mila")
	zoya := join(t, h, 184, "Zoya")
	mila.Send("/start " + payload)
	zoya.Send("/start " + payload)
	scan(t, zoya, cashier)
	zoya.U.Block()
	cashier.Send("100").Tap("➕ Accrue +3").Tap("✅ Confirm") // its message to Zoya answers 403
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d customers marked unreachable after the 403", n)
	}
	owner.Send("/waitlist").Tap("✅ Rye bread is back")
	if got := owner.Last().Text; !strings.Contains(got, "1 customer waiting gets a message") {
		t.Errorf("the restock's question: %q", got)
	}
	owner.Tap("✅ Yes, it is back")
	if got := owner.Last().Text; !strings.Contains(got, "1 waiting customer gets a message") {
		t.Errorf("the owner after confirming: %q", got)
	}
}

// TestWaitlistForgedRestockTap: the "back in stock" buttons of /waitlist
// are flow buttons, whose nonce the staff member reads in their own
// chat, so the list id after "r:" is theirs to change. River's cashier
// who forges it with Central's list (one they are not even shown) must
// learn nothing of it, neither its name nor how many wait, and get no
// question to close it; a list id that is no list is the stale list
// asked again, not the internal error.
func TestWaitlistForgedRestockTap(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 974, "Boris")
	rita := hireAt(t, h, owner, "cashier", "River", 975, "Rita")
	payload := makeWaitlist(t, boris, "Oat milk 1 l", false)
	join(t, h, 976, "Mila").Send("/start " + payload)
	makeWaitlist(t, rita, "Rice 1 kg", false)

	var central, river string
	q := func(sql string) string {
		var v string
		if err := h.DB.Pool().QueryRow(context.Background(), sql).Scan(&v); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return v
	}
	central = q(`SELECT id::text FROM waitlists WHERE name = 'Oat milk 1 l'`)
	river = q(`SELECT id::text FROM waitlists WHERE name = 'Rice 1 kg'`)

	rita.Send("/waitlist")
	screen := rita.Last()
	own := buttonData(t, screen, "✅ Rice 1 kg is back")
	if !strings.HasSuffix(own, ":r:"+river) {
		t.Fatalf("the restock button is %q, want it to end in r:%s", own, river)
	}
	before := len(rita.U.Messages())
	rita.Callback(screen.ID, strings.TrimSuffix(own, river)+central, "Rice's button with Central's list id")
	for _, m := range rita.U.Messages()[before:] {
		// (The name question's example is "Oat milk 1 l" too.)
		if strings.Contains(m.Text, "Oat milk 1 l:") || strings.Contains(m.Text, "Mark Oat milk") || strings.Contains(m.Text, "1 customer waiting") {
			t.Fatalf("River's cashier reads Central's list by a forged tap:\n%s", rita.Transcript())
		}
	}
	if strings.Contains(strings.Join(rita.Last().Buttons(), "|"), "✅ Yes, it is back") {
		t.Fatalf("River's cashier is asked to close Central's list:\n%s", rita.Transcript())
	}

	rita.Send("/waitlist")
	screen = rita.Last()
	before = len(rita.U.Messages())
	rita.Callback(screen.ID, strings.TrimSuffix(buttonData(t, screen, "✅ Rice 1 kg is back"), river)+"987654", "a list id that is no list")
	for _, m := range rita.U.Messages()[before:] {
		if strings.Contains(m.Text, "went wrong") {
			t.Fatalf("a made-up list id is an internal error:\n%s", rita.Transcript())
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM waitlists WHERE closed_at IS NULL`); n != 2 {
		t.Fatalf("%d open lists, want both still open", n)
	}
}
