package posapi_test

import (
	"testing"
	"time"
)

// TestHeldCartReminderTakenBackWhenSheOrders: Anna leaves a cart at
// 19:30 (Moscow); its reminder falls due at 21:30, inside the quiet
// hours, and waits for 10:00. At 22:30 she places the order online. At
// 10:00 she must not be told she left something in her cart: the order
// came since, as it spares her the reminder when it comes before the
// reminder is due. The reminder is recorded as done, not sent.
func TestHeldCartReminderTakenBackWhenSheOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withNudges)
	anna := e.joinConsenting(611, "Anna")
	e.h.Clock.Advance(4*time.Hour + 30*time.Minute) // 19:30 in Moscow
	if r := e.postEvent(map[string]any{"customer": map[string]any{"telegram_id": 611}, "type": "cart_abandoned",
		"event_id": "a-1", "items": []map[string]any{{"name": "Bucket", "price": 49900}}}); r.status != 201 {
		t.Fatalf("cart: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(2 * time.Hour) // 21:30: due, held for 10:00
	e.runNudges()
	if said(anna, "in your cart") != 0 {
		t.Fatalf("the reminder went inside the quiet hours:\n%s", anna.chat.Transcript())
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'sent'`); n != 1 {
		t.Fatalf("%d cart reminders queued, want 1 waiting for the morning", n)
	}
	e.h.Clock.Advance(time.Hour) // 22:30
	if r := e.postEvent(map[string]any{"customer": map[string]any{"telegram_id": 611}, "type": "order_placed",
		"event_id": "a-2"}); r.status != 201 {
		t.Fatalf("order: %d %s", r.status, r.raw)
	}
	e.h.Clock.Advance(12 * time.Hour) // 10:30 the next day
	e.runNudges()
	anna.chat.Note("the morning after her order").Sync()
	if said(anna, "in your cart") != 0 {
		t.Fatalf("reminded of the cart she had ordered overnight:\n%s", anna.chat.Transcript())
	}
	if n := e.count(`SELECT count(*) FROM nudges WHERE rule = 'cart_abandoned' AND outcome = 'skipped' AND reason = 'done'`); n != 1 {
		t.Errorf("the withdrawn reminder is not recorded as done (%d)", n)
	}
}
