package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Code words: an owner announces a word ("AUTUMN") in a post, on a flyer
// or at an event; a member who writes it to the bot, or opens its p_
// link, gets its points once, while it runs and while uses are left.
// Someone who writes it before joining is welcomed in and gets the
// points with their card: the word brought a new member, and the
// owner's list counts those apart.

// Bounds of a code word.
const (
	MinCodeWordRunes  = 3
	MaxCodeWordRunes  = 20
	MaxCodeWordPoints = 10_000
	MaxCodeWordDays   = 366
	MaxCodeWordUses   = 1_000_000
	// CodeWordAnswersFor is how long after its end a word is still
	// answered ("AUTUMN has ended") rather than read as any other text.
	CodeWordAnswersFor = 30 * 24 * time.Hour
)

// AuditCodeWord is a code word started or stopped, in the audit log.
const AuditCodeWord = "code_word"

// LedgerCodeWord is the points of a code word; the row's reason is the word.
const LedgerCodeWord LedgerKind = "code_word"

// CodeWord is one word an owner started.
type CodeWord struct {
	ID         int64
	Word       string // upper case, as customers see it
	Points     int64
	Start, End time.Time
	MaxUses    int // 0: no limit
	// NewOnly: only someone who writes it before joining (or while
	// joining) gets its points, with the card.
	NewOnly bool
	Uses    int
	// Joined counts the uses by people who wrote the word before joining;
	// Buyers, Purchases and Revenue what those who used it bought from
	// their use on (purchases not cancelled, in minor units). Filled by
	// ListCodeWords.
	Joined    int
	Buyers    int
	Purchases int
	Revenue   int64
	CreatedBy int64
	CreatedAt time.Time
	StoppedAt time.Time
}

// Over reports whether the word no longer gives points at now: stopped,
// past its end, or every use taken.
func (w *CodeWord) Over(now time.Time) bool {
	return !w.Running(now) || w.Full()
}

// Running reports whether the word is neither stopped nor past its end
// at now (it may be full).
func (w *CodeWord) Running(now time.Time) bool { return w.StoppedAt.IsZero() && now.Before(w.End) }

// Full reports whether every use of a limited word is taken.
func (w *CodeWord) Full() bool { return w.MaxUses > 0 && w.Uses >= w.MaxUses }

// Ended is when the word stopped giving points: its stop, else its end
// (for a full word, its end too: a use may come free only by a stop).
func (w *CodeWord) Ended() time.Time {
	if !w.StoppedAt.IsZero() && w.StoppedAt.Before(w.End) {
		return w.StoppedAt
	}
	return w.End
}

// StartPayload is the value of the word's p_ deep link, "" when the word
// has letters a link cannot carry (Cyrillic): then it is only written.
func (w *CodeWord) StartPayload() string {
	p := startPrefixes[StartCodeWord] + w.Word
	if !payloadChars(w.Word) || len(p) > maxStartPayload {
		return ""
	}
	return p
}

// ParseCodeWord reads a code word as an owner types it or a customer
// writes it: one word of 3 to 20 letters and digits, with at least one
// letter (so no phone, card number or amount is ever taken for one); a
// leading '#' (copied from a post), quotes, spaces and the punctuation
// after it are dropped. It returns the word in upper case;
// errors are *ValidationError "codeword.error.word".
func ParseCodeWord(s string) (string, error) {
	bad := &ValidationError{Reason: "codeword.error.word"}
	if len(s) > 4*MaxCodeWordRunes+16 || !utf8.ValidString(s) {
		return "", bad
	}
	s = strings.TrimPrefix(strings.TrimLeft(strings.TrimSpace(s), "«\"'“„‘"), "#")
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	// The Uzbek oʻ and gʻ come with whichever apostrophe the keyboard
	// has: each is the one letter ʻ, so "sog'lom" is SOGʻLOM.
	s = apostrophes.Replace(s)
	n, letters := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
		default:
			return "", bad
		}
		n++
	}
	if n < MinCodeWordRunes || n > MaxCodeWordRunes || letters == 0 {
		return "", bad
	}
	return strings.ToUpper(s), nil
}

