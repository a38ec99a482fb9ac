package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxNoteRunes is the longest staff note: a remark for the register
// ("prefers oat milk"), not a file on the customer.
const MaxNoteRunes = 200

// Note is a staff member's short remark about a customer, shown at the
// register and on the owners' customer card. It is personal data: an
// erasure deletes it, and the customer's own export lists it.
type Note struct {
	ID         int64
	CustomerID int64
	StaffID    int64
	StaffName  string // who wrote it, read with the note
	Text       string
	CreatedAt  time.Time
}

// ParseNote checks a typed note: 1 to MaxNoteRunes characters once
// trimmed; else a *ValidationError "error.note.length".
func ParseNote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxNoteRunes {
		return "", Invalid("error.note.length")
	}
	return s, nil
}

// Audit actions: what staff read about customers. Stored in
// audit_log.action: never rename.
const (
	AuditCustomerView = "customer_view"
	AuditExport       = "export"
)

// AuditEntry is one read of customer data by a staff member: a customer
// card viewed, an export made. Owners read the log (/audit), because the
// people most able to walk away with the customer base are the staff.
type AuditEntry struct {
	ID         int64
	StaffID    int64
	StaffName  string // read with the entry
	StaffRole  Role   // read with the entry
	Action     string
	CustomerID int64  // the card viewed (0 for an export)
	Detail     string // the export's kind, and "personal" when it held names and phones
	At         time.Time
	LedgerID   int64 // a point correction's ledger row (0: none)
}

// CustomerNudge is one nudge a customer was due, for the customer card:
// whether it was sent, held out or skipped, and what came of it.
type CustomerNudge struct {
	Rule        string
	Outcome     string
	Reason      string // why skipped (SkipCapped…)
	SendAt      time.Time
	Click       string
	ClickedAt   time.Time // a tap on the card, profile or prizes button
	DeclinedAt  time.Time // "Not interested" tapped
	ConvertedAt time.Time
	Revenue     int64
	Points      int64
	OfferUsedAt time.Time // the discount or gift honoured at the register
}

// InsightStore keeps what owners read about customers: staff notes, the
// audit log, and the nudges of the customer card (a phone is found with
// ShopEventStore.FindCustomerByPhone).
type InsightStore interface {
	// AddNote stores a note, setting its ID.
	AddNote(ctx context.Context, n *Note) error
	// ListNotes lists a customer's newest notes, newest first.
	ListNotes(ctx context.Context, customerID int64, limit int) ([]Note, error)
	// ListNudgeOutcomes lists a customer's newest nudges, newest first, with
	// what came of them (the customer card).
	ListNudgeOutcomes(ctx context.Context, customerID int64, limit int) ([]CustomerNudge, error)
	// AppendAudit records a read of customer data.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit lists the newest entries, newest first.
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)
	// ListAdjustments lists a customer's newest point corrections (their
	// audit entries), newest first.
	ListAdjustments(ctx context.Context, customerID int64, limit int) ([]AuditEntry, error)
}

// How much of a customer's history the card shows.
const (
	cardPurchases = 10
	cardFeedback  = 5
	cardInquiries = 5
	cardNudges    = 5
	cardNotes     = 10
	cardAdjusts   = 5
	// CheckoutNotes is how many notes the register shows.
	CheckoutNotes = 3
)

// CustomerCard is what an owner or manager reads about one customer.
type CustomerCard struct {
	Customer  *Customer
	Card      *Card // nil for a customer who never finished joining
	Tier      Tier
	Totals    CustomerTotals
	Purchases []Purchase // newest first
	Feedback  []Feedback // newest first
	Inquiries []Inquiry  // questions to the shop, newest first
	Nudges    []CustomerNudge
	Notes     []Note
	Answers   []StoredAnswer
	// Adjustments are the newest point corrections: who, when, the signed
	// points and the reason (AdjustmentOf reads an entry's detail).
	Adjustments []AuditEntry
}

// AdjustmentOf splits a correction's audit detail into its signed points
// and its reason ("" once the customer's data was erased).
func AdjustmentOf(e AuditEntry) (points, reason string) {
	points, reason, _ = strings.Cut(e.Detail, " ")
	return points, reason
}

// FindCustomer finds a customer by what an owner typed: a phone number in
// any usual form, the 8-digit card number, the 14-digit code under the QR
// (its number part: staff who may read cards need no one-time part), or a
// card link. Unreadable input is a *ValidationError
// "customer.lookup.unreadable"; nobody found is ErrNotFound.
func (s *Service) FindCustomer(ctx context.Context, tx Tx, query string) (*Customer, error) {
	query = strings.TrimSpace(query)
	number := ""
	if d, ok := codeDigits(query); ok {
		number = d[:cardNumberLen]
	} else if d := codeSeparators.Replace(query); len(d) == cardNumberLen && allDigits(d) {
		number = d
	}
	if number != "" {
		card, err := tx.FindCardByNumber(ctx, number)
		if err != nil {
			return nil, err
		}
		return tx.FindCustomerByID(ctx, card.CustomerID)
	}
	if ref, err := ParseCardRef(query); err == nil && ref.Token != "" {
		id, err := s.Signer.VerifyToken(ref.Token, s.Now())
		if err != nil {
			return nil, ErrNotFound
		}
		card, err := tx.FindCardByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return tx.FindCustomerByID(ctx, card.CustomerID)
	}
	phone, err := s.Business.ParsePhone(query)
	if err != nil {
		return nil, Invalid("customer.lookup.unreadable")
	}
	return findCustomerByPhone(ctx, tx, phone, query)
}

