package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Manual corrections: an owner or a manager adds points a customer should
// have had (a purchase made without the card, a promise at the counter)
// or takes back points given by mistake, with a reason the customer reads.
const (
	// MaxAdjustPoints bounds one correction either way.
	MaxAdjustPoints = 100_000
	// MaxAdjustReasonRunes bounds its reason.
	MaxAdjustReasonRunes = 200
)

// AuditAdjust is a manual correction in the audit log (its detail is the
// signed points and the reason).
const AuditAdjust = "points_adjust"

// ParseAdjustment reads a correction typed by staff: "+50" or "50" adds,
// "-30" (also with the typographic minus or a dash) takes away; the digits
// as ParsePoints reads them ("+1 000"). Errors are ParsePoints's.
func ParseAdjustment(s string) (int64, error) {
	s = strings.TrimSpace(s)
	sign := int64(1)
	for _, minus := range []string{"-", "−", "–", "—"} {
		if rest, ok := strings.CutPrefix(s, minus); ok {
			s, sign = rest, -1
			break
		}
	}
	if sign > 0 {
		s = strings.TrimPrefix(s, "+")
	}
	n, err := ParsePoints(s, MaxAdjustPoints)
	return sign * n, err
}

// ParseAdjustReason checks a correction's reason: the customer reads it,
// so it is required, one line of at most MaxAdjustReasonRunes.
func ParseAdjustReason(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxAdjustReasonRunes {
		return "", Invalid("error.adjust.reason")
	}
	return s, nil
}

// PointsAdjusted: an owner or a manager corrected a customer's points by
// hand; the customer is told why.
type PointsAdjusted struct {
	Customer *Customer
	By       *Staff
	Entry    LedgerEntry
	Reason   string
}

func (PointsAdjusted) eventName() string { return "points_adjusted" }

// ErrAdjustTooMuch: a correction would take more points than the card
// holds (a balance never goes negative).
var ErrAdjustTooMuch = errors.New("the card holds fewer points")

// AdjustPoints adds (points > 0) or takes back (points < 0) points on the
// customer's card with a reason, once per key (a second Confirm, a
// redelivered update: created is false and nothing changes). Owners and
// managers only; it is audited and records PointsAdjusted. Taking more
// than the balance is ErrAdjustTooMuch (wrapped, with the balance in the
// returned entry's BalanceAfter); a customer who left the program is
// ErrNotFound.
func (s *Service) AdjustPoints(ctx context.Context, tx Tx, by *Staff, customerID, points int64, reason, key string) (LedgerEntry, bool, error) {
	if !by.CanManage() {
		return LedgerEntry{}, false, Invalid("staff.only_managers")
	}
	if points == 0 || points > MaxAdjustPoints || points < -MaxAdjustPoints {
		return LedgerEntry{}, false, Invalid("error.points.too_large")
	}
	reason, err := ParseAdjustReason(reason)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	c, err := tx.FindCustomerByID(ctx, customerID)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	if c.Erased || !c.Member() {
		return LedgerEntry{}, false, ErrNotFound
	}
	if by.OwnCard(c) {
		// Nobody gives themselves points, as at the register.
		return LedgerEntry{}, false, Invalid("adjust.own")
	}
	if err := CustomerOfStaff(ctx, tx, by, c); err != nil {
		return LedgerEntry{}, false, err
	}
	found, err := tx.FindCardByCustomer(ctx, c.ID)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	card, err := tx.LockCard(ctx, found.ID)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	// Points past their date go first: a deduction must not take them,
	// nor the card show them.
	if _, err := ExpireCard(ctx, tx, s.Program(), card, s.Now()); err != nil {
		return LedgerEntry{}, false, err
	}
	// The ledger is append-only and outlives an erasure: it names who
	// made the correction, and the reason, which may well be personal,
	// stays in the audit log (blanked by an erasure) and the message.
	e := LedgerEntry{CardID: card.ID, Kind: LedgerAdjust, Amount: points, Reason: fmt.Sprintf("staff %d", by.ID),
		IdempotencyKey: "adjust:" + key}
	var row LedgerEntry
	var created bool
	if points > 0 {
		row, created, err = s.creditKept(ctx, tx, card, c, e)
	} else {
		var lots []Lot
		if lots, err = tx.ListOpenLots(ctx, card.ID); err != nil {
			return LedgerEntry{}, false, err
		}
		uses, aerr := allocateReversal(lots, -points)
		if aerr != nil {
			// A repeat of a correction already made finds the points gone:
			// it is the first one's answer, not an error.
			if prev, ok, err := tx.FindLedgerByKey(ctx, e.IdempotencyKey); err != nil || ok {
				return prev, false, err
			}
			return LedgerEntry{BalanceAfter: card.Balance}, false, fmt.Errorf("%w: %d to take, %d held", ErrAdjustTooMuch, -points, card.Balance)
		}
		row, created, err = debit(ctx, tx, e, uses)
	}
	if err != nil || !created {
		return row, created, err
	}
	err = tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditAdjust, CustomerID: c.ID,
		Detail: fmt.Sprintf("%+d %s", points, reason), At: s.Now(), LedgerID: row.ID})
	if err != nil {
		return row, true, err
	}
	return row, true, s.emit(ctx, tx, PointsAdjusted{Customer: c, By: by, Entry: row, Reason: reason})
}

// creditKept credits points a person of the shop gives by hand (a
// correction, goodwill) as regular points, but on a card idle past the
// program's RegularExpiryDays, where regular points go whole at the next
// read, as a lot of their own that lives that term from now, through its
// last day: points the customer was just told of must not vanish.
func (s *Service) creditKept(ctx context.Context, tx Tx, card *Card, c *Customer, e LedgerEntry) (LedgerEntry, bool, error) {
	keep, err := idleKeep(ctx, tx, s.Program(), card, 0, s.Now(), s.zoneOf(ctx, tx, c.JoinedStoreID))
	if err != nil {
		return LedgerEntry{}, false, err
	}
	if !keep.IsZero() {
		e.ExpiresAt = keep
		return Credit(ctx, tx, e, LotPromo)
	}
	return Credit(ctx, tx, e, LotRegular)
}
