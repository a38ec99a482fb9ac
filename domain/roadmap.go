package domain

import (
	"cmp"
	"context"
	"slices"
)

// RoadMap is the prize road map of /rewards: where the customer is, the
// next tier and what it takes, the prizes already in reach and the ones
// they are closest to, and the nearest badges.
type RoadMap struct {
	Balance int64
	// Held is a welcome bonus held for the next purchase (0: none): not
	// in Balance, so it pays for no prize until that purchase credits it.
	Held    int64
	Tier    Tier
	Next    Tier
	HasNext bool
	ToNext  int64 // minor units of spend to the next tier
	// Affordable are the prizes the balance pays now, dearest first.
	Affordable []RewardItem
	// Ahead are the prizes not in reach yet, closest first, with the
	// points missing.
	Ahead []RewardStep
	// Badges are the nearest badges not earned yet (at most two).
	Badges []BadgeStep
}

// RewardStep is a prize and the points still missing for it.
type RewardStep struct {
	Reward  RewardItem
	Missing int64
}

// maxAhead is how many prizes ahead the road map names.
const maxAhead = 3

// RoadMap reads a customer's road map at the business clock's now.
func (s *Service) RoadMap(ctx context.Context, tx Tx, c *Customer) (*RoadMap, error) {
	card, err := tx.FindCardByCustomer(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	q, err := s.QuoteCard(ctx, tx, card.ID, 0)
	if err != nil {
		return nil, err
	}
	// The quote wrote off points past their date: its card is the balance.
	card = q.Card
	m := &RoadMap{Balance: card.Balance, Held: q.Held, Tier: q.Tier, Next: q.Next, HasNext: q.HasNext, ToNext: q.ToNext}
	m.Affordable, m.Ahead = s.Business.Gamification.prizes(card.Balance)
	board, err := s.Badges(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	for _, b := range board.Next {
		if b.Total > 0 && len(m.Badges) < 2 {
			m.Badges = append(m.Badges, b)
		}
	}
	return m, nil
}

// NextPrize is the prize a balance is closest to (ok false when every
// prize is affordable or none is configured): the line on the card.
func (g *Gamification) NextPrize(balance int64) (RewardStep, bool) {
	_, ahead := g.prizes(balance)
	if len(ahead) == 0 {
		return RewardStep{}, false
	}
	return ahead[0], true
}

// BestPrize is the dearest prize a balance pays for (ok false when it
// pays for none): the card says to ask for it at the register.
func (g *Gamification) BestPrize(balance int64) (RewardItem, bool) {
	affordable, _ := g.prizes(balance)
	if len(affordable) == 0 {
		return RewardItem{}, false
	}
	return affordable[0], true
}

// prizes splits the configured prizes into those the balance pays and
// the nearest ones it does not.
func (g *Gamification) prizes(balance int64) (affordable []RewardItem, ahead []RewardStep) {
	rs := slices.Clone(g.Rewards)
	slices.SortStableFunc(rs, func(a, b RewardItem) int { return cmp.Compare(a.Points, b.Points) })
	for _, r := range rs {
		if r.ByStamps() {
			continue // the stamp card's (StampGoal)
		}
		if r.Points <= balance {
			affordable = append([]RewardItem{r}, affordable...)
		} else if len(ahead) < maxAhead {
			ahead = append(ahead, RewardStep{Reward: r, Missing: r.Points - balance})
		}
	}
	return affordable, ahead
}
