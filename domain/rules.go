package domain

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Bounds of the program config. They keep every product the rules compute
// (amount × basis points, 10000 × point value) far inside int64, and turn
// an owner's extra zero into a clear config error instead of nonsense.
const (
	maxReceiptLimit   = 1_000_000_000_000 // 10^12 minor units: 10 billion roubles
	maxPointValue     = maxReceiptLimit
	maxBP             = 10_000 // 100 %
	maxExpiryDays     = 36_500 // 100 years; keeps date arithmetic sane
	bpPerPercentPoint = 100
)

// DefaultProgram returns the program a business gets when its config says
// nothing: one 3 % tier, 1 point = 1 ₽ (PointValue 100), at most 30 % of a
// receipt paid with points, regular points lost after a year without a
// purchase. The config loader starts from it and overrides what the owner
// set, so every field here must pass Validate.
func DefaultProgram() Program {
	return Program{
		Tiers: []Tier{{Name: "Base", MinSpend: 0, EarnBP: 300,
			// The only tier of a shop that names none is read in every
			// language offered, not in English alone.
			Names: map[string]string{"en": "Base", "ru": "Базовый", "uz": "Boshlangʻich"}}},
		Rounding:                      RoundDown,
		MinReceiptForEarn:             0,
		PointValue:                    100,
		RedeemCapPercent:              30,
		RegularExpiryDays:             365,
		MaxReceipt:                    100_000_000, // 1,000,000.00
		MaxPurchasesPerCardPerDay:     5,
		MaxPurchasesPerCashierPerHour: 60,
		CashierCancelMinutes:          10,
	}
}

// maxCashierCancelMinutes bounds a cashier's own window to cancel: it is
// for a mistake just made; older purchases are a manager's to cancel.
const maxCashierCancelMinutes = 60

// Validate checks the program once at start so that the rules below can
// trust it (ascending tiers, bounded rates, no overflow). The first problem
// is returned as a *FieldError naming the config field, e.g.
// "program.tiers[1].min_spend".
func (p *Program) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: "program." + field, Problem: fmt.Sprintf(format, args...)}
	}
	if len(p.Tiers) == 0 {
		return bad("tiers", "list at least one tier (the first with min_spend 0)")
	}
	// Valid programs are checked on every quote: nothing here is
	// formatted or allocated unless something is wrong.
	for i, t := range p.Tiers {
		f := func(field string) string { return fmt.Sprintf("tiers[%d].%s", i, field) }
		name := strings.TrimSpace(t.Name)
		if name == "" {
			return bad(f("name"), "must not be empty")
		}
		for j, other := range p.Tiers[:i] {
			if strings.EqualFold(strings.TrimSpace(other.Name), name) {
				return bad(f("name"), "%q is already the name of tiers[%d]", t.Name, j)
			}
			// Customers read the name in their language: two tiers must
			// not read the same in any.
			if lang, ok := sameNameIn(t, other); ok {
				return bad(f("name."+lang), "%q is already the name of tiers[%d] in %s", t.NameIn(lang), j, lang)
			}
		}
		switch {
		case i == 0 && t.MinSpend != 0:
			return bad(f("min_spend"), "tiers must be ascending and start at 0, got %d", t.MinSpend)
		case i > 0 && t.MinSpend <= p.Tiers[i-1].MinSpend:
			return bad(f("min_spend"), "tiers must be ascending and start at 0: %d is not above %d",
				t.MinSpend, p.Tiers[i-1].MinSpend)
		}
		if t.EarnBP < 0 || t.EarnBP > maxBP {
			return bad(f("earn_percent"), "must be from 0 to 100 %%, got %s %%", formatBP(t.EarnBP))
		}
	}
	switch p.Rounding {
	case RoundDown, RoundHalfUp, RoundUp:
	default:
		return bad("rounding", "must be %q, %q or %q, got %q", RoundDown, RoundHalfUp, RoundUp, p.Rounding)
	}
	if p.MinReceiptForEarn < 0 {
		return bad("min_receipt_for_earn", "must not be negative")
	}
	if p.MinReceiptForEarn > p.MaxReceipt && p.MaxReceipt > 0 {
		// An extra zero would silently earn nothing on every purchase.
		return bad("min_receipt_for_earn", "must not be above max_receipt (%d), got %d", p.MaxReceipt, p.MinReceiptForEarn)
	}
	if p.PointValue <= 0 || p.PointValue > maxPointValue {
		return bad("point_value", "must be from 1 to %d minor units, got %d", int64(maxPointValue), p.PointValue)
	}
	if p.RedeemCapPercent < 0 || p.RedeemCapPercent > 100 {
		return bad("redeem_cap_percent", "must be from 0 to 100, got %d", p.RedeemCapPercent)
	}
	if p.RegularExpiryDays < 0 || p.RegularExpiryDays > maxExpiryDays {
		return bad("regular_expiry_days", "must be from 0 (never) to %d, got %d", maxExpiryDays, p.RegularExpiryDays)
	}
	if p.MaxReceipt <= 0 || p.MaxReceipt > maxReceiptLimit {
		return bad("max_receipt", "must be from 1 to %d minor units, got %d", int64(maxReceiptLimit), p.MaxReceipt)
	}
	if p.MaxPurchasesPerCardPerDay < 0 {
		return bad("max_purchases_per_card_per_day", "must not be negative")
	}
	if p.MaxPurchasesPerCashierPerHour < 0 {
		return bad("max_purchases_per_cashier_per_hour", "must not be negative")
	}
	if p.CashierCancelMinutes < 0 || p.CashierCancelMinutes > maxCashierCancelMinutes {
		return bad("cashier_cancel_minutes", "must be from 0 (never) to %d, got %d", maxCashierCancelMinutes, p.CashierCancelMinutes)
	}
	return nil
}

