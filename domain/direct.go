package domain

import (
	"context"
	"fmt"
)

// AuditMessage is an owner's or a manager's own message to a customer
// (written from the customer card, not in answer to the customer), in
// the audit log under who wrote it. The text is not kept.
const AuditMessage = "customer_message"

// MessageCustomer lets an owner or a manager write to a customer of their
// own accord ("your order has come", "you left your umbrella") and
// records each such message in the audit log, in the caller's
// transaction: nobody writes to a customer unseen. Others get a
// *ValidationError; a customer who is no member (or erased their data)
// is ErrNotFound, one who blocked the bot ErrCustomerUnreachable. With
// record false it only checks (the step that asks for the text).
func (s *Service) MessageCustomer(ctx context.Context, tx Tx, by *Staff, customerID int64, record bool) (*Customer, error) {
	if !by.CanManage() {
		return nil, Invalid("staff.only_managers")
	}
	c, err := tx.FindCustomerByID(ctx, customerID)
	switch {
	case err != nil:
		return nil, err
	case !c.Member() || c.Erased:
		return nil, fmt.Errorf("customer %d: %w", customerID, ErrNotFound)
	}
	if err := CustomerOfStaff(ctx, tx, by, c); err != nil {
		return nil, err
	}
	switch {
	case c.Unreachable || c.ChatID == 0:
		return c, ErrCustomerUnreachable
	case !record:
		return c, nil
	}
	return c, tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditMessage, CustomerID: c.ID, At: s.Now()})
}
