package domain

import (
	"testing"
	"time"
)

// TestStaffCanCancel: managers and owners cancel any purchase; a cashier
// only one they rang up, within the program's minutes, and never with 0.
func TestStaffCanCancel(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	boris := &Staff{ID: 1, Role: RoleCashier}
	vlad := &Staff{ID: 2, Role: RoleCashier}
	mila := &Staff{ID: 3, Role: RoleManager}
	gone := &Staff{ID: 4, Role: RoleCashier, RevokedAt: now.Add(-time.Hour)}
	p := DefaultProgram()
	off := DefaultProgram()
	off.CashierCancelMinutes = 0
	byBoris := func(ago time.Duration) *Purchase { return &Purchase{StaffID: 1, CreatedAt: now.Add(-ago)} }
	for _, c := range []struct {
		what string
		st   *Staff
		pur  *Purchase
		prog *Program
		want bool
	}{
		{"own, just now", boris, byBoris(time.Minute), &p, true},
		{"own, at the limit", boris, byBoris(10 * time.Minute), &p, true},
		{"own, too late", boris, byBoris(10*time.Minute + time.Second), &p, false},
		{"own, cancels off", boris, byBoris(time.Minute), &off, false},
		{"another cashier's", vlad, byBoris(time.Minute), &p, false},
		{"the POS's", boris, &Purchase{CreatedAt: now}, &p, false},
		{"a manager, any", mila, byBoris(5 * time.Hour), &off, true},
		{"revoked", gone, &Purchase{StaffID: 4, CreatedAt: now}, &p, false},
		{"nobody", nil, byBoris(0), &p, false},
	} {
		if got := c.st.CanCancel(c.pur, c.prog, now); got != c.want {
			t.Errorf("%s: CanCancel = %v, want %v", c.what, got, c.want)
		}
	}
}
