package domain

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Waitlist is "tell me when it is back" for an item that ran out: staff
// put its deep link (w_<code>) on the shop door or the shelf, customers
// who open it wait on the list, and marking the item back in stock tells
// each of them once and closes the list. The seeds' shop kept a paper
// list of phone numbers for this.
type Waitlist struct {
	ID   int64
	Code string // the value of the w_ deep link
	Name string // the item, as staff typed it
	// PhotoID is the Telegram file_id of the item's photo ("" if none):
	// Telegram keeps the picture, the bot only refers to it.
	PhotoID   string
	ShopID    int64 // the creator's store; 0: every store (an owner's list)
	CreatedBy int64 // staff id
	CreatedAt time.Time
	ClosedAt  time.Time
	ClosedBy  int64
	// Waiting counts the customers on the list (filled by the listings).
	Waiting int
}

// Closed reports whether the item was marked back in stock.
func (w *Waitlist) Closed() bool { return !w.ClosedAt.IsZero() }

// WaitingCustomer is someone to tell that an item is back: only members
// who can still be reached (not erased, not blocked) are listed.
type WaitingCustomer struct {
	CustomerID int64
	ChatID     int64
	Language   string
}

// WaitlistStore keeps waitlists and who waits on them.
type WaitlistStore interface {
	// CreateWaitlist inserts w and sets its ID; ErrConflict when the code
	// is taken (the caller draws another).
	CreateWaitlist(ctx context.Context, w *Waitlist) error
	// FindWaitlistByCode finds a list by its deep-link code (ErrNotFound).
	FindWaitlistByCode(ctx context.Context, code string) (*Waitlist, error)
	// LockWaitlist loads a list by id, locked until the transaction ends,
	// so two "back in stock" taps close it once.
	LockWaitlist(ctx context.Context, id int64) (*Waitlist, error)
	// AddToWaitlist puts a customer on a list; added is false when they
	// were on it already, ErrConflict when the list is closed (a restock
	// committed after it was read: it waits for a join under way).
	AddToWaitlist(ctx context.Context, waitlistID, customerID int64, at time.Time) (added bool, err error)
	// ListOpenWaitlists lists the open lists of a store (shopID 0: all),
	// oldest first, with the number waiting on each.
	ListOpenWaitlists(ctx context.Context, shopID int64) ([]Waitlist, error)
	// CloseWaitlist marks a list back in stock.
	CloseWaitlist(ctx context.Context, id, byStaff int64, at time.Time) error
	// ListWaitingCustomers lists the reachable customers on a list.
	ListWaitingCustomers(ctx context.Context, waitlistID int64) ([]WaitingCustomer, error)
	// ListCustomerWaitlists lists the lists a customer joined, oldest
	// first (for the data export).
	ListCustomerWaitlists(ctx context.Context, customerID int64) ([]WaitlistEntry, error)
}

// WaitlistEntry is a customer's place on a list.
type WaitlistEntry struct {
	Item     string
	JoinedAt time.Time
	ClosedAt time.Time // back in stock; zero while waiting
}

// WaitlistRestocked: an item was marked back in stock and its list closed
// now (a second tap records nothing, so nobody hears it twice). What
// follows, the message to everyone waiting, is a reaction.
type WaitlistRestocked struct{ Waitlist *Waitlist }

func (WaitlistRestocked) eventName() string { return "waitlist_restocked" }

// maxWaitlistName bounds an item name so it fits a button and a message.
const maxWaitlistName = 60

// ParseWaitlistName cleans the item name staff type: spaces collapsed,
// 1-60 characters, no control or invisible characters. Errors are
// *ValidationError with reason "waitlist.name.invalid".
func ParseWaitlistName(s string) (string, error) {
	bad := &ValidationError{Reason: "waitlist.name.invalid"}
	if !utf8.ValidString(s) || len(s) > 8*maxWaitlistName {
		return "", bad
	}
	name := strings.Join(strings.Fields(s), " ")
	for _, r := range name {
		if r != '\u200c' && r != '\u200d' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r)) {
			return "", bad
		}
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > maxWaitlistName {
		return "", bad
	}
	return name, nil
}

