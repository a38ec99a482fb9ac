package domain

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// Customer is a person in the loyalty program. A row exists from the moment
// they accept the personal-data consent; they are a member once JoinedAt is
// set (onboarding finished, card issued).
type Customer struct {
	ID            int64
	TelegramID    int64
	ChatID        int64
	FirstName     string
	Phone         string // E.164, empty until given
	Language      string
	JoinedStoreID int64 // the store whose register poster they scanned, 0 if none
	JoinedAt      time.Time
	Marketing     bool
	Unreachable   bool // the bot was blocked; cleared when they write again
	CreatedAt     time.Time
	// Erased: the customer deleted their data; their card is closed and
	// only anonymous history remains.
	Erased bool
}

// Member reports whether onboarding is complete.
func (c *Customer) Member() bool { return c != nil && !c.JoinedAt.IsZero() }

// Consent kinds. Personal-data consent is required to join; marketing is
// optional and governs every promotional message.
const (
	ConsentPersonalData = "personal_data"
	ConsentMarketing    = "marketing"
)

// Consent is one given or withdrawn consent with the wording version the
// customer saw, kept as proof.
type Consent struct {
	Kind    string
	Version string
	Granted bool
	At      time.Time
}

// Shop is a store of the business (a register location) from the business
// config. It is called Shop in code so that Store can name the storage.
type Shop struct {
	ID       int64
	Code     string
	Name     string
	TimeZone string
}

// Card is a customer's loyalty card. Number is the static 8-digit number;
// what the customer shows is always a fresh signed token or code.
type Card struct {
	ID         int64
	CustomerID int64
	Number     string
	Balance    int64
	CreatedAt  time.Time
}

// PhoneHash is the salted hash kept of an erased customer's phone: enough
// to refuse a second welcome bonus to the same number, useless to anyone
// without the salt.
func PhoneHash(salt []byte, phone string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("phone:" + phone))
	return m.Sum(nil)
}

// SetLanguage records the language a member chose (/language). The
// broadcasts queued for them and not sent yet (one scheduled for later,
// one still going out to a large audience), and a rating request or a
// nudge held for their hours (heldPayloads), go in it too.
func (s *Service) SetLanguage(ctx context.Context, tx Tx, c *Customer, lang string) error {
	c.Language = lang
	if err := tx.UpdateCustomer(ctx, c); err != nil {
		return err
	}
	if c.ChatID == 0 {
		return nil
	}
	return tx.RelanguageQueued(ctx, c.ChatID, lang)
}

// heldPayloads renders, for a message that waits (at after now: held for
// the quiet hours or the customer's own window), its text in each
// language of the business, so that a language change meanwhile puts the
// new one's in (RelanguageQueued); nil for a message that goes at once,
// or a business of one language.
func (s *Service) heldPayloads(at, now time.Time, render func(lang string) (json.RawMessage, error)) (map[string]json.RawMessage, error) {
	if !at.After(now) || len(s.Business.Languages) < 2 {
		return nil, nil
	}
	out := make(map[string]json.RawMessage, len(s.Business.Languages))
	for _, lang := range s.Business.Languages {
		p, err := render(lang)
		if err != nil {
			return nil, err
		}
		out[lang] = p
	}
	return out, nil
}