// CustomerOfStaff is nil when st may read and act on customer c (a
// button about c shown before st moved to another store included): an
// owner (or a manager of all stores) any customer; a store's manager
// those who joined or bought at their store, as their exports hold, and
// those of no store yet (joined without a store's poster, bought
// nowhere), whom any store may be helping. Anyone else is ErrNotFound,
// the answer to a customer there is not.
func CustomerOfStaff(ctx context.Context, tx Tx, st *Staff, c *Customer) error {
	if st.Role == RoleOwner || st.ShopID == 0 || c.JoinedStoreID == st.ShopID {
		return nil
	}
	ok, err := tx.BoughtAt(ctx, c.ID, st.ShopID)
	if err == nil && !ok && c.JoinedStoreID == 0 {
		var anywhere bool
		anywhere, err = tx.BoughtAt(ctx, c.ID, 0)
		ok = !anywhere
	}
	if err == nil && !ok {
		err = fmt.Errorf("customer %d of another store: %w", c.ID, ErrNotFound)
	}
	return err
}

// ViewCustomerCard reads a customer's card for an owner or a manager and
// records the view in the audit log, in the same transaction: nobody
// reads a card without leaving a trace. Others get a *ValidationError.
func (s *Service) ViewCustomerCard(ctx context.Context, tx Tx, by *Staff, c *Customer) (*CustomerCard, error) {
	if !by.CanManage() {
		return nil, Invalid("staff.only_managers")
	}
	if err := CustomerOfStaff(ctx, tx, by, c); err != nil {
		return nil, err
	}
	now := s.Now()
	cc := &CustomerCard{Customer: c}
	card, err := tx.FindCardByCustomer(ctx, c.ID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	default:
		// Points past their date the nightly job has not written off
		// yet go first, as at the register: the card shows what is there
		// (the quote reads the spend too).
		q, err := QuoteCard(ctx, tx, s.Program(), card.ID, 0, now)
		if err != nil {
			return nil, err
		}
		cc.Card, cc.Tier = q.Card, q.Tier
	}
	if cc.Totals, err = tx.CustomerTotals(ctx, c.ID); err != nil {
		return nil, err
	}
	purchases, err := tx.ListCustomerPurchases(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cc.Purchases = newestFirst(purchases, cardPurchases)
	feedback, err := tx.ListCustomerFeedback(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cc.Feedback = newestFirst(feedback, cardFeedback)
	inquiries, err := tx.ListCustomerInquiries(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	cc.Inquiries = newestFirst(inquiries, cardInquiries)
	if cc.Nudges, err = tx.ListNudgeOutcomes(ctx, c.ID, cardNudges); err != nil {
		return nil, err
	}
	if cc.Notes, err = tx.ListNotes(ctx, c.ID, cardNotes); err != nil {
		return nil, err
	}
	if cc.Adjustments, err = tx.ListAdjustments(ctx, c.ID, cardAdjusts); err != nil {
		return nil, err
	}
	if cc.Answers, err = tx.ListAnswers(ctx, c.ID, false); err != nil {
		return nil, err
	}
	err = tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditCustomerView, CustomerID: c.ID, At: now})
	return cc, err
}

// newestFirst keeps the last n of an oldest-first list, newest first.
func newestFirst[T any](xs []T, n int) []T {
	out := make([]T, 0, min(n, len(xs)))
	for i := len(xs) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, xs[i])
	}
	return out
}

// AddNote stores a staff member's note about a customer. Any active staff
// member may write one (the cashier at the register knows the customer
// best); the text is checked with ParseNote.
func (s *Service) AddNote(ctx context.Context, tx Tx, by *Staff, customerID int64, text string) (*Note, error) {
	if !by.Active() {
		return nil, Invalid("staff.only")
	}
	text, err := ParseNote(text)
	if err != nil {
		return nil, err
	}
	n := &Note{CustomerID: customerID, StaffID: by.ID, StaffName: by.FirstName, Text: text, CreatedAt: s.Now()}
	return n, tx.AddNote(ctx, n)
}

// ReadAudit lists the newest audit entries for an owner; anyone else gets
// a *ValidationError: managers are among those the log watches.
func (s *Service) ReadAudit(ctx context.Context, tx Tx, by *Staff, limit int) ([]AuditEntry, error) {
	if !by.IsOwner() {
		return nil, Invalid("staff.only_owners")
	}
	return tx.ListAudit(ctx, limit)
}
