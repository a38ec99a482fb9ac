package posapi

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadEvent: whatever body an online shop sends, the event reader
// answers a request or an API error with a code, never panics, and what
// it accepts has an id, a type, someone to name and named items.
func FuzzReadEvent(f *testing.F) {
	f.Add(`{"customer":{"phone":"+79991234567"},"type":"cart_abandoned","event_id":"e-1","items":[{"sku":"B","name":"Bucket","price":100,"quantity":2}],"occurred_at":"2026-11-22T15:00:00+03:00"}`)
	f.Add(`{"customer":{"telegram_id":-1},"type":"x","event_id":"e"}`)
	f.Add(`{"customer":{},"type":"order_placed","event_id":"e"}`)
	f.Add(`{"customer":{"card":"c_x"},"type":"t","event_id":"e","items":[{}]}`)
	f.Add(`{"customer":"1","items":[{"price":1.5}]}`)
	a := &API{}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/events", bytes.NewBufferString(body))
		req, err := a.readEvent(httptest.NewRecorder(), r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code == "" || ae.status < 400 {
				t.Fatalf("not an API error: %v", err)
			}
			return
		}
		c := req.Customer
		if req.EventID == "" || req.Type == "" || (strings.TrimSpace(c.Card) == "" && c.Phone == "" && c.TelegramID <= 0) || c.TelegramID < 0 {
			t.Fatalf("accepted %+v", req)
		}
		for _, it := range req.Items {
			if it.Name == "" {
				t.Fatalf("accepted an item without a name: %+v", req)
			}
		}
	})
}
