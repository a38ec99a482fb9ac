package flows

import (
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

type exportBadge struct {
	Badge      string    `json:"badge"`
	Title      string    `json:"title"`
	Occurrence string    `json:"occurrence,omitempty"`
	Points     int64     `json:"points,omitempty"`
	At         time.Time `json:"earned_at"`
}

// exportLeaderboard is the customer's leaderboard choice and the
// pseudonym others see.
type exportLeaderboard struct {
	OnBoard   bool      `json:"on_board"`
	Pseudonym string    `json:"pseudonym,omitempty"`
	AskedAt   time.Time `json:"asked_at"`
}

type exportReferrals struct {
	Joined int `json:"joined"`
	Bought int `json:"made_a_first_purchase"`
}

// exportGames adds the badges, the leaderboard choice and the referrals.
func exportGames(s *Session, out *export) error {
	c := s.Customer
	out.Badges = []exportBadge{}
	f, err := s.Tx.BadgeFacts(s.Ctx, domain.BadgeFactsQuery{CustomerID: c.ID, Now: s.e.Now()})
	if err != nil {
		return err
	}
	for _, a := range f.Awards {
		title := a.Badge
		if b, ok := s.e.Business.Gamification.Badge(a.Badge); ok {
			title = s.e.badgeTitle(s.loc, s.Lang, b, a.Occurrence)
		}
		out.Badges = append(out.Badges, exportBadge{Badge: a.Badge, Title: title, Occurrence: a.Occurrence,
			Points: a.Points, At: a.At.UTC()})
	}
	e, err := s.e.Service.LeaderboardEntry(s.Ctx, s.Tx, c)
	if err != nil {
		return err
	}
	if e != nil {
		out.Leaderboard = &exportLeaderboard{OnBoard: e.OptedIn, Pseudonym: e.Alias, AskedAt: e.AskedAt.UTC()}
	}
	st, err := s.e.Service.ReferralStats(s.Ctx, s.Tx, c)
	if err != nil {
		return err
	}
	out.Referrals = exportReferrals{Joined: st.Joined, Bought: st.Bought}
	return nil
}
