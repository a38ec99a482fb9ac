package domain

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"
)

// How long the copies kept for running the bot live. A raw update is
// needed until it is handled (and a few days more, to look into a
// complaint about a conversation); a sent message only to look into a
// complaint about what the bot said. Both hold personal data, so they
// do not stay longer.
const (
	// UpdateRetention: raw Telegram updates are deleted this long after
	// they were handled or set aside (dead letters).
	UpdateRetention = 7 * 24 * time.Hour
	// OutboxRetention: sent or dropped outgoing messages are deleted this
	// long after they were sent or dropped.
	OutboxRetention = 30 * 24 * time.Hour
)

// PurgeExpired deletes what the retention periods no longer cover; the
// daily retention job runs it. Updates not yet handled and messages not
// yet sent are never touched.
func PurgeExpired(ctx context.Context, st Store, now time.Time) (updates, messages int64, err error) {
	if updates, err = st.PurgeUpdates(ctx, now.Add(-UpdateRetention)); err != nil {
		return 0, 0, err
	}
	if messages, err = st.PurgeOutbox(ctx, now.Add(-OutboxRetention)); err != nil {
		return updates, 0, err
	}
	return updates, messages, nil
}

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
	// KeepChat leaves the chat's conversation, messages and updates be:
	// it is a staff member's chat too, and what waits there (an alert,
	// a checkout half way) is their work, not the erased row's.
	KeepChat bool
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
		// A typed number is anybody's (GrantWelcome): remembering it would
		// keep its real owner from a welcome bonus of their own, as
		// SetPhone does not retire a typed number either.
		verified, err := tx.PhoneVerified(ctx, c.ID)
		if err != nil {
			return err
		}
		if c.Phone != "" && verified {
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

// A return, a cancellation or a prize's cancellation of an erased
// customer's card moves points on a card nobody can use any more. What
// the erasure forfeited stands for the points such a step takes back
// (the customer did not spend them: they went with the erasure), so
// restoreForfeit puts them back on the card for the step, and
// forfeitLeft takes what is on the card after it off again: the card
// stays empty, nothing is kept from a refund nor a cancellation refused
// for points "spent", and /stats counts as forfeited what the erasure
// took in the end. key names the step (its rows' idempotency keys);
// reason is the rows' reason, as the step's own rows have it (the
// purchase's or the reward's id), so the ledger export says which step
// a forfeit row of after the erasure belongs to.
func restoreForfeit(ctx context.Context, tx CardStore, card *Card, cust *Customer, key, reason string, now time.Time) error {
	if cust == nil || !cust.Erased {
		return nil
	}
	n, err := tx.ForfeitedPoints(ctx, card.ID)
	if err != nil || n <= 0 {
		return err
	}
	row, _, err := tx.AppendCredit(ctx, LedgerEntry{CardID: card.ID, Kind: LedgerForfeit, Amount: n,
		Reason: reason, IdempotencyKey: key + ":unforfeit", CreatedAt: now}, LotPromo)
	if err != nil {
		return err
	}
	card.Balance = row.BalanceAfter
	return nil
}

// ReturnBalance is the balance a return of one of the card's purchases
// reckons with (PreviewReturn): the card's, and for an erased customer
// the points the erasure forfeited, which stand for those taken back
// (restoreForfeit), so the staff's preview keeps nothing from the refund
// the return then pays.
func ReturnBalance(ctx context.Context, tx CardStore, card *Card, cust *Customer) (int64, error) {
	if cust == nil || !cust.Erased {
		return card.Balance, nil
	}
	n, err := tx.ForfeitedPoints(ctx, card.ID)
	if err != nil {
		return 0, err
	}
	return card.Balance + max(n, 0), nil
}

// forfeitLeft takes what is left on an erased customer's card off it
// again (restoreForfeit), returning the balance after: 0, or balance
// for a customer who did not erase their data.
func forfeitLeft(ctx context.Context, tx CardStore, card *Card, cust *Customer, key, reason string, balance int64, now time.Time) (int64, error) {
	if cust == nil || !cust.Erased {
		return balance, nil
	}
	lots, err := tx.ListOpenLots(ctx, card.ID)
	if err != nil {
		return 0, err
	}
	var left int64
	var uses []LotUse
	for _, l := range lots {
		if l.Remaining > 0 {
			left += l.Remaining
			uses = append(uses, LotUse{LotID: l.ID, Points: l.Remaining})
		}
	}
	if left <= 0 {
		return balance, nil
	}
	row, _, err := debit(ctx, tx, LedgerEntry{CardID: card.ID, Kind: LedgerForfeit, Amount: -left,
		Reason: reason, IdempotencyKey: key + ":forfeit", CreatedAt: now}, uses)
	if err != nil {
		return 0, err
	}
	return row.BalanceAfter, nil
}