// sameNameIn finds a language a and b read the same in (either's
// per-language names, else their default names), if any.
func sameNameIn(a, b Tier) (string, bool) {
	for _, names := range []map[string]string{a.Names, b.Names} {
		for lang := range names {
			if strings.EqualFold(strings.TrimSpace(a.NameIn(lang)), strings.TrimSpace(b.NameIn(lang))) {
				return lang, true
			}
		}
	}
	return "", false
}

// TierFor finds the tier a rolling 365-day spend reaches, so a customer can
// be told both where they are and how far the next level is (toNext minor
// units more; hasNext is false at the top). Tiers are assumed validated
// (ascending from 0); a negative spend counts as 0.
func (p *Program) TierFor(spend int64) (cur Tier, next Tier, toNext int64, hasNext bool) {
	spend = max(spend, 0)
	i := 0
	for i+1 < len(p.Tiers) && p.Tiers[i+1].MinSpend <= spend {
		i++
	}
	if i < len(p.Tiers) {
		cur = p.Tiers[i]
	}
	if i+1 < len(p.Tiers) {
		next = p.Tiers[i+1]
		return cur, next, next.MinSpend - spend, true
	}
	return cur, Tier{}, 0, false
}

// MaxRedeemable is the most points a receipt of amount minor units may be
// paid with: floor(amount × cap % / PointValue), so points never pay more
// than the owner's share and a point is never worth a fraction. It is never
// more than the balance and never negative, so the cashier can offer it as
// is.
func (p *Program) MaxRedeemable(amount, balance int64) int64 {
	if amount <= 0 || balance <= 0 || p.PointValue <= 0 || p.RedeemCapPercent <= 0 {
		return 0
	}
	capPct := int64(min(p.RedeemCapPercent, 100))
	// floor(floor(a·c/100)/v) == floor(a·c/(100·v)) for positive integers,
	// and a·c/100 <= a, so nothing here can overflow.
	share, _ := mulDiv(amount, capPct, 100, RoundDown)
	return min(share/p.PointValue, balance)
}

// Quote is what a purchase does to a card, computed before anything is
// written so the cashier can confirm it.
type Quote struct {
	Amount    int64 // the receipt, minor units
	Redeem    int64 // points paid
	Paid      int64 // Amount - Redeem×PointValue: what the customer pays in money
	Earn      int64 // points earned on Paid
	Tier      Tier  // the tier whose rate applied
	MaxRedeem int64 // the most points this receipt could have taken
	// Promotion multiplied Earn (nil: none ran, or nothing was earned).
	Promotion *Promotion
}

