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

// exportInviteCode is the member's own invite code (/invite) and its link.
type exportInviteCode struct {
	Code      string    `json:"code"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
}

// exportInvited is the record that the customer joined through a friend's
// invite: when, why it brings no bonus (same_phone, member_before), when
// their first purchase completed it and when a cancellation or full return
// made it void. Who invited them is the friend's data and is left out.
type exportInvited struct {
	JoinedAt    time.Time  `json:"joined_at"`
	NoBonus     string     `json:"no_bonus_because,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	VoidedAt    *time.Time `json:"voided_at,omitempty"`
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
	code, err := s.Tx.FindReferralCode(s.Ctx, c.ID)
	if err != nil && !isNotFound(err) {
		return err
	}
	if code != nil {
		out.InviteCode = &exportInviteCode{Code: code.Code, Link: ReferralLink(s.e.BotUsername, code.Code),
			CreatedAt: code.CreatedAt.UTC()}
	}
	ref, err := s.Tx.FindReferralOf(s.Ctx, c.ID)
	if err != nil && !isNotFound(err) {
		return err
	}
	if ref != nil {
		row := &exportInvited{JoinedAt: ref.JoinedAt.UTC(), NoBonus: ref.Refused}
		if !ref.CompletedAt.IsZero() {
			t := ref.CompletedAt.UTC()
			row.CompletedAt = &t
		}
		if !ref.VoidedAt.IsZero() {
			t := ref.VoidedAt.UTC()
			row.VoidedAt = &t
		}
		out.Invited = row
	}
	return nil
}
