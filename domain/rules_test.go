package domain

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// tieredProgram is the default program with 3/5/7 % tiers at 0, 100 000 ₽
// and 500 000 ₽ of yearly spend.
func tieredProgram(r Rounding) Program {
	p := DefaultProgram()
	p.Tiers = []Tier{
		{Name: "Base", MinSpend: 0, EarnBP: 300},
		{Name: "Silver", MinSpend: 10_000_000, EarnBP: 500},
		{Name: "Gold", MinSpend: 50_000_000, EarnBP: 700},
	}
	p.Rounding = r
	return p
}

func TestRulesDefaultProgramIsValid(t *testing.T) {
	p := DefaultProgram()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(p.Tiers) != 1 || !reflect.DeepEqual(p.Tiers[0], Tier{Name: "Base", EarnBP: 300,
		Names: map[string]string{"en": "Base", "ru": "Базовый", "uz": "Boshlangʻich"}}) || p.PointValue != 100 ||
		p.RedeemCapPercent != 30 || p.MaxReceipt != 100_000_000 || p.Rounding != RoundDown {
		t.Fatalf("DefaultProgram() = %+v", p)
	}
}

func TestEarnRounding(t *testing.T) {
	tests := []struct {
		paid, spend      int64
		down, halfUp, up int64
	}{
		{123450, 10_000_000, 61, 62, 62}, // 5 %: 61.725
		{123450, 0, 37, 37, 38},          // 3 %: 37.035
		{123450, 50_000_000, 86, 86, 87}, // 7 %: 86.415
		{100, 0, 0, 0, 1},                // 3 %: 0.03
		{1000, 10_000_000, 0, 1, 1},      // 5 %: exactly 0.5
		{3000, 10_000_000, 1, 2, 2},      // 5 %: exactly 1.5
		{10_000, 0, 3, 3, 3},             // 3 %: exactly 3
		{1, 50_000_000, 0, 0, 1},         // 7 %: 0.0007
		{100_000_000, 50_000_000, 70_000, 70_000, 70_000},
	}
	for _, tt := range tests {
		for r, want := range map[Rounding]int64{RoundDown: tt.down, RoundHalfUp: tt.halfUp, RoundUp: tt.up} {
			p := tieredProgram(r)
			q, err := p.Quote(tt.paid, 0, 0, tt.spend, nil)
			if err != nil {
				t.Fatalf("Quote(%d, spend %d, %s): %v", tt.paid, tt.spend, r, err)
			}
			if q.Earn != want || q.Paid != tt.paid {
				t.Errorf("Quote(%d, spend %d, %s) earn = %d paid = %d, want %d", tt.paid, tt.spend, r, q.Earn, q.Paid, want)
			}
		}
	}
}

func TestEarnMinReceipt(t *testing.T) {
	p := DefaultProgram()
	p.MinReceiptForEarn = 10_000 // 100 ₽
	tests := []struct {
		amount, redeem, balance, earn int64
	}{
		{9_999, 0, 0, 0},
		{10_000, 0, 0, 3},
		{12_000, 30, 100, 0}, // paid 9 000 after points: below the minimum
		{14_000, 40, 100, 3}, // paid 10 000
	}
	for _, tt := range tests {
		q, err := p.Quote(tt.amount, tt.redeem, tt.balance, 0, nil)
		if err != nil || q.Earn != tt.earn {
			t.Errorf("Quote(%d, %d) = %+v, %v; want earn %d", tt.amount, tt.redeem, q, err, tt.earn)
		}
	}
}

