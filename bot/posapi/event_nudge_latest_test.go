package posapi_test

import (
	"strings"
	"testing"
	"time"
)

// TestHeldCartReminderReplacedByNewerCart: Anna leaves a cart (Bucket)
// at 19:30 (Moscow); its reminder falls due at 21:30, inside the quiet
// hours, and waits for 10:00. At 22:00 she leaves another cart (Mop,
// Sponge). In the morning she hears once, about her latest cart: not
// about the Bucket she left first, and the newer cart's reminder is not
// lost to the frequency cap. The older one is recorded as not sent.
func TestHeldCartReminderReplacedByNewerCart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNudges)
	anna := e.joinConsenting(621, "Anna")
	cart := func(id string, names ...string) {
		t.Helper()
		var items []map[string]any
		for _, n := range names {
			items = append(items, map[string]any{"name": n, "price": 49900})
		}
		if r := e.postEvent(map[string]any{"customer": map[string]any{"telegram_id": 621}, "type": "cart_abandoned",
			"event_id": id, "items": items}); r.status != 201 {
			t.Fatalf("cart %s: %d %s", id, r.status, r.raw)
		}
	}
	e.h.Clock.Advance(4*time.Hour + 30*time.Minute) // 19:30 in Moscow
	cart("a-1", "Bucket")
	e.h.Clock.Advance(2 * time.Hour) // 21:30: due, held for 10:00
	e.runNudges()
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'sent'`); n != 1 {
		t.Fatalf("%d cart reminders queued, want 1 waiting for the morning", n)
	}
	e.h.Clock.Advance(30 * time.Minute) // 22:00
	cart("a-2", "Mop", "Sponge")
	e.h.Clock.Advance(2 * time.Hour) // 00:00: the second cart's reminder is due
	e.runNudges()
	e.h.Clock.Advance(10*time.Hour + 30*time.Minute) // 10:30 the next day
	e.runNudges()
	anna.chat.Note("the morning after her two carts").Sync()
	if n := said(anna, "in your cart"); n != 1 {
		t.Fatalf("%d cart reminders, want one:\n%s", n, anna.chat.Transcript())
	}
	for _, m := range anna.chat.U.Messages() {
		if strings.Contains(m.Text, "in your cart") && (strings.Contains(m.Text, "Bucket") || !strings.Contains(m.Text, "Mop, Sponge")) {
			t.Fatalf("the reminder is not about her latest cart: %q", m.Text)
		}
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'sent'
		AND occurrence = (SELECT id::text FROM shop_events WHERE event_id = 'a-2')`); n != 1 {
		t.Errorf("%d reminders recorded as sent for the latest cart, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'sent'`); n != 1 {
		t.Errorf("%d cart reminders recorded as sent, want 1", n)
	}
	e.h.Clock.Advance(6 * time.Hour)
	e.runNudges()
	if n := said(anna, "in your cart"); n != 1 {
		t.Fatalf("%d cart reminders later that day, want one:\n%s", n, anna.chat.Transcript())
	}
}

// TestCartReminderLanguageNoItemsNoConsent: Olga, who speaks Russian,
// hears of her cart in Russian with the items as the shop named them;
// Anna's cart came without items and she is told of her cart without an
// empty list; Bob said "No, thanks" to offers and is told nothing.
func TestCartReminderLanguageNoItemsNoConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNudges)
	c := e.h.Chat(631, "Ольга", "ru")
	c.Send("/start").Tap("✅ Согласен(на)").ShareContact("+79990000631").Tap("Ольга").Tap("Да, присылайте")
	olga := member{chat: c}
	anna := e.joinConsenting(632, "Anna")
	bob := e.join(633, "Bob")
	post := func(id string, tg int64, items []map[string]any) {
		t.Helper()
		b := map[string]any{"customer": map[string]any{"telegram_id": tg}, "type": "cart_abandoned", "event_id": id}
		if items != nil {
			b["items"] = items
		}
		if r := e.postEvent(b); r.status != 201 {
			t.Fatalf("cart %s: %d %s", id, r.status, r.raw)
		}
	}
	post("o-1", 631, []map[string]any{{"name": "Ведро", "price": 49900}, {"name": "Швабра «Люкс»", "quantity": 2}})
	post("a-1", 632, nil)
	post("b-1", 633, []map[string]any{{"name": "Mop"}})
	e.h.Clock.Advance(2 * time.Hour) // 17:00 in Moscow
	e.runNudges()
	olga.chat.Note("two hours after the carts").Sync()
	if said(olga, "Ольга, вы оставили товары в корзине: Ведро, Швабра «Люкс». Они всё ещё ждут вас в") != 1 {
		t.Errorf("Olga's reminder:\n%s", olga.chat.Transcript())
	}
	if said(anna, "Anna, you left something in your cart. It is still waiting for you at Test Coffee.") != 1 {
		t.Errorf("Anna's reminder of a cart without items:\n%s", anna.chat.Transcript())
	}
	if said(bob, "cart") != 0 {
		t.Errorf("Bob, with no consent to offers, was reminded:\n%s", bob.chat.Transcript())
	}
}