// Quote computes a purchase of amount minor units paying redeem points
// (already chosen, e.g. from MaxRedeemable) from a card holding balance,
// whose rolling 365-day spend before this receipt is spend365. Points are
// earned only on what is paid in money, so paying with points does not
// earn points, at the rate of the tier reached before this receipt, times
// the multiplier of promo (nil: none runs; see PromotionAt).
//
// People's mistakes are *ValidationError: "error.amount.zero",
// "error.amount.too_large", "error.points.invalid" (negative),
// "error.points.over_cap" (within balance but above the cap). Redeeming
// more than the balance wraps ErrInsufficientPoints. An invalid program is
// an internal error (a *FieldError), never the customer's fault.
func (p *Program) Quote(amount, redeem, balance, spend365 int64, promo *Promotion) (Quote, error) {
	if err := p.Validate(); err != nil {
		return Quote{}, fmt.Errorf("quote: %w", err)
	}
	switch {
	case amount <= 0:
		return Quote{}, &ValidationError{Reason: "error.amount.zero", Detail: fmt.Sprint(amount)}
	case amount > p.MaxReceipt:
		return Quote{}, &ValidationError{Reason: "error.amount.too_large",
			Detail: fmt.Sprintf("%d above %d", amount, p.MaxReceipt)}
	case redeem < 0:
		return Quote{}, &ValidationError{Reason: "error.points.invalid", Detail: fmt.Sprint(redeem)}
	}
	maxRedeem := p.MaxRedeemable(amount, balance)
	if redeem > maxRedeem {
		if redeem > balance {
			return Quote{}, fmt.Errorf("redeem %d points with balance %d: %w", redeem, max(balance, 0), ErrInsufficientPoints)
		}
		return Quote{}, &ValidationError{Reason: "error.points.over_cap",
			Detail: fmt.Sprintf("%d above the cap of %d", redeem, maxRedeem)}
	}
	// redeem <= maxRedeem <= amount×cap/100/PointValue, so this stays in [0, amount].
	paid := amount - redeem*p.PointValue
	tier, _, _, _ := p.TierFor(spend365)
	earn, rate := int64(0), tier.EarnBP
	if promo != nil {
		if promo.Multiplier < 1 || promo.Multiplier > MaxPromotionMultiplier {
			return Quote{}, fmt.Errorf("quote: promotion %s multiplies by %d", promo.ID, promo.Multiplier)
		}
		rate *= promo.Multiplier
	}
	if paid > 0 && paid >= p.MinReceiptForEarn {
		// paid <= 10^12 and rate <= 10^5 after Validate; mulDiv checks anyway.
		var ok bool
		earn, ok = mulDiv(paid, rate, maxBP*p.PointValue, p.Rounding)
		if !ok {
			return Quote{}, fmt.Errorf("quote: earn on %d overflows", paid)
		}
	}
	q := Quote{Amount: amount, Redeem: redeem, Paid: paid, Earn: earn, Tier: tier, MaxRedeem: maxRedeem}
	if earn > 0 {
		q.Promotion = promo
	}
	return q, nil
}

// mulDiv returns a·b/d rounded by r (unknown modes round down), with a
// 128-bit product so no intermediate overflows. a and b must be >= 0 and
// d > 0; ok is false when they are not or the result exceeds int64.
func mulDiv(a, b, d int64, r Rounding) (q int64, ok bool) {
	if a < 0 || b < 0 || d <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(d) {
		return 0, false // quotient would not fit 64 bits (and Div64 would panic)
	}
	uq, rem := bits.Div64(hi, lo, uint64(d))
	switch {
	case r == RoundUp && rem > 0,
		r == RoundHalfUp && rem >= uint64(d)-rem: // 2·rem >= d without overflow
		uq++
	}
	if uq > math.MaxInt64 {
		return 0, false
	}
	return int64(uq), true
}

// formatBP shows basis points as a percent ("2.5", "-0.75") for config
// errors, so the operator sees the number they typed.
func formatBP(bp int64) string {
	sign := ""
	u := uint64(bp)
	if bp < 0 {
		sign, u = "-", uint64(-(bp+1))+1 // safe for math.MinInt64
	}
	whole, frac := u/bpPerPercentPoint, u%bpPerPercentPoint
	switch {
	case frac == 0:
		return fmt.Sprintf("%s%d", sign, whole)
	case frac%10 == 0:
		return fmt.Sprintf("%s%d.%d", sign, whole, frac/10)
	}
	return fmt.Sprintf("%s%d.%02d", sign, whole, frac)
}

