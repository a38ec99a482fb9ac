package domain

import (
	"context"
	"errors"
	"time"
)

// Moving a card to a new Telegram account. A customer who lost their
// phone, or their Telegram account, or changed to another one, keeps
// their card: points, level, history, profile and consents. Their new
// account cannot join with the card's phone (another member has it), so
// an owner or a manager makes a one-time link from the customer card
// (MakeCardMove) and the customer opens it in the new account
// (ClaimCardMove). The old account is told, in case it was not them; if
// it writes again, it is a newcomer with no second welcome bonus.
const (
	// CardMoveTTL is how long a move link works: the rest of the day
	// the customer asked, or the next, when the link went by another way.
	CardMoveTTL = 24 * time.Hour
	// AuditCardMove is a card moved to another Telegram account, in the
	// audit log under the staff member who made the link.
	AuditCardMove = "card_move"
)

// CardMove is a one-time link that moves a customer's card to the
// Telegram account that opens it. Only a hash of its token is stored.
type CardMove struct {
	ID         int64
	CustomerID int64
	CreatedBy  int64 // the owner or manager who made it
	ExpiresAt  time.Time
	UsedAt     time.Time
}

// CardMoved: a customer's card now belongs to another Telegram account.
// OldChatID is the chat it left, told in case it was not them.
type CardMoved struct {
	Customer  *Customer
	By        *Staff
	OldChatID int64
}

func (CardMoved) eventName() string { return "card_moved" }

// ErrCardMoveYours means a move link was opened by the account the card
// belongs to already (the old one before the move, or the new one again).
var ErrCardMoveYours = errors.New("the card is this account's already")

// MakeCardMove makes a move link for the customer's card and returns its
// token and the customer. Owners and managers only; a customer who is no
// member (erased, or never finished joining) is ErrNotFound. A new link
// voids the customer's earlier unused ones.
func (s *Service) MakeCardMove(ctx context.Context, tx Tx, by *Staff, customerID int64) (string, *Customer, error) {
	if !by.CanManage() {
		return "", nil, Invalid("staff.only_managers")
	}
	c, err := tx.FindCustomerByID(ctx, customerID)
	if err != nil {
		return "", nil, err
	}
	if c.Erased || !c.Member() {
		return "", nil, ErrNotFound
	}
	if err := CustomerOfStaff(ctx, tx, by, c); err != nil {
		return "", nil, err
	}
	token, hash := NewInviteToken()
	m := &CardMove{CustomerID: c.ID, CreatedBy: by.ID, ExpiresAt: s.Now().Add(CardMoveTTL)}
	if err := tx.CreateCardMove(ctx, m, hash); err != nil {
		return "", nil, err
	}
	return token, c, nil
}

// ClaimCardMove moves the card of a move link to the account that opened
// it (telegramID, chatID; current is that account's customer row, nil if
// none), once, and returns the customer it now is. Refused, with a
// *ValidationError to show: a used or expired link, one whose maker lost
// their access or whose customer left, a link opened by the staff member
// who made it, and an account that has a card of its own (two cards are
// not merged: the points can be moved with a correction). An unknown
// link is ErrNotFound; the card's own account opening it is
// ErrCardMoveYours. What a newcomer had begun on the new account (an
// unfinished joining) is erased, leaving nothing behind.
func (s *Service) ClaimCardMove(ctx context.Context, tx Tx, token string, telegramID, chatID int64, current *Customer) (*Customer, error) {
	now := s.Now()
	m, err := tx.TakeCardMove(ctx, HashSecret(token))
	if err != nil {
		return nil, err
	}
	c, err := tx.FindCustomerByID(ctx, m.CustomerID)
	if err != nil {
		return nil, err
	}
	if c.TelegramID == telegramID && !c.Erased {
		return c, ErrCardMoveYours
	}
	switch {
	case !m.UsedAt.IsZero():
		return nil, Invalid("move.used")
	case !now.Before(m.ExpiresAt):
		return nil, Invalid("move.expired")
	case c.Erased || !c.Member():
		return nil, Invalid("move.invalid")
	}
	by, err := tx.FindStaffByID(ctx, m.CreatedBy)
	if errors.Is(err, ErrNotFound) || (err == nil && !by.Active()) {
		return nil, Invalid("move.invalid") // what they handed out goes with them
	} else if err != nil {
		return nil, err
	}
	if by.TelegramID == telegramID {
		return nil, Invalid("move.maker")
	}
	if current.Member() {
		return nil, Invalid("move.member")
	}
	if current != nil && !current.Erased {
		// Someone who stopped half way (typically at "this number cannot
		// be used": the card's own) leaves nothing behind.
		// A staff member's chat keeps what waits there for them (an
		// alert, a step half way): only the row goes.
		st, err := tx.FindStaffByTelegramID(ctx, telegramID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err := tx.EraseCustomer(ctx, current.ID, Erasure{At: now, KeepChat: st.Active()}); err != nil {
			return nil, err
		}
	}
	oldAccount, oldChat := c.TelegramID, c.ChatID
	if err := tx.MoveCustomerAccount(ctx, c.ID, telegramID, chatID); err != nil {
		return nil, err
	}
	// The account left behind had its welcome bonus: joining again from
	// it earns none, as after an erasure.
	if err := tx.RetireAccount(ctx, AccountHash(s.Salt, oldAccount), now); err != nil {
		return nil, err
	}
	if err := tx.MarkCardMoveUsed(ctx, m.ID, now); err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditCardMove, CustomerID: c.ID, At: now}); err != nil {
		return nil, err
	}
	c.TelegramID, c.ChatID, c.Unreachable = telegramID, chatID, false
	return c, s.emit(ctx, tx, CardMoved{Customer: c, By: by, OldChatID: oldChat})
}

// CardMoveStore keeps move links and moves a customer to another account.
type CardMoveStore interface {
	// CreateCardMove stores a move link by its token's hash, setting its
	// ID, and drops the customer's earlier unused links.
	CreateCardMove(ctx context.Context, m *CardMove, hash []byte) error
	// TakeCardMove locks the move link with this token hash (ErrNotFound
	// if none); the caller checks it, then MarkCardMoveUsed.
	TakeCardMove(ctx context.Context, hash []byte) (*CardMove, error)
	MarkCardMoveUsed(ctx context.Context, id int64, at time.Time) error
	// MoveCustomerAccount gives the customer another Telegram account and
	// chat (reachable: they just wrote from it), forgets the old chat's
	// conversation and sends the messages waiting for it to the new chat
	// (without a wait Telegram set for the old one; one a sender holds
	// goes to the new chat should it not go now, see Outbox.PutOff);
	// a staff member's old chat keeps its conversation and its staff
	// messages, and only the customer's own (nudges, rating requests,
	// broadcasts) go.
	MoveCustomerAccount(ctx context.Context, customerID, telegramID, chatID int64) error
	// RetireAccount counts a Telegram account a member left for another
	// as erased: its welcome bonus was given.
	RetireAccount(ctx context.Context, accountHash []byte, at time.Time) error
}
