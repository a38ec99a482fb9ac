package flows

import (
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// showRewards is /rewards, the prize road map: the balance and level, the
// prizes the points pay now, the ones closest ("120 points to a free
// coffee"), what the next level takes ("1 500 ₽ more to Silver") and the
// nearest badges.
func showRewards(s *Session) error {
	m, err := s.e.Service.RoadMap(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(s.T("rewards.header", map[string]any{"Balance": s.points(m.Balance),
		"Tier": m.Tier.NameIn(s.Lang), "Rate": percent(m.Tier.EarnBP, s.Lang)}))
	b.WriteString(s.welcomeWaitsLine(m.Held))
	if s.e.Business.Gamification.Stamps.Enabled {
		card, err := s.Tx.FindCardByCustomer(s.Ctx, s.Customer.ID)
		if err != nil {
			return err
		}
		line, err := s.cardStampLine(card.ID)
		if err != nil {
			return err
		}
		b.WriteString("\n" + line)
	}
	if len(m.Affordable) > 0 {
		var names []string
		for _, r := range m.Affordable {
			names = append(names, s.T("rewards.item", map[string]any{"Reward": r.TitleIn(s.Lang), "Price": s.points(r.Points)}))
		}
		b.WriteString("\n\n" + s.T("rewards.affordable", map[string]any{"Rewards": joinLines(names)}))
	}
	if len(m.Ahead) > 0 {
		b.WriteString("\n\n" + s.T("rewards.ahead", nil))
		for _, st := range m.Ahead {
			b.WriteString("\n• " + s.prizeDistance(st))
		}
	}
	b.WriteString("\n\n")
	if m.HasNext {
		b.WriteString(s.T("rewards.next_tier", map[string]any{"Amount": s.e.money(m.ToNext, s.Lang),
			"Tier": m.Next.NameIn(s.Lang), "Rate": percent(m.Next.EarnBP, s.Lang)}))
	} else {
		b.WriteString(s.T("rewards.top_tier", map[string]any{"Tier": m.Tier.NameIn(s.Lang)}))
	}
	if len(m.Badges) > 0 {
		b.WriteString("\n\n" + s.T("rewards.badges", nil))
		for _, st := range m.Badges {
			b.WriteString("\n" + s.badgeStepLine(st))
		}
	}
	row := []Button{{Text: s.T("card.show", nil), Data: action("card", "show")}}
	if s.e.isOffered("badges") { // as the menus: a badge anyone can earn here
		row = append(row, Button{Text: s.T("badges.button", nil), Data: action("badges", "show")})
	}
	s.Send(Reply{Text: b.String(), Inline: [][]Button{row}})
	return s.e.resume(s)
}

// prizeDistance says how far a prize is: "120 points to a free coffee".
func (s *Session) prizeDistance(st domain.RewardStep) string {
	return s.T("rewards.distance", map[string]any{"Missing": s.points(st.Missing),
		"Reward": st.Reward.TitleIn(s.Lang), "Price": s.points(st.Reward.Points)})
}

// cardPrizeLines are the card's lines about prizes: the dearest one the
// points pay for now, to ask for at the register, and the closest one
// ahead ("" when no prize is configured).
func (s *Session) cardPrizeLine(balance int64) string {
	var b strings.Builder
	if r, ok := s.e.Business.Gamification.BestPrize(balance); ok {
		b.WriteString("\n" + s.T("rewards.card_affordable", map[string]any{"Reward": r.TitleIn(s.Lang)}))
	}
	if st, ok := s.e.Business.Gamification.NextPrize(balance); ok {
		b.WriteString("\n" + s.prizeDistance(st))
	}
	return b.String()
}

func init() {
	registerCommand("rewards", MenuCustomer, 80, membersOnly(showRewards))
}
