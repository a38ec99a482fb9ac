package domain

import "time"

// Program is the points program of the business config: how points are
// earned, spent and lost. Money is minor units, points are whole; no
// floats anywhere.
type Program struct {
	// Tiers by rolling 365-day spend, ascending MinSpend; the first starts
	// at 0. Each changes the earn rate.
	Tiers []Tier
	// Rounding of earned points: RoundDown (default), RoundHalfUp, RoundUp.
	Rounding Rounding
	// MinReceiptForEarn: receipts paying less (after points) earn nothing.
	MinReceiptForEarn int64
	// PointValue is what one point pays, in minor units (100: 1 point = 1 ₽).
	PointValue int64
	// RedeemCapPercent caps points paid as a share of the receipt (30).
	RedeemCapPercent int
	// RegularExpiryDays: regular points expire after this many days
	// without a purchase (0: never). Promo points carry their own expiry.
	RegularExpiryDays int
	// MaxReceipt is the largest receipt accepted, in minor units.
	MaxReceipt int64
	// Velocity limits: more purchases than these are allowed but flagged
	// to owners.
	MaxPurchasesPerCardPerDay     int
	MaxPurchasesPerCashierPerHour int
	// CashierReturns lets cashiers take returns of items at the till, as
	// managers and owners always may; the owners (and the store's
	// managers) hear of each a cashier takes.
	CashierReturns bool
	// CashierCancelMinutes lets a cashier cancel a purchase they rang up
	// themselves within this many minutes of it (a mistyped amount, the
	// wrong card), as managers and owners cancel any within CancelWindow;
	// the owners and the store's managers hear of each. 0: never.
	CashierCancelMinutes int
	// Promotions multiply the points earned while they run.
	Promotions []Promotion
}

// Tier is a level of the program.
type Tier struct {
	// Name is the tier's name in the business's default language
	// ("Silver"), as the POS API and exports give it; Names, when the
	// config names it per language, what customers and staff read.
	Name     string
	Names    map[string]string
	MinSpend int64 // rolling 365-day spend in minor units to reach it
	EarnBP   int64 // earn rate in basis points of the paid amount (300 = 3 %)
}

// NameIn is the tier's name in lang, else its default name.
func (t Tier) NameIn(lang string) string {
	if n := t.Names[lang]; n != "" {
		return n
	}
	return t.Name
}

// Rounding says how fractional earned points become whole ones.
type Rounding string

// Rounding modes.
const (
	RoundDown   Rounding = "down"
	RoundHalfUp Rounding = "half_up"
	RoundUp     Rounding = "up"
)

// LotKind separates promo points (welcome, birthday, nudge bonuses: spent
// first, own expiry) from regular points earned on purchases.
type LotKind string

// Lot kinds.
const (
	LotPromo   LotKind = "promo"
	LotRegular LotKind = "regular"
)

// Lot is a credit of points still (partly) on a card. The sum of the open
// lots' Remaining equals the card balance.
type Lot struct {
	ID        int64
	Kind      LotKind
	Remaining int64
	ExpiresAt time.Time // zero: no own expiry
	CreatedAt time.Time
}

// LotUse is how many points a debit takes from one lot.
type LotUse struct {
	LotID  int64
	Points int64
}