// CodeWordKey is what a word is found by: its upper case with Ё read as
// Е, as people type either.
func CodeWordKey(word string) string {
	return strings.ReplaceAll(strings.ToUpper(word), "Ё", "Е")
}

// CodeWordStore keeps code words and who used them.
type CodeWordStore interface {
	// CreateCodeWord inserts w (its key from w.Word) and sets its ID;
	// ErrConflict when another word of its key is open.
	CreateCodeWord(ctx context.Context, w *CodeWord) error
	// FindCodeWord finds the newest word of a key, an open one first
	// (ErrNotFound).
	FindCodeWord(ctx context.Context, key string) (*CodeWord, error)
	// FindCodeWordByID finds a word by id (ErrNotFound).
	FindCodeWordByID(ctx context.Context, id int64) (*CodeWord, error)
	// StopCodeWord stops a word that still runs at at; stopped is false
	// when it had ended or was stopped before.
	StopCodeWord(ctx context.Context, id, by int64, at time.Time) (stopped bool, err error)
	// CodeWordUsedBy reports whether the person used the word: as this
	// customer, or as one whose account or phone hash is theirs (a
	// member who erased their data and joined again).
	CodeWordUsedBy(ctx context.Context, id int64, u CodeWordUser) (bool, error)
	// ClaimCodeWord records a customer's use and counts it, in one
	// statement that takes a use only while one is left and the word
	// runs at at; uses is the count with this one (0 when none is left,
	// the word was stopped or ended, or they used it already).
	ClaimCodeWord(ctx context.Context, id int64, u CodeWordUser, at time.Time, atJoin bool) (uses int, err error)
	// ListCodeWords lists the words not ended before endedSince, newest
	// first, at most limit, with their uses at joining counted and what
	// their users bought since.
	ListCodeWords(ctx context.Context, endedSince time.Time, limit int) ([]CodeWord, error)
}

// CodeWordUser is who uses a code word: the customer, and the salted
// hashes of their Telegram account and phone (nil when unknown), which
// outlive an erasure.
type CodeWordUser struct {
	CustomerID  int64
	AccountHash []byte
	PhoneHash   []byte
}

// codeWordUser is c as a code word's user.
// A typed phone is anybody's (GrantWelcome): only a shared one is the
// person's, so only it keeps the number's owner from a second use.
func (s *Service) codeWordUser(ctx context.Context, tx Tx, c *Customer) (CodeWordUser, error) {
	u := CodeWordUser{CustomerID: c.ID}
	if c.TelegramID != 0 {
		u.AccountHash = AccountHash(s.Salt, c.TelegramID)
	}
	if c.Phone != "" {
		shared, err := tx.PhoneVerified(ctx, c.ID)
		if err != nil {
			return u, err
		}
		if shared {
			u.PhoneHash = PhoneHash(s.Salt, c.Phone)
		}
	}
	return u, nil
}

// memberBefore reports whether u's Telegram account, or the phone they
// shared, was an erased member's (as for the welcome bonus).
func (s *Service) memberBefore(ctx context.Context, tx Tx, u CodeWordUser) (bool, error) {
	if u.AccountHash != nil {
		if before, err := tx.AccountErased(ctx, u.AccountHash, s.Now()); err != nil || before {
			return before, err
		}
	}
	if u.PhoneHash == nil {
		return false, nil
	}
	return tx.PhoneErased(ctx, u.PhoneHash)
}

// CodeWordRequest is an owner's new code word.
type CodeWordRequest struct {
	Word    string // as typed (ParseCodeWord)
	Points  int64
	End     time.Time
	MaxUses int // 0: no limit
	NewOnly bool
}

