package posapi

import (
	"encoding/json"
	"testing"
)

// FuzzPurchaseAnswerJSON: the purchase answer's own JSON is encoding/json's,
// byte for byte, whatever its strings hold (quotes, control characters,
// HTML, U+2028, invalid UTF-8) and whatever its numbers; a field added to
// the answer and not to appendJSON fails the seeds.
func FuzzPurchaseAnswerJSON(f *testing.F) {
	f.Add("p_x1", "R-1", int64(123450), "RUB", int64(37), int64(0), int64(137), "Silver", "Анна", "2026-12-05T10:00:00Z", false, "", int64(0), -1)
	f.Add(`"\`, "<a href='x'>&</a>", int64(-1), "\u2028\u2029\b\f", int64(1<<62), int64(-1<<63), int64(0), "\x00\x1f\x7f", "\xff\xfe bad", "\t\r\n", true, "happy_hour\u2028", int64(-5), 3)
	f.Add("", "", int64(0), "", int64(0), int64(0), int64(0), "", "😀 é", "", false, "double", int64(45000), 0)
	f.Fuzz(func(t *testing.T, id, receipt string, amount int64, currency string, earned, redeemed, balance int64,
		tier, name, created string, cancelled bool, promotion string, returned int64, stamps int) {
		a := purchaseAnswer{PurchaseID: id, ReceiptID: receipt, Amount: amount, Currency: currency,
			PointsEarned: earned, PointsRedeemed: redeemed, Balance: balance, Tier: tier,
			Customer: customerAnswer{FirstName: name}, CreatedAt: created, Cancelled: cancelled,
			Promotion: promotion, ReturnedAmount: returned}
		if stamps >= 0 { // -1: absent
			a.Stamps = &stamps
		}
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("appendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
