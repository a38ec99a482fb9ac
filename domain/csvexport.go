package domain

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kinds of the owners' CSV exports. They are stored in the outbox and in
// the audit log: never rename one.
const (
	ExportCustomers = "customers"
	ExportPurchases = "purchases"
	ExportLedger    = "ledger"
	ExportFeedback  = "feedback"
	ExportReturns   = "returns"
	ExportPrizes    = "prizes"
	ExportQuestions = "questions"
)

// ExportKinds lists the exports in the order /export offers them.
var ExportKinds = []string{ExportCustomers, ExportPurchases, ExportReturns, ExportPrizes, ExportLedger, ExportFeedback,
	ExportQuestions}

// ExportScope is what one export may hold: Personal (names, phones, card
// numbers, personal profile answers) only for owners; ShopID limits a
// store's manager to the store (0: every store). Lang is the reader's
// language: spreadsheets where a decimal comma is written (ru, uz) split
// CSV fields at ';', so those readers get ';' and decimal commas.
type ExportScope struct {
	Kind     string `json:"kind"`
	Personal bool   `json:"personal,omitempty"`
	ShopID   int64  `json:"shop_id,omitempty"`
	Lang     string `json:"lang,omitempty"`
}

// CustomerExportRow is one member as the customers export reads them.
type CustomerExportRow struct {
	ID           int64
	FirstName    string
	Phone        string
	Language     string
	JoinedAt     time.Time
	JoinedStore  string // the store's code
	Marketing    bool
	Unreachable  bool
	Erased       bool
	CardNumber   string
	Balance      int64
	Purchases    int
	Spend        int64 // minor units, purchases not cancelled
	LastPurchase time.Time
	Answers      map[string]json.RawMessage // question id → Answer JSON (current, not skipped)
}

// PurchaseExportRow is one purchase.
type PurchaseExportRow struct {
	PublicID    string
	At          time.Time
	StoreCode   string
	CustomerID  int64
	Cashier     string // the cashier's first name; "" for the POS
	Source      string
	ReceiptID   string
	Amount      int64
	Currency    string
	Earned      int64
	Redeemed    int64
	Categories  []string
	CancelledAt time.Time
	Promotion   string // the id of the promotion that multiplied Earned
	// Returned is what returns took off the receipt; Amount, Earned and
	// Redeemed are what stands after them.
	Returned int64
	// Stamps is the stamps of the stamp card the purchase earns (see
	// Purchase.Stamps).
	Stamps int
}

// ReturnExportRow is one return of items.
type ReturnExportRow struct {
	PublicID   string
	At         time.Time
	StoreCode  string
	Purchase   string // the purchase's public id
	CustomerID int64
	Staff      string // who took it back (first name); "" for the POS
	Source     string
	ReturnRef  string // the POS's own id of the return
	Amount     int64
	Currency   string
	Refund     int64
	Taken      int64 // points the purchase earned taken off the card
	Given      int64 // points paid with it given back
	Short      int64 // points spent already, kept from the refund
}

// PrizeExportRow is one prize of [[rewards]] given.
type PrizeExportRow struct {
	PublicID    string
	At          time.Time
	StoreCode   string
	CustomerID  int64
	Staff       string // who gave it (first name); "" for the POS
	Source      string
	Reward      string // the [[rewards]] id
	Points      int64
	Stamps      int // a prize of the stamp card's
	CancelledAt time.Time
}

// LedgerExportRow is one ledger row.
type LedgerExportRow struct {
	ID           int64
	At           time.Time
	CustomerID   int64
	CardID       int64
	Kind         string
	Points       int64
	BalanceAfter int64
	Reason       string
	ExpiresAt    time.Time
}

// FeedbackExportRow is one rating.
type FeedbackExportRow struct {
	ID         int64
	At         time.Time
	StoreCode  string
	CustomerID int64
	Purchase   string // the purchase's public id; "" for the store in general
	Cashier    string
	Stars      int
	Comment    string
	Resolution string
}

// QuestionExportRow is one question to the shop.
type QuestionExportRow struct {
	ID         int64
	At         time.Time
	StoreCode  string // "" for the business as a whole
	CustomerID int64
	Text       string
	Photo      bool   // sent with a photo
	HandledBy  string // who answered or closed it (first name); "" while it waits
	HandledAt  time.Time
	Resolution string // ResolutionReplied, ResolutionResolved or ""
}