// ValidateCodeWord checks a new word's figures at now (not whether a
// running word has its key: StartCodeWord does).
func ValidateCodeWord(req CodeWordRequest, now time.Time) error {
	if _, err := ParseCodeWord(req.Word); err != nil {
		return err
	}
	switch {
	case req.Points <= 0 || req.Points > MaxCodeWordPoints:
		return Invalid("codeword.error.points")
	case !req.End.After(now) || req.End.Sub(now) > MaxCodeWordDays*24*time.Hour:
		return Invalid("codeword.error.end")
	case req.MaxUses < 0 || req.MaxUses > MaxCodeWordUses:
		return Invalid("codeword.error.uses")
	}
	return nil
}

// StartCodeWord starts a code word now for an owner, records it in the
// audit log, and refuses a word whose key a running word has
// ("codeword.error.taken"), even a full one: a customer's message must
// find one word, and a member who used it must not get it again.
func (s *Service) StartCodeWord(ctx context.Context, tx Tx, by *Staff, req CodeWordRequest) (*CodeWord, error) {
	if !by.IsOwner() {
		return nil, Invalid("staff.only_owners")
	}
	now := s.Now()
	if err := ValidateCodeWord(req, now); err != nil {
		return nil, err
	}
	word, _ := ParseCodeWord(req.Word)
	if old, err := s.RunningCodeWord(ctx, tx, word); err != nil {
		return nil, err
	} else if old != nil {
		return nil, Invalid("codeword.error.taken")
	}
	w := &CodeWord{Word: word, Points: req.Points, Start: now, End: req.End, MaxUses: req.MaxUses, NewOnly: req.NewOnly,
		CreatedBy: by.ID, CreatedAt: now}
	if err := tx.CreateCodeWord(ctx, w); errors.Is(err, ErrConflict) {
		return nil, Invalid("codeword.error.taken") // another owner's, a moment ago
	} else if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("start %s %d until %s max %d", w.Word, w.Points, w.End.UTC().Format(time.RFC3339), w.MaxUses)
	if w.NewOnly {
		detail += " new"
	}
	if err := tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditCodeWord, Detail: detail, At: now}); err != nil {
		return nil, err
	}
	return w, s.emit(ctx, tx, CodeWordStarted{Word: w, By: by})
}

// RunningCodeWord is the word of word's spelling that runs now (it may
// be full), or nil: a new word of the spelling must wait for its end.
func (s *Service) RunningCodeWord(ctx context.Context, tx Tx, word string) (*CodeWord, error) {
	w, err := tx.FindCodeWord(ctx, CodeWordKey(word))
	if errors.Is(err, ErrNotFound) || err == nil && !w.Running(s.Now()) {
		return nil, nil
	}
	return w, err
}

// CodeWordStarted: an owner started a code word. The other owners hear
// at once: it gives points away.
type CodeWordStarted struct {
	Word *CodeWord
	By   *Staff
}

func (CodeWordStarted) eventName() string { return "code_word_started" }

// StopCodeWord stops word id now for an owner. One that is over already
// is ErrPromotionOver; an unknown one ErrNotFound.
func (s *Service) StopCodeWord(ctx context.Context, tx Tx, by *Staff, id int64) (*CodeWord, error) {
	if !by.IsOwner() {
		return nil, Invalid("staff.only_owners")
	}
	w, err := tx.FindCodeWordByID(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	stopped, err := tx.StopCodeWord(ctx, id, by.ID, now)
	if err != nil {
		return nil, err
	}
	if !stopped {
		return w, ErrPromotionOver
	}
	w.StoppedAt = now
	return w, tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditCodeWord, Detail: "stop " + w.Word, At: now})
}

// CodeWords lists, for an owner, the words running and those ended in the
// last 30 days, newest first (at most limit).
func (s *Service) CodeWords(ctx context.Context, tx Tx, by *Staff, limit int) ([]CodeWord, error) {
	if !by.IsOwner() {
		return nil, Invalid("staff.only_owners")
	}
	return tx.ListCodeWords(ctx, s.Now().Add(-CodeWordAnswersFor), limit)
}

// CodeWordResult is what writing a code word did.
type CodeWordResult int

