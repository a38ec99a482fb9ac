package domain

import (
	"context"
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
	// Language is the language the bot last answered them in ("": not
	// yet known); messages that reach them outside an update of theirs
	// (alerts, digests, reports) are written in it.
	Language string
	// Version goes up each time the record is saved again (a rehire, a
	// move to another store or role): a question asked about the person
	// before is about the record that was.
	Version int64
	// Unreachable says they blocked the bot: nothing is queued for them
	// until they write again or unblock it.
	Unreachable bool
}

// Active reports whether the staff member may act now.
func (s *Staff) Active() bool { return s != nil && s.RevokedAt.IsZero() }

// IsOwner: an active owner (the audit log, code words).
func (s *Staff) IsOwner() bool { return s.Active() && s.Role == RoleOwner }

// AnswersAt: owners and managers answer the questions to the shop of
// their store and of none (a manager of every store: all of them).
func (s *Staff) AnswersAt(shopID int64) bool {
	return s.CanManage() && (s.ShopID == 0 || shopID == 0 || s.ShopID == shopID)
}

// CanCheckout: every active role serves customers at the register.
func (s *Staff) CanCheckout() bool { return s.Active() }

// CanManage: owners and managers invite and revoke staff and cancel
// purchases; cashiers do not.
func (s *Staff) CanManage() bool {
	return s.Active() && (s.Role == RoleOwner || s.Role == RoleManager)
}

// CanTakeReturns: managers and owners take returns of items; cashiers
// too when the program lets them (Program.CashierReturns).
func (s *Staff) CanTakeReturns(p *Program) bool {
	return s.CanManage() || (p.CashierReturns && s.CanCheckout())
}

// CanCancel says whether s may cancel purchase p at now: managers and
// owners any (CancelPurchase keeps them to CancelWindow and their
// store); a cashier one they rang up themselves, within the program's
// CashierCancelMinutes of it.
func (s *Staff) CanCancel(p *Purchase, prog *Program, now time.Time) bool {
	switch {
	case s.CanManage():
		return true
	case !s.CanCheckout() || p.StaffID != s.ID || prog.CashierCancelMinutes <= 0:
		return false
	}
	return now.Sub(p.CreatedAt) <= time.Duration(prog.CashierCancelMinutes)*time.Minute
}