// ExportStore streams whole tables, row by row from a database cursor in
// one read-only snapshot: an export of a million customers never sits in
// memory. fn's error stops the stream and is returned.
type ExportStore interface {
	StreamCustomers(ctx context.Context, shopID int64, fn func(*CustomerExportRow) error) error
	StreamPurchases(ctx context.Context, shopID int64, fn func(*PurchaseExportRow) error) error
	StreamLedger(ctx context.Context, shopID int64, fn func(*LedgerExportRow) error) error
	StreamFeedback(ctx context.Context, shopID int64, fn func(*FeedbackExportRow) error) error
	StreamQuestions(ctx context.Context, shopID int64, fn func(*QuestionExportRow) error) error
	StreamReturns(ctx context.Context, shopID int64, fn func(*ReturnExportRow) error) error
	StreamPrizes(ctx context.Context, shopID int64, fn func(*PrizeExportRow) error) error
}

// StartExport checks that by may export kind, records the export in the
// audit log and returns its scope: owners get personal data, a store's
// manager the store's rows without it, cashiers nothing (a
// *ValidationError).
func (s *Service) StartExport(ctx context.Context, tx Tx, by *Staff, kind string) (ExportScope, error) {
	if !by.CanManage() {
		return ExportScope{}, Invalid("staff.only_managers")
	}
	if !slices.Contains(ExportKinds, kind) {
		return ExportScope{}, Invalid("export.unknown")
	}
	sc := ExportScope{Kind: kind, Personal: by.Role == RoleOwner, ShopID: by.ShopID}
	detail := kind
	if sc.Personal {
		detail += " personal"
	}
	err := tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditExport, Detail: detail, At: s.Now()})
	return sc, err
}

// ExportFileName is the document's name: the kind and the date in loc,
// the reader's (a store's manager's: their store's).
func (s *Service) ExportFileName(kind string, loc *time.Location) string {
	return kind + "-" + s.Now().In(loc).Format("2006-01-02") + ".csv"
}

// NewSpreadsheetCSV starts a CSV file for a person of lang to open in a
// spreadsheet: a UTF-8 byte order mark (else Excel reads Cyrillic as
// ANSI), and ';' between fields where a decimal comma is written, as the
// spreadsheets there split CSV.
func NewSpreadsheetCSV(w io.Writer, lang string) (*SheetWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	if DecimalComma(lang) {
		cw.Comma = ';'
	}
	return &SheetWriter{cw}, nil
}

// SheetWriter is a csv.Writer for a spreadsheet: a cell that a
// spreadsheet would run as a formula (it begins with =, +, -, @, a tab
// or a carriage return and is no number) is written with a leading
// apostrophe, so what a customer typed (a Telegram name
// "=HYPERLINK(…)", a comment, a question) stays text in the owner's
// file. Numbers ("-50", "+79991234567") stay numbers.
type SheetWriter struct{ *csv.Writer }

// Write writes one record with its cells made safe.
func (w *SheetWriter) Write(record []string) error {
	cloned := false
	for i, cell := range record {
		if formulaLike(cell) {
			if !cloned {
				record, cloned = slices.Clone(record), true // the caller's slice stays as it was
			}
			record[i] = "'" + cell
		}
	}
	return w.Writer.Write(record)
}

// formulaLike reports whether a spreadsheet would take cell for a formula.
func formulaLike(cell string) bool {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return false
	}
	digits := false
	for i, r := range cell {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case (r == '+' || r == '-') && i == 0, r == '.' || r == ',':
		default:
			return true
		}
	}
	return !digits
}

// csvMoney writes minor units as a spreadsheet of lang reads a number:
// "1500.50", or "1500,50" where a decimal comma is written; no grouping,
// no currency (its own column says it).
func csvMoney(minor int64, lang string) string {
	u := uint64(minor)
	sign := ""
	if minor < 0 {
		u, sign = -u, "-"
	}
	dec := "."
	if DecimalComma(lang) {
		dec = ","
	}
	return fmt.Sprintf("%s%d%s%02d", sign, u/100, dec, u%100)
}

// csvTime is how exports write a time: the row's store's time zone (the
// business time zone for a row of no store), a form
// spreadsheets read as a date.
const csvTime = "2006-01-02 15:04:05"

// personalQuestion reports whether answers to q identify or describe a
// person (managers' exports leave them out): free text, names, contacts,
// dates, cities and groups (a child's name and birthday).
func personalQuestion(q *Question) bool {
	switch q.Type {
	case QuestionChoice, QuestionMulti, QuestionYesNo, QuestionNumber:
		return false
	}
	return true
}

