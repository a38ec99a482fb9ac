package domain

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
)

func TestRulesMulDiv(t *testing.T) {
	if q, ok := mulDiv(math.MaxInt64, 10_000, 10_000, RoundUp); !ok || q != math.MaxInt64 {
		t.Errorf("mulDiv(max, 1e4, 1e4) = %d, %v", q, ok)
	}
	if _, ok := mulDiv(math.MaxInt64, 2, 1, RoundDown); ok {
		t.Error("mulDiv overflow not reported")
	}
	if _, ok := mulDiv(1, 1, 0, RoundDown); ok {
		t.Error("mulDiv by zero not refused")
	}
}

// bigRound is the reference a·b/d with rounding r, in math/big.
func bigRound(a, b, d int64, r Rounding) *big.Int {
	q, rem := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(d), new(big.Int))
	twice := new(big.Int).Lsh(rem, 1)
	if r == RoundUp && rem.Sign() > 0 || r == RoundHalfUp && twice.Cmp(big.NewInt(d)) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

func FuzzQuote(f *testing.F) {
	f.Add(int64(123450), int64(0), int64(0), int64(0), int64(500), uint8(1), int64(100), uint8(30), int64(0), uint8(0))
	f.Add(int64(100_000), int64(300), int64(1000), int64(10_000_000), int64(300), uint8(2), int64(100), uint8(30), int64(5), uint8(1))
	f.Add(int64(1e12), int64(1e10), int64(math.MaxInt64), int64(-1), int64(10_000), uint8(0), int64(1), uint8(100), int64(0), uint8(7))
	f.Add(int64(123450), int64(0), int64(-78), int64(0), int64(500), uint8(1), int64(100), uint8(30), int64(0), uint8(4))
	f.Add(int64(-1), int64(-1), int64(-1), int64(math.MinInt64), int64(-5), uint8(3), int64(0), uint8(255), int64(-1), uint8(0))
	f.Fuzz(func(t *testing.T, amount, redeem, balance, spend, bp int64, mode uint8, pv int64, capPct uint8,
		minReceipt int64, flags uint8) {
		p := Program{
			Tiers:             []Tier{{Name: "Base", EarnBP: bp}, {Name: "Gold", MinSpend: 1_000_000, EarnBP: 700}},
			Rounding:          []Rounding{RoundDown, RoundHalfUp, RoundUp, "bogus"}[mode%4],
			MinReceiptForEarn: minReceipt,
			PointValue:        pv,
			RedeemCapPercent:  int(capPct),
			MaxReceipt:        1e12,
		}
		if flags&1 == 0 { // mostly valid programs, to reach the arithmetic
			p.Tiers[0].EarnBP = abs64(bp) % 10_001
			if p.Rounding == "bogus" {
				p.Rounding = RoundDown
			}
			p.PointValue = 1 + abs64(pv)%1_000_000
			p.RedeemCapPercent = int(capPct) % 101
			p.MinReceiptForEarn = abs64(minReceipt) % 1_000_000
		}
		if flags&2 == 0 {
			amount %= p.MaxReceipt + 1
		}
		if flags&4 == 0 {
			mr := p.MaxRedeemable(amount, balance)
			redeem = redeem%(mr+3) - 1
		}
		q, err := p.Quote(amount, redeem, balance, spend, nil)
		if p.Validate() != nil {
			if err == nil {
				t.Fatalf("Quote on invalid program %+v succeeded", p)
			}
			return
		}
		if err != nil {
			switch {
			case errors.Is(err, ErrInsufficientPoints):
				if redeem <= balance {
					t.Fatalf("ErrInsufficientPoints with redeem %d <= balance %d", redeem, balance)
				}
			case errors.Is(err, ErrInvalid):
				if amount > 0 && amount <= p.MaxReceipt && redeem >= 0 && redeem <= p.MaxRedeemable(amount, balance) {
					t.Fatalf("Quote(%d, %d, %d) refused a valid purchase: %v", amount, redeem, balance, err)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if q.Earn < 0 || q.Redeem != redeem || q.Redeem < 0 || q.Redeem > q.MaxRedeem || q.MaxRedeem > max(balance, 0) ||
			q.Paid != q.Amount-q.Redeem*p.PointValue || q.Paid < 0 || q.Amount != amount {
			t.Fatalf("Quote(%d, %d, %d, %d) broke an invariant: %+v (program %+v)", amount, redeem, balance, spend, q, p)
		}
		capRef := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(p.RedeemCapPercent))),
			big.NewInt(100*p.PointValue))
		if capRef.Cmp(big.NewInt(max(balance, 0))) > 0 {
			capRef.SetInt64(max(balance, 0))
		}
		if capRef.Int64() != q.MaxRedeem {
			t.Fatalf("MaxRedeem = %d, want %s", q.MaxRedeem, capRef)
		}
		want := bigRound(q.Paid, q.Tier.EarnBP, 10_000*p.PointValue, p.Rounding)
		if q.Paid < p.MinReceiptForEarn {
			want.SetInt64(0)
		}
		if want.Int64() != q.Earn {
			t.Fatalf("Earn = %d, want %s (%+v)", q.Earn, want, q)
		}
	})
}