func TestTierFor(t *testing.T) {
	p := tieredProgram(RoundDown)
	tests := []struct {
		spend     int64
		cur, next string
		toNext    int64
		hasNext   bool
	}{
		{0, "Base", "Silver", 10_000_000, true},
		{-5, "Base", "Silver", 10_000_000, true},
		{9_999_999, "Base", "Silver", 1, true},
		{10_000_000, "Silver", "Gold", 40_000_000, true},
		{49_999_999, "Silver", "Gold", 1, true},
		{50_000_000, "Gold", "", 0, false},
		{math.MaxInt64, "Gold", "", 0, false},
	}
	for _, tt := range tests {
		cur, next, toNext, hasNext := p.TierFor(tt.spend)
		if cur.Name != tt.cur || next.Name != tt.next || toNext != tt.toNext || hasNext != tt.hasNext {
			t.Errorf("TierFor(%d) = %s, %s, %d, %v; want %s, %s, %d, %v", tt.spend,
				cur.Name, next.Name, toNext, hasNext, tt.cur, tt.next, tt.toNext, tt.hasNext)
		}
	}
	q, err := p.Quote(100_000, 0, 0, 10_000_000, nil)
	if err != nil || q.Tier.Name != "Silver" || q.Earn != 50 {
		t.Errorf("Quote at the Silver boundary = %+v, %v", q, err)
	}
	var empty Program
	if cur, _, _, hasNext := empty.TierFor(100); !reflect.DeepEqual(cur, Tier{}) || hasNext {
		t.Errorf("TierFor without tiers = %+v, %v", cur, hasNext)
	}
}

func TestMaxRedeemable(t *testing.T) {
	tests := []struct {
		name                  string
		capPct                int
		pointValue            int64
		amount, balance, want int64
	}{
		{"1000 ₽ at 30 %", 30, 100, 100_000, 1_000, 300},
		{"odd amount floors", 30, 100, 100_099, 1_000, 300},   // 300.297
		{"odd amount floors 2", 30, 100, 123_456, 1_000, 370}, // 370.368
		{"under one point", 30, 100, 333, 1_000, 0},           // 0.999
		{"balance smaller than cap", 30, 100, 100_000, 120, 120},
		{"zero balance", 30, 100, 100_000, 0, 0},
		{"negative balance", 30, 100, 100_000, -5, 0},
		{"zero amount", 30, 100, 0, 1_000, 0},
		{"negative amount", 30, 100, -100, 1_000, 0},
		{"cap 0", 0, 100, 100_000, 1_000, 0},
		{"cap 100", 100, 100, 12_345, 1_000, 123},
		{"point of 1 kopeck", 30, 1, 1_001, 1_000, 300},
		{"huge amount", 100, 1, math.MaxInt64, math.MaxInt64, math.MaxInt64},
	}
	for _, tt := range tests {
		p := DefaultProgram()
		p.RedeemCapPercent, p.PointValue = tt.capPct, tt.pointValue
		if got := p.MaxRedeemable(tt.amount, tt.balance); got != tt.want {
			t.Errorf("%s: MaxRedeemable(%d, %d) = %d, want %d", tt.name, tt.amount, tt.balance, got, tt.want)
		}
	}
}

func TestRedeemQuote(t *testing.T) {
	p := DefaultProgram()
	q, err := p.Quote(100_000, 300, 500, 0, nil)
	want := Quote{Amount: 100_000, Redeem: 300, Paid: 70_000, Earn: 21, Tier: p.Tiers[0], MaxRedeem: 300}
	if err != nil || !reflect.DeepEqual(q, want) {
		t.Fatalf("Quote = %+v, %v; want %+v", q, err, want)
	}
	if q, err := p.Quote(p.MaxReceipt, 0, 0, 0, nil); err != nil || q.Earn != 30_000 {
		t.Fatalf("Quote(MaxReceipt) = %+v, %v", q, err)
	}
}

