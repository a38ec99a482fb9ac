package domain

import (
	"context"
)

// SetName sets the name the program calls the customer (and the cashier
// sees), typed at joining or changed later in /profile. Errors are
// ParseFirstName's.
func (s *Service) SetName(ctx context.Context, tx Tx, c *Customer, raw string) error {
	name, err := ParseFirstName(raw)
	if err != nil {
		return err
	}
	c.FirstName = name
	return tx.UpdateCustomer(ctx, c)
}

// SetPhone sets the customer's phone, at joining or changed later in
// /profile: shared is true when it came from the account's own contact
// (it then takes the number from a member who only typed it). Errors are
// ParsePhone's, and ErrConflict for another member's number. A member's
// old shared number is remembered as one whose welcome bonus was given,
// as an erased member's is: changing numbers frees none for a second
// bonus (the account itself is known too).
func (s *Service) SetPhone(ctx context.Context, tx Tx, c *Customer, raw string, shared bool) error {
	read := s.Business.ParsePhone
	if shared {
		read = s.Business.SharedPhone
	}
	phone, err := read(raw)
	if err != nil {
		return err
	}
	if phone == c.Phone && !shared {
		return nil
	}
	verified, err := tx.SetCustomerPhone(ctx, c.ID, phone, shared)
	if err != nil {
		return err
	}
	// Only a number that was the member's own (shared) is remembered: a
	// typed one is anybody's (GrantWelcome), and a typo corrected must not
	// keep the number's real owner from a welcome bonus of their own.
	if old := c.Phone; old != "" && old != phone && c.Member() && verified {
		if err := tx.RetirePhone(ctx, PhoneHash(s.Salt, old), s.Now()); err != nil {
			return err
		}
	}
	c.Phone = phone
	return nil
}
