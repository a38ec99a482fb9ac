package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Role is what a staff member may do.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner   Role = "owner"
	RoleManager Role = "manager"
	RoleCashier Role = "cashier"
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RoleOwner, RoleManager, RoleCashier:
		return r, true
	}
	return "", false
}

// Staff is a person working for the business in the bot. The same
// Telegram user may also be a customer.
type Staff struct {
	ID         int64
	TelegramID int64
	ChatID     int64
	FirstName  string
	Role       Role
	ShopID     int64 // 0: every store (owners)
	InvitedBy  int64
	CreatedAt  time.Time
	RevokedAt  time.Time
}

// Active reports whether the staff member may act now.
func (s *Staff) Active() bool { return s != nil && s.RevokedAt.IsZero() }

// CanCheckout: every active role serves customers at the register.
func (s *Staff) CanCheckout() bool { return s.Active() }

// CanManage: owners and managers invite and revoke staff and cancel
// purchases; cashiers do not.
func (s *Staff) CanManage() bool {
	return s.Active() && (s.Role == RoleOwner || s.Role == RoleManager)
}

// CanInvite says whether s may invite someone with role r for shop: owners
// anyone anywhere; managers cashiers and managers of their own store.
func (s *Staff) CanInvite(r Role, shopID int64) bool {
	switch {
	case !s.Active():
		return false
	case s.Role == RoleOwner:
		return true
	case s.Role == RoleManager:
		return r != RoleOwner && (s.ShopID == 0 || s.ShopID == shopID)
	}
	return false
}

// CanRevoke says whether s may revoke other: never oneself, never an
// owner unless an owner, and managers only within their store.
func (s *Staff) CanRevoke(other *Staff) bool {
	if !s.Active() || s.ID == other.ID {
		return false
	}
	switch s.Role {
	case RoleOwner:
		return true
	case RoleManager:
		return other.Role == RoleCashier && (s.ShopID == 0 || s.ShopID == other.ShopID)
	}
	return false
}

// Invite is a one-time link that makes its opener staff.
type Invite struct {
	ID        int64
	Role      Role
	ShopID    int64
	CreatedBy int64
	ExpiresAt time.Time
	UsedAt    time.Time
}

// InviteTTL is how long an invitation link works.
const InviteTTL = 72 * time.Hour

// NewInviteToken draws a random token (22 chars of base64url, fits the
// deep link with "i_") and the hash that is stored instead of it.
func NewInviteToken() (token string, hash []byte) {
	b := make([]byte, 16)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashSecret(token)
}

// HashSecret hashes an invite token or API key for storage: the database
// never holds a usable secret.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// NewAPIKey draws a POS API key: "lb_" + 32 chars of base64url.
func NewAPIKey() (key string, hash []byte) {
	b := make([]byte, 24)
	rand.Read(b)
	key = "lb_" + base64.RawURLEncoding.EncodeToString(b)
	return key, HashSecret(key)
}