func TestRedeemQuoteErrors(t *testing.T) {
	p := DefaultProgram()
	tests := []struct {
		name                    string
		amount, redeem, balance int64
		reason                  string // "" means ErrInsufficientPoints
	}{
		{"zero amount", 0, 0, 0, "error.amount.zero"},
		{"negative amount", -100, 0, 0, "error.amount.zero"},
		{"above max receipt", p.MaxReceipt + 1, 0, 0, "error.amount.too_large"},
		{"max int64", math.MaxInt64, 0, 0, "error.amount.too_large"},
		{"negative redeem", 100_000, -1, 1_000, "error.points.invalid"},
		{"over cap", 100_000, 301, 1_000, "error.points.over_cap"},
		{"over cap, under balance", 1_000, 4, 4, "error.points.over_cap"},
		{"over balance and cap", 100_000, 301, 200, ""},
		{"over balance under cap", 100_000, 250, 200, ""},
		{"no balance", 100_000, 1, 0, ""},
	}
	for _, tt := range tests {
		_, err := p.Quote(tt.amount, tt.redeem, tt.balance, 0, nil)
		if tt.reason == "" {
			if !errors.Is(err, ErrInsufficientPoints) || errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInsufficientPoints", tt.name, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Reason != tt.reason || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want reason %s", tt.name, err, tt.reason)
		}
	}
	bad := DefaultProgram()
	bad.PointValue = 0
	_, err := bad.Quote(100_000, 0, 0, 0, nil)
	var fe *FieldError
	if !errors.As(err, &fe) || errors.Is(err, ErrInvalid) {
		t.Errorf("Quote on an invalid program: err = %v, want an internal *FieldError", err)
	}
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		field  string // "" means valid
		change func(p *Program)
	}{
		{"", func(p *Program) {}},
		{"", func(p *Program) { *p = tieredProgram(RoundHalfUp) }},
		{"", func(p *Program) {
			p.Tiers[0].EarnBP, p.RedeemCapPercent, p.MaxReceipt, p.PointValue = 10_000, 100, 1e12, 1e12
			p.RegularExpiryDays, p.MaxPurchasesPerCardPerDay, p.MaxPurchasesPerCashierPerHour = 0, 0, 0
		}},
		{"program.tiers", func(p *Program) { p.Tiers = nil }},
		{"program.tiers[0].min_spend", func(p *Program) { p.Tiers[0].MinSpend = 5 }},
		{"program.tiers[1].min_spend", func(p *Program) { p.Tiers[1].MinSpend = 0 }},
		{"program.tiers[2].min_spend", func(p *Program) { p.Tiers[2].MinSpend = p.Tiers[1].MinSpend - 1 }},
		{"program.tiers[0].earn_percent", func(p *Program) { p.Tiers[0].EarnBP = 10_001 }},
		{"program.tiers[2].earn_percent", func(p *Program) { p.Tiers[2].EarnBP = -1 }},
		{"program.tiers[1].name", func(p *Program) { p.Tiers[1].Name = "  " }},
		{"program.tiers[2].name", func(p *Program) { p.Tiers[2].Name = "silver" }},
		{"program.tiers[2].name", func(p *Program) { p.Tiers[2].Name = " SILVER " }},
		{"program.rounding", func(p *Program) { p.Rounding = "" }},
		{"program.rounding", func(p *Program) { p.Rounding = "nearest" }},
		{"program.min_receipt_for_earn", func(p *Program) { p.MinReceiptForEarn = -1 }},
		{"program.point_value", func(p *Program) { p.PointValue = 0 }},
		{"program.point_value", func(p *Program) { p.PointValue = 1e12 + 1 }},
		{"program.redeem_cap_percent", func(p *Program) { p.RedeemCapPercent = -1 }},
		{"program.redeem_cap_percent", func(p *Program) { p.RedeemCapPercent = 101 }},
		{"program.regular_expiry_days", func(p *Program) { p.RegularExpiryDays = -1 }},
		{"program.regular_expiry_days", func(p *Program) { p.RegularExpiryDays = 36_501 }},
		{"program.max_receipt", func(p *Program) { p.MaxReceipt = 0 }},
		{"program.max_receipt", func(p *Program) { p.MaxReceipt = 1e12 + 1 }},
		{"program.max_purchases_per_card_per_day", func(p *Program) { p.MaxPurchasesPerCardPerDay = -1 }},
		{"program.max_purchases_per_cashier_per_hour", func(p *Program) { p.MaxPurchasesPerCashierPerHour = -1 }},
		{"program.cashier_cancel_minutes", func(p *Program) { p.CashierCancelMinutes = -1 }},
		{"program.cashier_cancel_minutes", func(p *Program) { p.CashierCancelMinutes = 61 }},
	}
	for _, tt := range tests {
		p := tieredProgram(RoundDown)
		tt.change(&p)
		err := p.Validate()
		var fe *FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("valid program: %v", err)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("Validate() = %v, want field %s", err, tt.field)
		}
	}
	p := tieredProgram(RoundDown)
	// Every quote checks its program: a valid one costs no allocation.
	if n := testing.AllocsPerRun(100, func() { p.Validate() }); n != 0 {
		t.Errorf("Validate of a valid program: %.0f allocations, want 0", n)
	}
	p.Tiers[1].MinSpend = 0
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "ascending and start at 0") {
		t.Errorf("Validate() = %v, want the ascending rule explained", err)
	}
	p = tieredProgram(RoundDown)
	p.Tiers[0].EarnBP = 10_050
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "100.5 %") {
		t.Errorf("Validate() = %v, want the typed percent shown", err)
	}
}

