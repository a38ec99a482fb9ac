package domain

import (
	"testing"
)

// FuzzReturnsAddUp: whatever a receipt earned and was paid with, and
// however it is returned in steps, each step takes back no more than is
// left, the steps of a whole return take back exactly what it earned and
// give back exactly what paid it, the paid points given back come from
// the lots that paid it and no lot gets back more than it gave, and the
// money refunded is never negative nor more than the step's amount.
func FuzzReturnsAddUp(f *testing.F) {
	f.Add(int64(100_000), int64(27), int64(100), int64(30_000), int64(3), int64(40), int64(60))
	f.Add(int64(1), int64(0), int64(0), int64(1), int64(1), int64(1), int64(1))
	f.Add(int64(99_999), int64(2_999), int64(29_999), int64(33_333), int64(7), int64(13), int64(80))
	f.Add(int64(50_000_000), int64(1_500_000), int64(15_000_000), int64(1), int64(2), int64(3), int64(95))
	f.Fuzz(func(t *testing.T, receipt, earned, paid, step, lot1, lot2, lot3 int64) {
		if receipt <= 0 || receipt > 50_000_000 || earned < 0 || paid < 0 || step <= 0 {
			return
		}
		earned, paid = earned%(receipt+1), paid%(receipt/100+1) // at most the receipt's worth at 100 a point
		step = max(step, receipt/1000)                          // at most a thousand steps
		p := &Program{PointValue: 100}
		// The lots that paid it: three uses summing to paid.
		weights := []int64{weight(lot1), weight(lot2), weight(lot3)}
		var uses []LotUse
		left := paid
		for i, w := range weights {
			n := paid * w / (weights[0] + weights[1] + weights[2])
			if i == len(weights)-1 {
				n = left
			}
			if n > 0 {
				uses = append(uses, LotUse{LotID: int64(i + 1), Points: n})
			}
			left -= n
		}
		pur := &Purchase{Amount: receipt, Earned: earned, Redeemed: paid}
		restored := map[int64]int64{}
		var taken, given int64
		for pur.Amount > 0 {
			amount := min(step, pur.Amount)
			r := PreviewReturn(p, pur, amount, 1<<40, ReturnPromotions{})
			if r.Taken < 0 || r.Given < 0 || r.Taken > pur.Earned || r.Given > pur.Redeemed {
				t.Fatalf("a step of %d takes %d of %d left and gives %d of %d left", amount, r.Taken, pur.Earned, r.Given, pur.Redeemed)
			}
			if r.Refund < 0 || r.Refund > amount || r.Short != 0 {
				t.Fatalf("a step of %d refunds %d (short %d)", amount, r.Refund, r.Short)
			}
			for _, u := range lotSlice(uses, pur.ReturnedRedeemed, pur.ReturnedRedeemed+r.Given) {
				restored[u.LotID] += u.Points
			}
			taken, given = taken+r.Taken, given+r.Given
			pur.Amount -= amount
			pur.ReturnedAmount += amount
			pur.Earned -= r.Taken
			pur.ReturnedEarned += r.Taken
			pur.Redeemed -= r.Given
			pur.ReturnedRedeemed += r.Given
		}
		if taken != earned || given != paid {
			t.Fatalf("returned whole in steps of %d: %d of %d earned taken, %d of %d paid given", step, taken, earned, given, paid)
		}
		for _, u := range uses {
			if restored[u.LotID] != u.Points {
				t.Fatalf("lot %d paid %d and got back %d", u.LotID, u.Points, restored[u.LotID])
			}
		}
	})
}

// weight is 1–100 from any number.
func weight(n int64) int64 { return int64(uint64(n)%100) + 1 }

// TestPreviewReturnShort: points spent since are kept from the refund at
// the point value, and the refund never goes below 0.
func TestPreviewReturnShort(t *testing.T) {
	p := &Program{PointValue: 100}
	pur := &Purchase{Amount: 100_000, Earned: 30}
	if r := PreviewReturn(p, pur, 100_000, 11, ReturnPromotions{}); r.Taken != 30 || r.Short != 19 || r.Refund != 100_000-1_900 {
		t.Fatalf("%+v", r)
	}
	if r := PreviewReturn(p, &Purchase{Amount: 1_000, Earned: 30}, 1_000, 0, ReturnPromotions{}); r.Short != 30 || r.Refund != 0 {
		t.Fatalf("a refund under the points short: %+v", r)
	}
}
