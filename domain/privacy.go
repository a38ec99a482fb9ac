package domain

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"
)

// AccountHash is the salted hash kept of an erased member's Telegram
// account, beside PhoneHash: the account had its welcome bonus, whatever
// number it types next time.
func AccountHash(salt []byte, telegramID int64) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("telegram:" + strconv.FormatInt(telegramID, 10)))
	return m.Sum(nil)
}

// Erasure is what erasing a customer keeps: salted hashes that bar a
// second welcome bonus (nil: keep none), and when it happened.
type Erasure struct {
	PhoneHash   []byte
	AccountHash []byte
	At          time.Time
}

// EraseCustomer is "delete my data", and withdrawing the personal-data
// consent, which means the same: the withdrawal is recorded (the consent
// records stay as proof, with no personal content), then every copy of
// the customer's personal data goes at once (Tx.EraseCustomer). Only a
// member had a welcome bonus decided, so only a member's phone and account
// are remembered, as salted hashes; someone who stopped half way leaves
// nothing behind.
func (s *Service) EraseCustomer(ctx context.Context, tx Tx, c *Customer) error {
	now := s.Now()
	if err := tx.AppendConsent(ctx, c.ID, Consent{
		Kind: ConsentPersonalData, Version: s.Business.ConsentVersion, Granted: false, At: now,
	}); err != nil {
		return err
	}
	e := Erasure{At: now}
	if c.Member() {
		if c.Phone != "" {
			e.PhoneHash = PhoneHash(s.Salt, c.Phone)
		}
		if c.TelegramID != 0 {
			e.AccountHash = AccountHash(s.Salt, c.TelegramID)
		}
	}
	if err := tx.EraseCustomer(ctx, c.ID, e); err != nil {
		return fmt.Errorf("erase customer %d: %w", c.ID, err)
	}
	return nil
}