// CanCloseWaitlist says who may mark a list back in stock: owners,
// managers of its store (or of every store), and the person who made it.
// Cashiers make lists at the shelf; telling everyone the item is back is
// a promise the shop keeps, so other cashiers do not close them.
func (s *Staff) CanCloseWaitlist(w *Waitlist) bool {
	switch {
	case !s.Active():
		return false
	case s.ID == w.CreatedBy, s.Role == RoleOwner:
		return true
	case s.Role == RoleManager:
		return s.ShopID == 0 || s.ShopID == w.ShopID
	}
	return false
}

// CreateWaitlist makes a list for an item that ran out. Any active staff
// member may; the list belongs to their store. A bad name gives a
// *ValidationError.
func (s *Service) CreateWaitlist(ctx context.Context, tx WaitlistStore, by *Staff, name, photoID string) (*Waitlist, error) {
	if !by.CanCheckout() {
		return nil, Invalid("waitlist.only_staff")
	}
	name, err := ParseWaitlistName(name)
	if err != nil {
		return nil, err
	}
	for {
		w := &Waitlist{Code: newWaitlistCode(), Name: name, PhotoID: photoID, ShopID: by.ShopID,
			CreatedBy: by.ID, CreatedAt: s.Now()}
		err := tx.CreateWaitlist(ctx, w)
		if !errors.Is(err, ErrConflict) {
			return w, err
		}
	}
}

// newWaitlistCode draws 8 random characters of base64url: links cannot be
// guessed from one another, and "w_" + code fits any deep link.
func newWaitlistCode() string {
	b := make([]byte, 6)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// WaitlistJoin says what opening a waitlist link did.
type WaitlistJoin int

// Outcomes of JoinWaitlist.
const (
	WaitlistJoined  WaitlistJoin = iota // now on the list
	WaitlistAlready                     // was on it already: nothing changed
	WaitlistClosed                      // the item is back: the list is closed
)

// JoinWaitlist puts a member on the list with this code; opening the link
// twice changes nothing. ErrNotFound for an unknown (or forged) code.
func (s *Service) JoinWaitlist(ctx context.Context, tx WaitlistStore, code string, c *Customer) (*Waitlist, WaitlistJoin, error) {
	w, err := tx.FindWaitlistByCode(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	if w.Closed() {
		return w, WaitlistClosed, nil
	}
	added, err := tx.AddToWaitlist(ctx, w.ID, c.ID, s.Now())
	if errors.Is(err, ErrConflict) {
		return w, WaitlistClosed, nil // restocked since it was read
	}
	if err != nil || !added {
		return w, WaitlistAlready, err
	}
	return w, WaitlistJoined, nil
}

// RestockWaitlist marks an item back in stock: the list closes and
// WaitlistRestocked is recorded (its reaction tells everyone waiting). A
// list closed already gives ErrConflict and records nothing; someone who
// may not close it gets a *ValidationError.
func (s *Service) RestockWaitlist(ctx context.Context, tx Tx, by *Staff, id int64) (*Waitlist, error) {
	w, err := tx.LockWaitlist(ctx, id)
	if err != nil {
		return nil, err
	}
	if !by.CanCloseWaitlist(w) {
		return nil, Invalid("waitlist.restock.not_allowed")
	}
	if w.Closed() {
		return w, ErrConflict
	}
	w.ClosedAt, w.ClosedBy = s.Now(), by.ID
	if err := tx.CloseWaitlist(ctx, w.ID, by.ID, w.ClosedAt); err != nil {
		return nil, err
	}
	return w, s.emit(ctx, tx, WaitlistRestocked{Waitlist: w})
}
