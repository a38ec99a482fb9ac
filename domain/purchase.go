package domain

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// Purchase sources.
const (
	SourceBot = "bot"
	SourcePOS = "pos"
)

// Purchase is one receipt paid with a card: what was paid, earned and
// redeemed, where, by whom and how.
type Purchase struct {
	ID          int64
	PublicID    string // shown to staff and the POS: "p_…"
	CardID      int64
	CustomerID  int64
	ShopID      int64
	StaffID     int64 // 0 for the POS API
	Source      string
	ReceiptID   string
	Amount      int64 // minor units
	Currency    string
	Earned      int64
	Redeemed    int64
	Categories  []string
	Flags       []string // velocity flags raised on it
	CreatedAt   time.Time
	CancelledAt time.Time
	CancelledBy int64
	// IdempotencyKey and RequestHash make retries safe: the same key with
	// the same hash returns this purchase; another hash is a conflict.
	IdempotencyKey string
	RequestHash    string
	// Promotion is the id of the promotion that multiplied Earned ("":
	// none): the one it was rung up under, until a return takes the
	// receipt under that one's minimum; then the one that multiplies what
	// stays ("": the usual rate).
	Promotion string
	// LapsedPromotion is the promotion it was rung up under once a return
	// took the receipt under its minimum ("": none did): later returns
	// reckon with it (Service.ReturnPromotions).
	LapsedPromotion string
	// ReturnedAmount, ReturnedEarned and ReturnedRedeemed are what returns
	// took off the purchase (ReturnPurchase): Amount, Earned and Redeemed
	// are what stands after them.
	ReturnedAmount, ReturnedEarned, ReturnedRedeemed int64
	// Stamps is how many stamps of the stamp card the purchase earns
	// while it stands and is of the card's minimum amount: one unless
	// the cashier or the POS said otherwise.
	Stamps int
	// ReturnedStamps is what partial returns took off Stamps (StampsLeft).
	ReturnedStamps int
}

// RecentPurchase is a purchase as a manager's list shows it: with the
// customer's first name ("" once they erased their data) and the
// cashier's ("" for the POS API).
type RecentPurchase struct {
	Purchase
	CustomerName string
	StaffName    string
}

// Cancelled reports whether the purchase was reversed.
func (p *Purchase) Cancelled() bool { return !p.CancelledAt.IsZero() }

// ReturnedInFull reports whether returns took the whole of the purchase
// (which cancels it too): at the till a sale and a refund, not a cancel.
func (p *Purchase) ReturnedInFull() bool {
	return p.Cancelled() && p.Amount == 0 && p.ReturnedAmount > 0
}

// NewPublicID draws a purchase id for people and integrations: "p_" and
// 16 lower-case base32 characters.
func NewPublicID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "p_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Velocity flags.
const (
	FlagCardVelocity    = "card_velocity"
	FlagCashierVelocity = "cashier_velocity"
)