// ParsePercentBP reads a percent typed by an owner in the config ("3",
// "2.5", "2,5", "0.75", "7 %") into basis points, without floats so
// "0.1 + 0.2" surprises cannot creep into earn rates. At most 2 decimals,
// a digit on both sides of the separator, from 0 to 100 %. The error says
// what is wrong, for the loader to put in a *FieldError.
func ParsePercentBP(s string) (int64, error) {
	if len(s) > 32 {
		return 0, errors.New("is too long for a percent")
	}
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if t == "" {
		return 0, fmt.Errorf("%q is empty: write a percent such as 2.5", s)
	}
	if t[0] == '-' || strings.HasPrefix(t, "−") {
		return 0, fmt.Errorf("%q is negative: a percent must be from 0 to 100", s)
	}
	whole, frac, hasSep := strings.Cut(strings.Replace(t, ",", ".", 1), ".")
	if whole == "" || !allDigits(whole) || hasSep && (frac == "" || !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not a percent: write digits with an optional '.' or ',', such as 2.5", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than 2 decimals", s)
	}
	w, ok := parseDigits(whole)
	if !ok || w > 100 {
		return 0, fmt.Errorf("%q is above 100 %%", s)
	}
	f, _ := parseDigits((frac + "00")[:2])
	bp := w*bpPerPercentPoint + f
	if bp > maxBP {
		return 0, fmt.Errorf("%q is above 100 %%", s)
	}
	return bp, nil
}

// AllocateRedeem chooses which lots pay points, so the ledger can debit
// each lot and expiry stays exact. Promo lots go first (they are gifts that
// expire soon), then regular ones; within a kind the lot expiring soonest
// goes first (lots without expiry after those with one), then the oldest
// (CreatedAt, then ID), so the customer loses as little as possible to
// expiry. Lots expired at now (non-zero ExpiresAt, now not before it) and
// empty lots are skipped. Uses are returned in the order taken; the input
// is not modified. Zero points need no lots; negative points are invalid;
// too few usable points wrap ErrInsufficientPoints.
func AllocateRedeem(lots []Lot, points int64, now time.Time) ([]LotUse, error) {
	if points < 0 {
		return nil, &ValidationError{Reason: "error.points.invalid", Detail: fmt.Sprint(points)}
	}
	if points == 0 {
		return nil, nil
	}
	usable := make([]Lot, 0, len(lots))
	for _, l := range lots {
		if l.Remaining > 0 && !expiredAt(l, now) {
			usable = append(usable, l)
		}
	}
	slices.SortStableFunc(usable, spendOrder)
	var uses []LotUse
	need := points
	for _, l := range usable {
		if need == 0 {
			break
		}
		take := min(l.Remaining, need)
		uses = append(uses, LotUse{LotID: l.ID, Points: take})
		need -= take
	}
	if need > 0 {
		return nil, fmt.Errorf("redeem %d points, %d usable: %w", points, points-need, ErrInsufficientPoints)
	}
	return uses, nil
}

// expiredAt reports whether a lot's own expiry has come at now.
func expiredAt(l Lot, now time.Time) bool {
	return !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt)
}

// spendOrder orders lots the way AllocateRedeem spends them.
func spendOrder(a, b Lot) int {
	if c := cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)); c != 0 {
		return c
	}
	switch az, bz := a.ExpiresAt.IsZero(), b.ExpiresAt.IsZero(); {
	case az && !bz:
		return 1
	case !az && bz:
		return -1
	}
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// kindRank puts promo first, regular next and any unknown kind last.
func kindRank(k LotKind) int {
	switch k {
	case LotPromo:
		return 0
	case LotRegular:
		return 1
	}
	return 2
}

// ExpiredLots lists what the daily job must expire at now, one use (lot,
// its remaining points) per lot, in the order of lots; the job writes one
// "expire" ledger row per use. A lot goes when its own non-zero ExpiresAt
// is not after now. Regular lots also go, whole, when RegularExpiryDays > 0
// and the card has been idle that many calendar days: lastActivity (the
// last purchase, or the card's creation) + RegularExpiryDays <= now. A zero
// lastActivity means "unknown" and never triggers inactivity expiry: losing
// a customer's points to a missing date would be worse than keeping them a
// day longer.
func (p *Program) ExpiredLots(lots []Lot, lastActivity, now time.Time) []LotUse {
	idle := p.RegularExpiryDays > 0 && !lastActivity.IsZero() &&
		!now.Before(lastActivity.AddDate(0, 0, p.RegularExpiryDays))
	var uses []LotUse
	for _, l := range lots {
		if l.Remaining <= 0 {
			continue
		}
		if expiredAt(l, now) || idle && l.Kind == LotRegular {
			uses = append(uses, LotUse{LotID: l.ID, Points: l.Remaining})
		}
	}
	return uses
}
