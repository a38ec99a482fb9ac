package domain

import (
	"context"
	"time"
)

// StaffDay is what a staff member rang up since the start of their day:
// the totals of the purchases that stand, how many were cancelled, and
// the newest purchases, cancelled ones included. A cashier checks it
// against the till at the end of a shift.
type StaffDay struct {
	Since     time.Time
	Count     int   // purchases that stand
	Cancelled int   // purchases cancelled since
	Amount    int64 // receipts of the purchases that stand, minor units
	Earned    int64
	Redeemed  int64
	Recent    []RecentPurchase // newest first
	// Returns is how many returns they made since, of purchases of any
	// day; Refunded the money those returns paid back.
	Returns  int
	Refunded int64
	// Prizes is how many prizes they gave since that stand; PrizePoints
	// the points those prizes took.
	Prizes      int
	PrizePoints int64
}

// staffDayRecent is how many purchases /today lists.
const staffDayRecent = 10

// StaffDay reads what st rang up since midnight in loc (their store's
// zone). Anyone on the staff may read their own; nobody else's.
func (s *Service) StaffDay(ctx context.Context, tx Tx, st *Staff, loc *time.Location) (*StaffDay, error) {
	if !st.CanCheckout() {
		return nil, Invalid("staff.only")
	}
	now := s.Now().In(loc)
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	d, err := tx.ReadStaffDay(ctx, st.ID, since, staffDayRecent)
	if err != nil {
		return nil, err
	}
	d.Since = since
	return d, nil
}