func abs64(v int64) int64 {
	if v < 0 {
		return -(v + 1)
	}
	return v
}

func FuzzAllocateRedeem(f *testing.F) {
	f.Add([]byte{0, 5, 0, 1, 1, 10, 3, 2, 0, 7, 9, 3}, int64(12), uint8(2))
	f.Add([]byte{1, 255, 1, 0, 0, 0, 0, 0}, int64(300), uint8(1))
	f.Add([]byte{}, int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, points int64, nowDay uint8) {
		var lots []Lot
		for i := 0; i+4 <= len(data) && len(lots) < 64; i += 4 {
			l := Lot{ID: int64(len(lots)), Kind: LotRegular, Remaining: int64(int8(data[i+1])), CreatedAt: day(int(data[i+3]))}
			if data[i]&1 == 1 {
				l.Kind = LotPromo
			}
			if data[i+2] != 0 {
				l.ExpiresAt = day(int(data[i+2]))
			}
			lots = append(lots, l)
		}
		now := day(int(nowDay))
		before := slicesClone(lots)
		uses, err := AllocateRedeem(lots, points, now)
		if !reflect.DeepEqual(lots, before) {
			t.Fatal("input modified")
		}
		usable := int64(0)
		for _, l := range lots {
			if l.Remaining > 0 && (l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt)) {
				usable += l.Remaining
			}
		}
		if err != nil {
			if points > 0 && (points <= usable || !errors.Is(err, ErrInsufficientPoints)) ||
				points < 0 && !errors.Is(err, ErrInvalid) || points == 0 {
				t.Fatalf("AllocateRedeem(%d) with %d usable: %v", points, usable, err)
			}
			return
		}
		sum, seen := int64(0), map[int64]bool{}
		for i, u := range uses {
			l := lots[u.LotID]
			if seen[u.LotID] || u.Points <= 0 || u.Points > l.Remaining || l.Remaining <= 0 ||
				!l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt) {
				t.Fatalf("bad use %+v of lot %+v at %v", u, l, now)
			}
			if i < len(uses)-1 && u.Points != l.Remaining {
				t.Fatalf("lot %d partly used before the last use: %v", u.LotID, uses)
			}
			if i > 0 && spendOrder(lots[uses[i-1].LotID], l) >= 0 {
				t.Fatalf("uses out of order: %v", uses)
			}
			seen[u.LotID] = true
			sum += u.Points
		}
		if sum != points {
			t.Fatalf("uses %v sum to %d, want %d", uses, sum, points)
		}
	})
}

func slicesClone(lots []Lot) []Lot { return append([]Lot(nil), lots...) }

func FuzzParsePercentBP(f *testing.F) {
	for _, seed := range []string{"3", "2.5", "2,5", "0.75", "7 %", "100", "100.01", "-1", "", "1.234", "abc"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		bp, err := ParsePercentBP(in)
		if err != nil {
			if bp != 0 {
				t.Fatalf("ParsePercentBP(%q) = %d with error %v", in, bp, err)
			}
			return
		}
		if bp < 0 || bp > 10_000 {
			t.Fatalf("ParsePercentBP(%q) = %d, out of 0..10000", in, bp)
		}
		if again, err := ParsePercentBP(formatBP(bp)); err != nil || again != bp {
			t.Fatalf("round trip of %q via %q = %d, %v", in, formatBP(bp), again, err)
		}
	})
}
