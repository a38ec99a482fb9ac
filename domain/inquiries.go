package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Inquiry is a member's question to the shop, written in the chat
// outside any step ("do you have oat milk?"). It reaches the owners and
// the managers of the store the member shops at; the first of them to
// answer, or to mark that it needs none, handles it.
type Inquiry struct {
	ID         int64
	CustomerID int64
	ShopID     int64 // where the member shops; 0: the business as a whole
	Text       string
	CreatedAt  time.Time
	HandledBy  int64 // staff id, 0 until someone answers or marks it
	HandledAt  time.Time
	Resolution string // ResolutionReplied or ResolutionResolved
	// Photo is Telegram's file_id of the photo the question is about
	// ("do you have this?"), "" without one; Text may then be empty.
	Photo string
}

// Shown is the question as a line of a list shows it: its words, marked
// 📷 when it has a photo.
func (q *Inquiry) Shown() string {
	switch {
	case q.Photo == "":
		return q.Text
	case q.Text == "":
		return "📷"
	}
	return "📷 " + q.Text
}

// InquiryMade: a member's question reached the shop.
type InquiryMade struct {
	Inquiry  *Inquiry
	Customer *Customer
}

func (InquiryMade) eventName() string { return "inquiry_made" }

// Limits of a member's questions: the longest text, in characters (with
// its frame it stays one Telegram message), and how many a day, so one
// person cannot bury the owners' chats.
const (
	MaxInquiryLen      = 2000
	MaxInquiriesPerDay = 5
)

// ErrTooManyInquiries: the member asked MaxInquiriesPerDay questions in
// the last 24 hours.
var ErrTooManyInquiries = errors.New("too many questions today")

// InquiryStore keeps the members' questions.
type InquiryStore interface {
	// InsertInquiry stores a question, setting its ID.
	InsertInquiry(ctx context.Context, q *Inquiry) error
	// CountInquiriesSince counts the customer's questions asked at or
	// after since.
	CountInquiriesSince(ctx context.Context, customerID int64, since time.Time) (int, error)
	// LockInquiry loads a question and locks it, so two owners' taps
	// are taken one after the other.
	LockInquiry(ctx context.Context, id int64) (*Inquiry, error)
	// MarkInquiryHandled records who handled a question and how.
	MarkInquiryHandled(ctx context.Context, id, staffID int64, resolution string, at time.Time) error
	// ListCustomerInquiries lists a customer's questions, oldest first
	// (for the data export).
	ListCustomerInquiries(ctx context.Context, customerID int64) ([]Inquiry, error)
	// ListOpenInquiries lists the questions asked in [from, to) that
	// nobody answered or marked, oldest first, with the customer's first
	// name.
	ListOpenInquiries(ctx context.Context, from, to time.Time) ([]OpenInquiry, error)
}

// OpenInquiry is a question nobody handled, with who asked it.
type OpenInquiry struct {
	Inquiry
	CustomerName string
}

// openInquiryDays is how far back the evening digest looks for questions
// nobody answered.
const openInquiryDays = 7

// MakeInquiry sends a member's question to the shop: it is kept, and
// the InquiryMade reaction tells the owners and managers. The store
// is the one of the member's last purchase, else the one they joined
// at. A question is words, a photo (Telegram's file_id), or both.
func (s *Service) MakeInquiry(ctx context.Context, tx Tx, c *Customer, text, photo string) (*Inquiry, error) {
	text = strings.TrimSpace(text)
	switch {
	case !c.Member():
		return nil, ErrNotFound
	case text == "" && photo == "" || utf8.RuneCountInString(text) > MaxInquiryLen:
		return nil, fmt.Errorf("%w: a question of %d characters", ErrInvalid, utf8.RuneCountInString(text))
	}
	now := s.Now()
	n, err := tx.CountInquiriesSince(ctx, c.ID, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	if n >= MaxInquiriesPerDay {
		return nil, ErrTooManyInquiries
	}
	shop := c.JoinedStoreID
	switch p, err := tx.LastPurchaseOf(ctx, c.ID); {
	case err == nil:
		shop = p.ShopID
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	q := &Inquiry{CustomerID: c.ID, ShopID: shop, Text: text, Photo: photo, CreatedAt: now}
	if err := tx.InsertInquiry(ctx, q); err != nil {
		return nil, err
	}
	return q, s.emit(ctx, tx, InquiryMade{Inquiry: q, Customer: c})
}

// TakeInquiry is an owner's or a manager's tap on a question: it locks
// the question, checks their right to it (owners everywhere, managers
// their store's and the business's as a whole), and records them as
// its handler the first time. When someone else handled it already it
// fails with a *HandledError, so the customer gets one answer however
// many owners tap. To reply (ResolutionReplied) the customer must still
// be there to read it; a tap on Reply (ResolutionWillReply) only checks.
func (s *Service) TakeInquiry(ctx context.Context, tx Tx, st *Staff, id int64, resolution string) (*Inquiry, *Customer, error) {
	q, err := tx.LockInquiry(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// A question's id comes from a signed button: it was there, and
		// only an erasure deleted it (as erasures did before they kept
		// questions as anonymous rows).
		return nil, nil, ErrInquiryErased
	} else if err != nil {
		return nil, nil, err
	}
	if !st.AnswersAt(q.ShopID) {
		return nil, nil, ErrNotFound
	}
	c, err := tx.FindCustomerByID(ctx, q.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	if c.Erased {
		// Its customer erased their data: the question stays as an
		// anonymous row for the owners' numbers, with nothing left to
		// answer or mark.
		return nil, nil, ErrInquiryErased
	}
	if q.HandledBy != 0 && q.HandledBy != st.ID {
		by, err := tx.FindStaffByID(ctx, q.HandledBy)
		if err != nil {
			return nil, nil, err
		}
		if by.AnswersAt(q.ShopID) && !by.Unreachable {
			return q, nil, &HandledError{By: by, Resolution: q.Resolution, At: q.HandledAt}
		}
		// Whoever handled it lost their access (revoked, hired back as a
		// cashier, or moved to another store) or blocked the bot (their
		// customer's answers go to the owners): the thread passes to the
		// one who takes it now, or the customer is left unheard.
		q.HandledBy = 0
	}
	if resolution == ResolutionReplied || resolution == ResolutionWillReply {
		if c.Erased {
			return q, c, ErrCustomerErased
		}
		if c.Unreachable || c.ChatID == 0 {
			return q, c, ErrCustomerUnreachable
		}
	}
	if resolution == ResolutionWillReply {
		return q, c, nil
	}
	// The first handling is recorded, No answer needed, and a reply after
	// No answer needed (a change of mind): the customer got an answer.
	if q.HandledBy == 0 || resolution == ResolutionResolved || q.Resolution == ResolutionResolved {
		q.HandledBy, q.HandledAt, q.Resolution = st.ID, s.Now(), resolution
		if err := tx.MarkInquiryHandled(ctx, q.ID, st.ID, resolution, q.HandledAt); err != nil {
			return nil, nil, err
		}
	}
	return q, c, nil
}