// The results of UseCodeWord.
const (
	CodeWordNone     CodeWordResult = iota // no such word (or one long over): the text is something else
	CodeWordCredited                       // the points are on the card
	CodeWordUsed                           // this customer used it before
	CodeWordEnded                          // stopped or past its end
	CodeWordFull                           // every use is taken
	CodeWordNewOnly                        // for new members only, and this one joined before
)

// CodeWordOutcome is the word written and what it did.
type CodeWordOutcome struct {
	Word    *CodeWord // nil with CodeWordNone
	Result  CodeWordResult
	Balance int64 // the card's balance after the points (CodeWordCredited)
}

// FindCodeWordIn finds the word a text is, if it is one that was
// running within CodeWordAnswersFor: nil (and no error) for any other
// text.
func (s *Service) FindCodeWordIn(ctx context.Context, tx Tx, text string) (*CodeWord, error) {
	word, err := ParseCodeWord(text)
	if err != nil {
		return nil, nil
	}
	w, err := tx.FindCodeWord(ctx, CodeWordKey(word))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if now.Before(w.Start) || now.Sub(w.Ended()) > CodeWordAnswersFor {
		return nil, nil
	}
	return w, nil
}

// UseCodeWord gives member c the points of the code word text is, once
// per word and person (a member who erased their data and joined again
// is the same person), while it runs and uses are left; atJoin marks a
// word written before joining (JoinRequest.CodeWords). A text that is no
// code word is CodeWordNone, for the caller to read otherwise.
func (s *Service) UseCodeWord(ctx context.Context, tx Tx, c *Customer, text string, atJoin bool) (CodeWordOutcome, error) {
	w, err := s.FindCodeWordIn(ctx, tx, text)
	if err != nil || w == nil {
		return CodeWordOutcome{}, err
	}
	if !c.Member() {
		return CodeWordOutcome{}, fmt.Errorf("code word %s: customer %d is no member", w.Word, c.ID)
	}
	out := CodeWordOutcome{Word: w}
	now := s.Now()
	user, err := s.codeWordUser(ctx, tx, c)
	if err != nil {
		return out, err
	}
	used, err := tx.CodeWordUsedBy(ctx, w.ID, user)
	switch {
	case err != nil:
		return out, err
	case used:
		out.Result = CodeWordUsed
		return out, nil
	case !w.Running(now):
		out.Result = CodeWordEnded
		return out, nil
	case w.NewOnly && !atJoin:
		out.Result = CodeWordNewOnly
		return out, nil
	}
	if w.NewOnly { // someone who erased their data and joined again is no new member
		before, err := s.memberBefore(ctx, tx, user)
		if err != nil {
			return out, err
		} else if before {
			out.Result = CodeWordNewOnly
			return out, nil
		}
	}
	uses, err := tx.ClaimCodeWord(ctx, w.ID, user, now, atJoin)
	if err != nil {
		return out, err
	}
	if uses == 0 { // taken up, or stopped a moment ago
		if w, err = tx.FindCodeWordByID(ctx, w.ID); err != nil {
			return out, err
		}
		out.Word, out.Result = w, CodeWordFull
		if !w.Running(now) {
			out.Result = CodeWordEnded
		}
		return out, nil
	}
	w.Uses = uses
	row, _, err := s.creditGift(ctx, tx, c.ID, LedgerEntry{Kind: LedgerCodeWord, Amount: w.Points, Reason: w.Word,
		IdempotencyKey: "codeword:" + strconv.FormatInt(w.ID, 10) + ":" + strconv.FormatInt(c.ID, 10)})
	if err != nil {
		return out, err
	}
	out.Result, out.Balance = CodeWordCredited, row.BalanceAfter
	if w.Full() { // this member took the last use
		return out, s.emit(ctx, tx, CodeWordExhausted{Word: w})
	}
	return out, nil
}

// CodeWordExhausted: a member took the last use of a limited code word.
// Whoever started it hears at once, to start another while the post or
// the flyer still brings people.
type CodeWordExhausted struct {
	Word *CodeWord
}

func (CodeWordExhausted) eventName() string { return "code_word_exhausted" }
