package posapi_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// withNudges turns on the built-in rules with no hold-out, so the test
// knows who gets what.
func withNudges(b *domain.Business) {
	b.Nudges = domain.DefaultNudges()
	for i := range b.Nudges.Rules {
		b.Nudges.Rules[i].HoldOut = 0
	}
}

// joinConsenting is join with "Yes, please" to offers: the cart reminder
// is a marketing message.
func (e *env) joinConsenting(id int64, name string) member {
	e.t.Helper()
	c := e.h.Chat(id, name, "en")
	digits := strconv.FormatInt(id, 10)
	c.Send("/start").Tap("✅ I agree").ShareContact("+7999" + strings.Repeat("0", 7-len(digits)) + digits).
		Tap(name).Tap("Yes, please")
	m := member{chat: c}
	err := e.h.DB.Update(context.Background(), func(tx domain.Tx) error {
		var err error
		if m.cust, err = tx.FindCustomerByTelegramID(context.Background(), id); err != nil {
			return err
		}
		m.card, err = tx.FindCardByCustomer(context.Background(), m.cust.ID)
		return err
	})
	if err != nil || !m.cust.Member() || !m.cust.Marketing {
		e.t.Fatalf("join %d: %v\n%s", id, err, c.Transcript())
	}
	return m
}

// runNudges runs the engine's tick as the scheduler would and waits for
// what it sent.
func (e *env) runNudges() domain.NudgeReport {
	e.t.Helper()
	rep, err := e.h.Engine.RunNudges(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	e.h.Settle()
	return rep
}

// said counts the bot's messages in a member's chat containing s.
func said(m member, s string) int {
	n := 0
	for _, msg := range m.chat.U.Messages() {
		if strings.Contains(msg.Text, s) {
			n++
		}
	}
	return n
}

// TestAbandonedCartReminder: the online shop reports abandoned carts.
// Two hours after her latest cart Anna gets one reminder naming its
// items, not a minute before and not one per cart; Bob, who placed the
// order an hour later, and Carl, who bought at the register, get nothing;
// Dave only viewed a product. The reminder counts as the rule's nudge.
func TestAbandonedCartReminder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNudges)
	anna := e.joinConsenting(601, "Anna")
	bob := e.joinConsenting(602, "Bob")
	carl := e.joinConsenting(603, "Carl")
	dave := e.joinConsenting(604, "Dave")
	cart := func(id string, cust map[string]any, names ...string) {
		t.Helper()
		b := map[string]any{"customer": cust, "type": "cart_abandoned", "event_id": id}
		var items []map[string]any
		for _, n := range names {
			items = append(items, map[string]any{"name": n, "price": 49900})
		}
		b["items"] = items
		if r := e.postEvent(b); r.status != 201 {
			t.Fatalf("%s: %d %s", id, r.status, r.raw)
		}
	}
	cart("a-1", map[string]any{"phone": phoneOf(anna)}, "Bucket")
	cart("b-1", map[string]any{"telegram_id": 602}, "Mop")
	cart("c-1", map[string]any{"card": e.code(carl)}, "Sponge")
	if r := e.postEvent(map[string]any{"customer": map[string]any{"telegram_id": 604}, "type": "product_viewed",
		"event_id": "d-1", "items": []map[string]any{{"name": "Broom"}}}); r.status != 201 {
		t.Fatalf("view: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(30 * time.Minute)
	cart("a-2", map[string]any{"telegram_id": 601}, "Bucket", "Mop")
	e.h.Clock.Advance(30 * time.Minute)
	if r := e.postEvent(map[string]any{"customer": map[string]any{"telegram_id": 602}, "type": "order_placed",
		"event_id": "b-2"}); r.status != 201 {
		t.Fatalf("order: %d %s", r.status, r.raw)
	}
	if r := e.purchase(body(e.code(carl), 10000, "R-carl")); r.status != 201 {
		t.Fatalf("Carl's purchase: %d %s", r.status, r.raw)
	}

	e.h.Clock.Advance(time.Hour) // 2 hours after the first carts
	e.runNudges()
	e.h.Clock.Advance(29 * time.Minute) // 1:59 after Anna's second cart
	e.runNudges()
	if said(anna, "cart") != 0 {
		t.Fatalf("reminded before two hours:\n%s", anna.chat.Transcript())
	}
	e.h.Clock.Advance(time.Minute)
	e.runNudges()
	anna.chat.Note("two hours after her second cart").Sync()
	if said(anna, "Anna, you left something in your cart: Bucket, Mop. It is still waiting for you at Test Coffee.") != 1 {
		t.Fatalf("no reminder of the latest cart:\n%s", anna.chat.Transcript())
	}
	for _, m := range []member{bob, carl, dave} {
		if said(m, "cart") != 0 || said(m, "still thinking") != 0 {
			t.Errorf("%s got a reminder:\n%s", m.cust.FirstName, m.chat.Transcript())
		}
	}
	e.h.Clock.Advance(3 * time.Hour)
	e.runNudges()
	if said(anna, "in your cart") != 1 {
		t.Fatalf("reminded again:\n%s", anna.chat.Transcript())
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'sent'
		AND occurrence = (SELECT id::text FROM shop_events WHERE event_id = 'a-2')`); n != 1 {
		t.Errorf("%d cart nudges recorded for Anna's second cart, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned'`); n != 1 {
		t.Errorf("%d cart nudges in all, want Anna's only", n)
	}
	anna.chat.Tap("💳 My card")
	if _, ok := anna.chat.LastPhoto(); !ok {
		t.Errorf("the reminder's button did not show the card:\n%s", anna.chat.Transcript())
	}
}