// WriteExport streams one export as CSV to w, as NewSpreadsheetCSV starts
// it for the reader's language: a header line, then a line per row as
// the store reads it. Money is in minor units and, beside them, as the
// reader's spreadsheet reads a number; points whole; a store's rows
// (purchases, returns, prizes, feedback, questions) at the store's clock
// with its time zone in a last column, time_zone; customers and the
// ledger, which belong to no one store, in the business time zone.
func (s *Service) WriteExport(ctx context.Context, st ExportStore, sc ExportScope, w io.Writer) error {
	cw, err := NewSpreadsheetCSV(w, sc.Lang)
	if err != nil {
		return err
	}
	loc := s.Business.Location()
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(csvTime)
	}
	// A row of one store is at that store's clock, as its receipt and
	// its staff say it, with the zone named in its last column.
	zones := map[string]*time.Location{}
	zoneOf := func(code string) *time.Location {
		if z, ok := zones[code]; ok {
			return z
		}
		z := loc
		if st, ok := s.Business.Store(code); ok {
			if l, err := time.LoadLocation(st.TimeZone); err == nil {
				z = l
			}
		}
		zones[code] = z
		return z
	}
	at := func(code string) func(time.Time) string {
		z := zoneOf(code)
		return func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(z).Format(csvTime)
		}
	}
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch sc.Kind {
	case ExportCustomers:
		err = s.writeCustomers(ctx, st, sc, cw, ts)
	case ExportPurchases:
		cw.Write([]string{"purchase_id", "at", "store", "customer_id", "cashier", "source", "receipt_id",
			"amount_minor", "amount", "currency", "points_earned", "points_redeemed", "categories", "cancelled_at", "promotion", "returned_minor", "stamps", "time_zone"})
		stamps := &s.Business.Gamification.Stamps
		err = st.StreamPurchases(ctx, sc.ShopID, func(r *PurchaseExportRow) error {
			n := "" // no stamp card, or a purchase under its minimum or before it
			ts := at(r.StoreCode)
			if stamps.Qualifies(r.Amount, r.At) {
				n = strconv.Itoa(r.Stamps)
			}
			return cw.Write([]string{r.PublicID, ts(r.At), r.StoreCode, i64(r.CustomerID), r.Cashier, r.Source,
				r.ReceiptID, i64(r.Amount), csvMoney(r.Amount, sc.Lang), r.Currency, i64(r.Earned), i64(r.Redeemed),
				strings.Join(r.Categories, ";"), ts(r.CancelledAt), r.Promotion, i64(r.Returned), n, zoneOf(r.StoreCode).String()})
		})
	case ExportReturns:
		cw.Write([]string{"return_id", "at", "store", "purchase_id", "customer_id", "staff", "source", "pos_return_id",
			"amount_minor", "amount", "currency", "refund_minor", "refund", "points_taken", "points_returned", "points_short", "time_zone"})
		err = st.StreamReturns(ctx, sc.ShopID, func(r *ReturnExportRow) error {
			ts := at(r.StoreCode)
			return cw.Write([]string{r.PublicID, ts(r.At), r.StoreCode, r.Purchase, i64(r.CustomerID), r.Staff, r.Source,
				r.ReturnRef, i64(r.Amount), csvMoney(r.Amount, sc.Lang), r.Currency, i64(r.Refund), csvMoney(r.Refund, sc.Lang),
				i64(r.Taken - r.Short), i64(r.Given), i64(r.Short), zoneOf(r.StoreCode).String()})
		})
	case ExportPrizes:
		cw.Write([]string{"prize_id", "at", "store", "customer_id", "staff", "source", "reward", "title", "points", "stamps", "cancelled_at", "time_zone"})
		err = st.StreamPrizes(ctx, sc.ShopID, func(r *PrizeExportRow) error {
			ts := at(r.StoreCode)
			title := r.Reward
			if rw, ok := s.Business.Gamification.Reward(r.Reward); ok {
				title = rw.TitleIn(sc.Lang)
			}
			return cw.Write([]string{r.PublicID, ts(r.At), r.StoreCode, i64(r.CustomerID), r.Staff, r.Source, r.Reward,
				title, i64(r.Points), strconv.Itoa(r.Stamps), ts(r.CancelledAt), zoneOf(r.StoreCode).String()})
		})
	case ExportLedger:
		cw.Write([]string{"id", "at", "customer_id", "card_id", "kind", "points", "balance_after", "reason", "expires_at"})
		err = st.StreamLedger(ctx, sc.ShopID, func(r *LedgerExportRow) error {
			return cw.Write([]string{i64(r.ID), ts(r.At), i64(r.CustomerID), i64(r.CardID), r.Kind, i64(r.Points),
				i64(r.BalanceAfter), r.Reason, ts(r.ExpiresAt)})
		})
	case ExportFeedback:
		cw.Write([]string{"id", "at", "store", "customer_id", "purchase_id", "cashier", "stars", "comment", "resolution", "time_zone"})
		err = st.StreamFeedback(ctx, sc.ShopID, func(r *FeedbackExportRow) error {
			return cw.Write([]string{i64(r.ID), at(r.StoreCode)(r.At), r.StoreCode, i64(r.CustomerID), r.Purchase, r.Cashier,
				strconv.Itoa(r.Stars), r.Comment, r.Resolution, zoneOf(r.StoreCode).String()})
		})
	case ExportQuestions:
		cw.Write([]string{"id", "at", "store", "customer_id", "question", "with_photo", "handled_by", "handled_at", "resolution", "wait_minutes", "time_zone"})
		err = st.StreamQuestions(ctx, sc.ShopID, func(r *QuestionExportRow) error {
			// A question to the business as a whole: the business time zone.
			ts := at(r.StoreCode)
			wait := "" // minutes to the first answer or close, rounded up
			if !r.HandledAt.IsZero() {
				wait = i64(int64((r.HandledAt.Sub(r.At) + time.Minute - 1) / time.Minute))
			}
			return cw.Write([]string{i64(r.ID), ts(r.At), r.StoreCode, i64(r.CustomerID), r.Text, strconv.FormatBool(r.Photo), r.HandledBy,
				ts(r.HandledAt), r.Resolution, wait, zoneOf(r.StoreCode).String()})
		})
	default:
		err = Invalid("export.unknown")
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (s *Service) writeCustomers(ctx context.Context, st ExportStore, sc ExportScope, cw *SheetWriter, ts func(time.Time) string) error {
	head := []string{"customer_id"}
	if sc.Personal {
		head = append(head, "first_name", "phone", "card_number")
	}
	head = append(head, "language", "joined_at", "joined_store", "marketing", "reachable", "erased",
		"balance", "purchases", "spend_minor", "spend", "last_purchase_at")
	var qs []*Question
	for i := range s.Business.Questionnaire.Questions {
		q := &s.Business.Questionnaire.Questions[i]
		if sc.Personal || !personalQuestion(q) {
			qs = append(qs, q)
			head = append(head, "profile_"+q.ID)
		}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	yes := func(b bool) string { return strconv.FormatBool(b) }
	return st.StreamCustomers(ctx, sc.ShopID, func(r *CustomerExportRow) error {
		line := []string{strconv.FormatInt(r.ID, 10)}
		if sc.Personal {
			line = append(line, r.FirstName, r.Phone, r.CardNumber)
		}
		line = append(line, r.Language, ts(r.JoinedAt), r.JoinedStore, yes(r.Marketing), yes(!r.Unreachable),
			yes(r.Erased), strconv.FormatInt(r.Balance, 10), strconv.Itoa(r.Purchases),
			strconv.FormatInt(r.Spend, 10), csvMoney(r.Spend, sc.Lang), ts(r.LastPurchase))
		// Only answers that apply, as /profile and the facts read them.
		answers := map[string]Answer{}
		for id, raw := range r.Answers {
			var a Answer
			if json.Unmarshal(raw, &a) == nil {
				answers[id] = a
			}
		}
		for _, q := range qs {
			if !s.Business.Questionnaire.Applies(q, answers) {
				line = append(line, "")
				continue
			}
			line = append(line, AnswerCSV(q, r.Answers[q.ID]))
		}
		return cw.Write(line)
	})
}

// AnswerCSV writes a stored answer as one CSV cell: text as typed, a date
// as YYYY-MM-DD, a number in digits, chosen option ids joined by ";", a
// group as its JSON.
func AnswerCSV(q *Question, raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if q.Type == QuestionGroup {
		return string(raw)
	}
	var a Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return ""
	}
	switch {
	case a.Number != nil:
		return strconv.FormatInt(*a.Number, 10)
	case a.Date != "":
		return a.Date
	case len(a.Choice) > 0:
		return strings.Join(a.Choice, ";")
	}
	return a.Text
}