// OwnCard says whether customer c is s themselves (their own card, from
// the same Telegram account): nobody gives themselves points, at the
// register, by a correction, a goodwill gift or by undoing a sale.
func (s *Staff) OwnCard(c *Customer) bool {
	return s != nil && c != nil && c.TelegramID != 0 && c.TelegramID == s.TelegramID
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

// RevokeStaff ends other's staff access and voids the unused invites and
// card-move links they made, so none of their links lets anyone in
// afterwards (not even themselves, nor after a rehire). by must be allowed to (CanRevoke); if not, a
// *ValidationError says so.
//
// Both records are locked (in id order) and read again first, and the
// rights checked on what they are then: two owners revoking each other
// at the same moment would otherwise both go through and leave the
// business without an owner. by and other are updated in place; a by
// revoked meanwhile gets "staff.revoked", an other revoked meanwhile
// "staff.revoke.already", and an other saved again since the caller read
// it (other.Version: rehired after a revocation, moved) "staff.revoke.changed":
// the question the caller asked was about the record that was.
func (s *Service) RevokeStaff(ctx context.Context, tx StaffStore, by, other *Staff) error {
	if !by.CanRevoke(other) {
		return Invalid("staff.only_managers")
	}
	locked, err := tx.LockStaff(ctx, by.ID, other.ID)
	if err != nil {
		return err
	}
	asked := other.Version
	for _, st := range locked {
		switch st.ID {
		case by.ID:
			*by = st
		case other.ID:
			*other = st
		}
	}
	switch {
	case !by.Active():
		return Invalid("staff.revoked")
	case !other.Active():
		return Invalid("staff.revoke.already")
	case asked != 0 && other.Version != asked:
		return Invalid("staff.revoke.changed")
	case !by.CanRevoke(other):
		return Invalid("staff.only_managers")
	}
	now := s.Now()
	if err := tx.RevokeStaff(ctx, other.ID, now); err != nil {
		return err
	}
	return tx.VoidInvitesBy(ctx, other.ID, now)
}

// Invite is a one-time link that makes its opener staff.
type Invite struct {
	ID        int64
	Role      Role
	ShopID    int64
	CreatedBy int64
	ExpiresAt time.Time
	UsedAt    time.Time
	UsedBy    int64 // the staff member who opened it
	// VoidedAt is set when the person who made the invite lost access:
	// what they handed out goes with them.
	VoidedAt time.Time
}

// Check says whether the invite can still be accepted at now; if not, a
// *ValidationError with the message to show (void links read as "not
// valid", like unknown ones: nothing to tell the holder).
func (inv *Invite) Check(now time.Time) error {
	switch {
	case !inv.VoidedAt.IsZero():
		return Invalid("invite.invalid")
	case !inv.UsedAt.IsZero():
		return Invalid("invite.used")
	case !now.Before(inv.ExpiresAt):
		return Invalid("invite.expired")
	}
	return nil
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

// StaffJoined: someone accepted an invite and is staff now.
type StaffJoined struct{ Staff *Staff }

func (StaffJoined) eventName() string { return "staff_joined" }

// Invite makes a one-time invitation for role at shopID (0: all stores)
// and returns its token. by is who invites (nil: the operator's CLI, who
// may invite anyone); a staff member invites only within their rights,
// checked on their record locked and read again (updated in place): a
// link made while a revocation of them commits would escape the voiding
// of their links (VoidInvitesBy) and let someone in after them.
func (s *Service) Invite(ctx context.Context, tx StaffStore, by *Staff, role Role, shopID int64) (string, error) {
	var byID int64
	if by != nil {
		if !by.CanInvite(role, shopID) {
			return "", Invalid("staff.only_managers")
		}
		locked, err := tx.LockStaff(ctx, by.ID)
		if err != nil {
			return "", err
		}
		if len(locked) == 1 {
			*by = locked[0]
		}
		switch {
		case !by.Active():
			return "", Invalid("staff.revoked")
		case !by.CanInvite(role, shopID):
			return "", Invalid("staff.only_managers")
		}
		byID = by.ID
	}
	token, hash := NewInviteToken()
	inv := &Invite{Role: role, ShopID: shopID, CreatedBy: byID, ExpiresAt: s.Now().Add(InviteTTL)}
	if err := tx.CreateInvite(ctx, inv, hash); err != nil {
		return "", err
	}
	return token, nil
}

// AcceptInvite makes the opener of an invite link staff, once. current is
// the opener's staff record (nil if none): an invite never demotes, so an
// owner opening a cashier link stays owner, and the link, which changed
// nothing, stays unused (ErrInviteYours). A used, expired or voided
// link gives a *ValidationError to show, an unknown one ErrNotFound.
func (s *Service) AcceptInvite(ctx context.Context, tx Tx, token string, person Staff, current *Staff) (*Staff, error) {
	now := s.Now()
	inv, err := tx.TakeInvite(ctx, HashSecret(token))
	if err != nil {
		return nil, err
	}
	if !inv.UsedAt.IsZero() && inv.VoidedAt.IsZero() && current.Active() && inv.UsedBy == current.ID {
		// The person who opened it, opening it again (a second tap, the
		// QR scanned twice): nothing to take, nothing to refuse.
		return current, ErrInviteYours
	}
	if err := inv.Check(now); err != nil {
		return nil, err
	}
	st := &person
	st.Role, st.ShopID, st.InvitedBy = inv.Role, inv.ShopID, inv.CreatedBy
	if current.Active() && current.Role.Rank() < inv.Role.Rank() {
		st.Role, st.ShopID = current.Role, current.ShopID
	}
	if current.Active() && st.Role == current.Role && st.ShopID == current.ShopID {
		// Nothing it would change (an owner trying the cashier link
		// she made): the link stays for the person it was made for.
		return current, ErrInviteYours
	}
	if err := tx.SaveStaff(ctx, st); err != nil {
		return nil, err
	}
	if current.Active() && (st.Role != current.Role || st.ShopID != current.ShopID) {
		// Moved to another store (or role): the links they handed out for
		// the old one go, as at a revocation.
		if err := tx.VoidInvitesBy(ctx, current.ID, now); err != nil {
			return nil, err
		}
	}
	if err := tx.MarkInviteUsed(ctx, inv.ID, st.ID, now); err != nil {
		return nil, err
	}
	return st, s.emit(ctx, tx, StaffJoined{Staff: st})
}

// Rank orders roles from the most powerful (owner, 0) down.
func (r Role) Rank() int {
	switch r {
	case RoleOwner:
		return 0
	case RoleManager:
		return 1
	}
	return 2
}
