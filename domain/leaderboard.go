package domain

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// LeaderboardEntry is a customer's place in the leaderboard settings: asked
// once (AskedAt), on it only when they said so (OptedIn), shown under a
// pseudonym (Alias: their chosen nickname, or first name and initial).
type LeaderboardEntry struct {
	CustomerID int64
	OptedIn    bool
	Alias      string
	AskedAt    time.Time
}

// LeaderRow is one line of a store's monthly board.
type LeaderRow struct {
	Place int
	Alias string
	Score int64
	Me    bool
}

// LeaderQuery asks for a store's board over [From, To).
type LeaderQuery struct {
	ShopID     int64
	From, To   time.Time
	Metric     string // LeaderVisits or LeaderPoints
	Limit      int
	CustomerID int64 // whose own place is added below the top
}

// LeaderBoard is the top of a store's month, the customer's own row (nil
// when they are not on it or have no score) and how many are ranked.
type LeaderBoard struct {
	Shop   *Shop
	Month  time.Time // local start of the month
	Metric string
	Top    []LeaderRow
	Me     *LeaderRow
	Ranked int
}

// LeaderboardStore keeps who is on the leaderboard and ranks them.
type LeaderboardStore interface {
	// FindLeaderboardEntry reads a customer's choice (ErrNotFound: never
	// asked).
	FindLeaderboardEntry(ctx context.Context, customerID int64) (*LeaderboardEntry, error)
	// SaveLeaderboardEntry writes a customer's choice.
	SaveLeaderboardEntry(ctx context.Context, e LeaderboardEntry) error
	// RankLeaders ranks the opted-in customers of a store by the metric
	// over the period, set-based: the top Limit and the customer's row.
	RankLeaders(ctx context.Context, q LeaderQuery) (top []LeaderRow, me *LeaderRow, ranked int, err error)
}

// Nickname limits: long enough to be a name, short enough for a line.
const (
	minNickname = 2
	maxNickname = 20
	// maxNicknameDigits keeps phone numbers out of a public board.
	maxNicknameDigits = 4
)

// ParseNickname checks a nickname for the public board: 2-20 letters,
// digits, spaces, '.', '-' or '_', at most 4 digits (no phone numbers),
// spaces collapsed. An apostrophe between two letters counts as part of
// the word, as in the Uzbek "O'tkir" or "D'Artagnan". Errors wrap
// ErrInvalid with reason "top.nickname.invalid".
func ParseNickname(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n < minNickname || n > maxNickname {
		return "", &ValidationError{Reason: "top.nickname.invalid", Detail: "length"}
	}
	digits, letters := 0, 0
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '_':
		case strings.ContainsRune("'‘’", r) && i > 0 && i < len(runes)-1 &&
			unicode.IsLetter(runes[i-1]) && unicode.IsLetter(runes[i+1]):
		default:
			return "", &ValidationError{Reason: "top.nickname.invalid", Detail: "character"}
		}
	}
	if digits > maxNicknameDigits || letters == 0 {
		return "", &ValidationError{Reason: "top.nickname.invalid", Detail: "digits"}
	}
	return s, nil
}

// DefaultAlias is the pseudonym of a customer who picks no nickname: the
// first name and the initial of the last name when Telegram gives one
// ("Anna K."), else the first name.
func DefaultAlias(firstName, lastName string) string {
	first := strings.TrimSpace(firstName)
	if first == "" {
		first = "?"
	}
	for _, r := range strings.TrimSpace(lastName) {
		if unicode.IsLetter(r) {
			return first + " " + string(unicode.ToUpper(r)) + "."
		}
		break
	}
	return first
}

// LeaderboardEntry reads a customer's leaderboard choice; nil when they
// were never asked.
func (s *Service) LeaderboardEntry(ctx context.Context, tx Tx, c *Customer) (*LeaderboardEntry, error) {
	e, err := tx.FindLeaderboardEntry(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return e, err
}

// AskedAboutLeaderboard records that the customer was asked, so they are
// never asked again; it changes nothing for someone asked before.
func (s *Service) AskedAboutLeaderboard(ctx context.Context, tx Tx, c *Customer) error {
	e, err := s.LeaderboardEntry(ctx, tx, c)
	if err != nil || e != nil {
		return err
	}
	return tx.SaveLeaderboardEntry(ctx, LeaderboardEntry{CustomerID: c.ID, AskedAt: s.Now()})
}

// JoinLeaderboard puts the customer on the board under alias (checked by
// ParseNickname when it is their own nickname).
func (s *Service) JoinLeaderboard(ctx context.Context, tx Tx, c *Customer, alias string) error {
	return tx.SaveLeaderboardEntry(ctx, LeaderboardEntry{CustomerID: c.ID, OptedIn: true, Alias: alias, AskedAt: s.Now()})
}

// LeaveLeaderboard takes the customer off the board at once; the
// pseudonym is forgotten.
func (s *Service) LeaveLeaderboard(ctx context.Context, tx Tx, c *Customer) error {
	return tx.SaveLeaderboardEntry(ctx, LeaderboardEntry{CustomerID: c.ID, AskedAt: s.Now()})
}

// Leaderboard ranks a store's opted-in customers this month (in the
// store's time zone) by metric: the top 10 and the customer's own place.
func (s *Service) Leaderboard(ctx context.Context, tx Tx, c *Customer, shopID int64, metric string) (*LeaderBoard, error) {
	shop, loc, err := s.shop(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	if metric != LeaderVisits && metric != LeaderPoints {
		metric = s.Business.Gamification.Leaderboard.Metric
	}
	if metric != LeaderPoints {
		metric = LeaderVisits
	}
	now := s.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	b := &LeaderBoard{Shop: shop, Month: from, Metric: metric}
	b.Top, b.Me, b.Ranked, err = tx.RankLeaders(ctx, LeaderQuery{ShopID: shop.ID, From: from, To: from.AddDate(0, 1, 0),
		Metric: metric, Limit: 10, CustomerID: c.ID})
	return b, err
}
