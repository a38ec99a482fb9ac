package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzShopEventValidate: a shop event either passes the checks, and then
// holds the rules (a known type, a well-formed phone, names that fit a
// message, no negative price), or is refused with the field named; its
// hash never panics and does not depend on how the phone was spelt.
func FuzzShopEventValidate(f *testing.F) {
	f.Add("e-1", "cart_abandoned", "+7 999 123-45-67", int64(0), "Bucket", int64(100), int64(1))
	f.Add("", "order_placed", "", int64(5), "", int64(-1), int64(0))
	f.Add("e\n", "nope", "call me", int64(-3), strings.Repeat("x", 300), int64(1<<62), int64(1<<40))
	f.Fuzz(func(t *testing.T, id, typ, phone string, tg int64, name string, price, qty int64) {
		r := ShopEventRequest{EventID: id, Type: ShopEventType(typ), Customer: CustomerRef{Phone: phone, TelegramID: tg},
			Items: []ShopItem{{Name: name, Price: price, Quantity: qty}}}
		err := r.validate(100_000_000, ParsePhone, "")
		_ = r.hash(ParsePhone)
		if err != nil {
			se, ok := err.(*ShopEventError)
			if !ok || se.Field == "" || se.Problem == "" {
				t.Fatalf("refused without naming the field: %v", err)
			}
			return
		}
		if _, perr := ParsePhone(phone); phone != "" && perr != nil {
			t.Fatalf("accepted phone %q", phone)
		}
		if tg < 0 || price < 0 || qty < 1 || name == "" || utf8.RuneCountInString(name) > shopItemNameLen ||
			(r.Type != ShopCartAbandoned && r.Type != ShopProductViewed && r.Type != ShopOrderPlaced) {
			t.Fatalf("accepted %+v", r)
		}
		if p, _ := ParsePhone(phone); p != "" && phone != p {
			r2 := r
			r2.Customer.Phone = p
			if r2.hash(ParsePhone) != r.hash(ParsePhone) {
				t.Fatalf("the hash depends on the phone's spelling: %q", phone)
			}
		}
	})
}
