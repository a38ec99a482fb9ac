package domain

import (
	"context"
	"errors"
	"fmt"
)

// CustomerJoined: someone became a member (consent, phone and name given,
// a card issued, the welcome bonus decided).
type CustomerJoined struct {
	Customer *Customer
	Card     *Card
	ShopID   int64 // the store whose register poster they scanned; 0 if none
	Welcome  WelcomeOutcome
}

func (CustomerJoined) eventName() string { return "customer_joined" }

// JoinRequest completes a customer's joining.
type JoinRequest struct {
	Customer    *Customer // consent, phone and name given; saved by Join
	StoreCode   string    // from an s_<store> deep link; "" if none
	PhoneShared bool      // the phone came from the account's own contact, not typed
	// ReferralCode is the code of the r_<code> link they came through.
	ReferralCode string
	// Referrer is the member behind ReferralCode when the link was opened
	// (0: unknown): should they erase their data before the friend
	// finishes joining, their code goes, the friend's promised bonus not.
	Referrer int64
	// ReferrerPhone is the phone of Referrer's code (Referrer.PhoneHash)
	// when the link was opened: their own number brings no bonus, erased
	// or not.
	ReferrerPhone []byte
	// CodeWords are the code words they wrote (or whose p_ links they
	// opened) before or while joining: their points come with the card.
	CodeWords []string
	// Cashier is the staff id of an s_<store>_<cashier> link (the
	// cashier's own join QR): they signed the customer up. 0: none.
	Cashier int64
}

// JoinResult is a new member's card and welcome bonus.
type JoinResult struct {
	Card    *Card
	Welcome WelcomeOutcome
	AtStore bool // joined at a known store's register: the bonus pays this receipt
	// Referral says whether the friend's link will pay both of them.
	Referral ReferralOutcome
	// CodeWords is what each code word written before joining gave.
	CodeWords []CodeWordOutcome
}

// Join makes a customer a member: the store they joined at (a poster of a
// store that closed joins them anyway), the card, and the welcome bonus,
// once per person (GrantWelcome). It records CustomerJoined.
func (s *Service) Join(ctx context.Context, tx Tx, req JoinRequest) (*JoinResult, error) {
	c := req.Customer
	res := &JoinResult{}
	if req.StoreCode != "" {
		shop, err := tx.FindShopByCode(ctx, req.StoreCode)
		switch {
		case err == nil:
			c.JoinedStoreID, res.AtStore = shop.ID, true
		case errors.Is(err, ErrNotFound):
		default:
			return nil, err
		}
	}
	c.JoinedAt = s.Now()
	if err := tx.UpdateCustomer(ctx, c); err != nil {
		return nil, err
	}
	if res.AtStore && req.Cashier != 0 {
		if err := s.recordSignUp(ctx, tx, c, req.Cashier); err != nil {
			return nil, err
		}
	}
	card, err := IssueCard(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	res.Card = card
	if res.Welcome, err = s.GrantWelcome(ctx, tx, c, card, req.PhoneShared); err != nil {
		return nil, err
	}
	if res.Referral, err = s.recordReferral(ctx, tx, c, req.ReferralCode, req.Referrer, req.ReferrerPhone); err != nil {
		return nil, err
	}
	for _, word := range req.CodeWords {
		out, err := s.UseCodeWord(ctx, tx, c, word, true)
		if err != nil {
			return nil, err
		}
		if out.Word != nil {
			res.CodeWords = append(res.CodeWords, out)
		}
	}
	return res, s.emit(ctx, tx, CustomerJoined{Customer: c, Card: card, ShopID: c.JoinedStoreID, Welcome: res.Welcome})
}

// IssueCard returns the customer's card, creating it with a fresh number
// (drawn again on the rare collision) if there is none.
func IssueCard(ctx context.Context, tx CardStore, customerID int64) (*Card, error) {
	if card, err := tx.FindCardByCustomer(ctx, customerID); err == nil {
		return card, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	for range 10 {
		card, err := tx.CreateCard(ctx, customerID, NewCardNumber())
		if errors.Is(err, ErrConflict) {
			continue
		}
		return card, err
	}
	return nil, fmt.Errorf("issue card for customer %d: no free card number after 10 draws", customerID)
}

// recordSignUp credits the new member to the cashier of the link, when
// that is someone still working at the store they joined at (or at every
// store). A link of someone revoked, unknown or of another store still
// joins the customer, crediting nobody: the link's number is printed on a
// poster, not proof. Nor does a staff member who joins through their own
// link sign themselves up.
func (s *Service) recordSignUp(ctx context.Context, tx Tx, c *Customer, cashier int64) error {
	st, err := tx.FindStaffByID(ctx, cashier)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Active() || (st.ShopID != 0 && st.ShopID != c.JoinedStoreID) || st.OwnCard(c) {
		return nil
	}
	return tx.SetSignedUpBy(ctx, c.ID, st.ID)
}