func TestRulesParsePercentBP(t *testing.T) {
	valid := map[string]int64{
		"3": 300, "2.5": 250, "2,5": 250, "0.75": 75, "7 %": 700, "7%": 700, " 100 ": 10_000,
		"100.00": 10_000, "0": 0, "0.0": 0, "0.01": 1, "05": 500, "12.3": 1_230, "99.99": 9_999,
		"7\u00a0%": 700,
	}
	for in, want := range valid {
		if got, err := ParsePercentBP(in); err != nil || got != want {
			t.Errorf("ParsePercentBP(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	invalid := map[string]string{
		"": "empty", " ": "empty", "%": "empty", "-1": "negative", "−1": "negative",
		"abc": "not a percent", "1e2": "not a percent", ".5": "not a percent", "5.": "not a percent",
		"1.2.3": "not a percent", "+5": "not a percent", "5 %%": "not a percent", "1,5.0": "not a percent",
		"1.234": "more than 2 decimals", "100.01": "above 100", "101": "above 100",
		"99999999999999999999999": "above 100", strings.Repeat("1", 40): "too long",
	}
	for in, problem := range invalid {
		got, err := ParsePercentBP(in)
		if err == nil || got != 0 || !strings.Contains(err.Error(), problem) {
			t.Errorf("ParsePercentBP(%q) = %d, %v; want an error saying %q", in, got, err, problem)
		}
	}
}

var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// testLots are the lots of one card; usable ones spend in the order
// P2, P1, P4, R2, R4, R1.
func testLots() []Lot {
	return []Lot{
		{ID: 1, Kind: LotRegular, Remaining: 50, CreatedAt: day(-100)},                    // R1
		{ID: 2, Kind: LotRegular, Remaining: 20, ExpiresAt: day(10), CreatedAt: day(-50)}, // R2
		{ID: 3, Kind: LotPromo, Remaining: 10, ExpiresAt: day(30), CreatedAt: day(-1)},    // P1
		{ID: 4, Kind: LotPromo, Remaining: 5, ExpiresAt: day(5), CreatedAt: day(-2)},      // P2
		{ID: 5, Kind: LotPromo, Remaining: 100, ExpiresAt: t0, CreatedAt: day(-3)},        // P3: expires now
		{ID: 6, Kind: LotPromo, Remaining: 7, CreatedAt: day(-4)},                         // P4: no expiry
		{ID: 7, Kind: LotRegular, Remaining: 0, CreatedAt: day(-200)},                     // R3: empty
		{ID: 0, Kind: LotRegular, Remaining: 9, CreatedAt: day(-100)},                     // R4: ties R1, lower ID
		{ID: 8, Kind: LotPromo, Remaining: 40, ExpiresAt: day(-1), CreatedAt: day(-9)},    // P5: expired
	}
}

func TestAllocateRedeem(t *testing.T) {
	tests := []struct {
		points int64
		want   []LotUse
	}{
		{0, nil},
		{3, []LotUse{{4, 3}}},
		{5, []LotUse{{4, 5}}},
		{22, []LotUse{{4, 5}, {3, 10}, {6, 7}}},
		{30, []LotUse{{4, 5}, {3, 10}, {6, 7}, {2, 8}}},
		{100, []LotUse{{4, 5}, {3, 10}, {6, 7}, {2, 20}, {0, 9}, {1, 49}}},
		{101, []LotUse{{4, 5}, {3, 10}, {6, 7}, {2, 20}, {0, 9}, {1, 50}}},
	}
	for _, tt := range tests {
		lots := testLots()
		got, err := AllocateRedeem(lots, tt.points, t0)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AllocateRedeem(%d) = %v, %v; want %v", tt.points, got, err, tt.want)
		}
		if !reflect.DeepEqual(lots, testLots()) {
			t.Errorf("AllocateRedeem(%d) modified its input", tt.points)
		}
		// The order of the input does not matter.
		rev := testLots()
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if again, _ := AllocateRedeem(rev, tt.points, t0); !reflect.DeepEqual(again, got) {
			t.Errorf("AllocateRedeem(%d) on reversed lots = %v, want %v", tt.points, again, got)
		}
	}
	if _, err := AllocateRedeem(testLots(), 102, t0); !errors.Is(err, ErrInsufficientPoints) {
		t.Errorf("AllocateRedeem(102) err = %v, want ErrInsufficientPoints", err)
	}
	if _, err := AllocateRedeem(nil, 1, t0); !errors.Is(err, ErrInsufficientPoints) {
		t.Errorf("AllocateRedeem(no lots) err = %v, want ErrInsufficientPoints", err)
	}
	if _, err := AllocateRedeem(testLots(), -1, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("AllocateRedeem(-1) err = %v, want ErrInvalid", err)
	}
	// A second earlier, lot 5 is still usable and, expiring first, goes first.
	got, err := AllocateRedeem(testLots(), 3, t0.Add(-time.Second))
	if err != nil || !reflect.DeepEqual(got, []LotUse{{5, 3}}) {
		t.Errorf("AllocateRedeem before lot 5 expires = %v, %v", got, err)
	}
}

func TestExpireLots(t *testing.T) {
	p := DefaultProgram() // regular points expire after 365 idle days
	never := DefaultProgram()
	never.RegularExpiryDays = 0
	ownExpiry := []LotUse{{5, 100}, {8, 40}}
	tests := []struct {
		name         string
		p            Program
		lastActivity time.Time
		now          time.Time
		want         []LotUse
	}{
		{"own expiry only", p, day(-10), t0, ownExpiry},
		{"nothing due", p, day(-10), day(-5), nil},
		{"one promo due", p, day(-10), day(-1), []LotUse{{8, 40}}},
		{"one idle day short", p, day(-364), t0, ownExpiry},
		{"idle a year", p, day(-365), t0, []LotUse{{1, 50}, {2, 20}, {5, 100}, {0, 9}, {8, 40}}},
		{"idle, no regular expiry", never, day(-1000), t0, ownExpiry},
		{"unknown last activity", p, time.Time{}, t0, ownExpiry},
		{"regular lot's own expiry", p, day(-10), day(10), []LotUse{{2, 20}, {4, 5}, {5, 100}, {8, 40}}},
	}
	for _, tt := range tests {
		got := tt.p.ExpiredLots(testLots(), tt.lastActivity, tt.now)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ExpiredLots = %v, want %v", tt.name, got, tt.want)
		}
	}
}
