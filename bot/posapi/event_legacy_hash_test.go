package posapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestEventRecordedBeforeTheRegionRepeats: an event recorded before
// phone_region, naming the customer by "999 000-05-01" (then read as
// +9990000501, now as +79990000501), is repeated by the shop after the
// upgrade: the repeat is the same event, 200, not event_conflict.
func TestEventRecordedBeforeTheRegionRepeats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.join(501, "Anna")
	body := event("evt-old", map[string]any{"phone": "999 000-05-01"})
	if r := e.postEvent(body); r.status != 201 {
		t.Fatalf("first: %d %s", r.status, r.raw)
	}
	// The fingerprint the previous version stored (ShopEventRequest.hash
	// with domain.ParsePhone's reading of "999 000-05-01").
	enc, _ := json.Marshal(struct {
		Type       domain.ShopEventType
		Card       string
		Phone      string
		TelegramID int64
		Items      []domain.ShopItem
		At         string
	}{"cart_abandoned", "", "+9990000501", 0,
		[]domain.ShopItem{{SKU: "B-10", Name: "Bucket", Category: "household", Price: 49900, Quantity: 1}}, ""})
	sum := sha256.Sum256(append([]byte("shop_event.v1\n"), enc...))
	if _, err := e.h.DB.Pool().Exec(t.Context(), `UPDATE shop_events SET request_hash = $1 WHERE event_id = 'evt-old' AND customer_id = $2`,
		hex.EncodeToString(sum[:]), anna.cust.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.postEvent(body); r.status != 200 {
		t.Fatalf("the repeat of an event recorded before the upgrade: %d %s, want 200", r.status, r.raw)
	}
}
