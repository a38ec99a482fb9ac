package domain

import (
	"context"
	"time"
)

// Period is the time range an owner's report covers: From inclusive, To
// exclusive, both business time.
type Period struct {
	From, To time.Time
}

// SleepingDays ends the lifecycle's sleep: a customer who bought within
// ActiveDays (30) is active, within 90 sleeping, longer ago lost (the
// field notes' segments).
const SleepingDays = 90

// KPIQuery is what the storage needs to read a report: the period, the
// store (0: all), the business clock's now for the lifecycle, and the
// config's questionnaire size and bad-rating threshold.
type KPIQuery struct {
	Period
	ShopID   int64
	Now      time.Time
	Sections int // questionnaire sections: a profile with all complete is complete
	BadStars int // a rating at or below it is bad
	// Promotions says whether to read the purchases by promotion (the
	// config has promotions, or had: a shop without any reads nothing).
	Promotions bool
}

// PromotionStat is what a promotion's purchases in a period came to.
type PromotionStat struct {
	ID        string
	Purchases int
	Revenue   int64 // minor units
	Earned    int64 // points earned on them, the multiplier's included
}

// Extra is the points the multiplier m added to Earned (what the tier's
// rate alone would not have given), rounded down.
func (p PromotionStat) Extra(m int64) int64 {
	if m <= 1 {
		return 0
	}
	return p.Earned - (p.Earned+m-1)/m
}

// KPIs are the owners' indicators for a period and a store. The customer
// indicators are about the store's members (who joined at it); the money
// and rating indicators are about the receipts and ratings of the store.
// State indicators (reachable, consent, profile, lifecycle, repeat rate,
// outstanding points) are as of now, for members who had joined by the
// period's end; flows (new members, purchases, points issued…) are the
// period's. Counts are whole, money minor units, points whole: shares and
// averages are derived by integer arithmetic (see the methods).
type KPIs struct {
	Period Period
	ShopID int64

	Members         int // joined by the period's end, not erased
	NewMembers      int // joined in the period
	Reachable       int // the chat is open (not blocked)
	Marketing       int // with the marketing consent
	ProfileComplete int // every questionnaire section complete
	Sections        int // questionnaire sections (0: no profile to complete)

	Active, Sleeping, Lost, NeverBought int // by the last purchase, now
	Buyers, Repeaters                   int // members with ≥1 and ≥2 purchases

	Purchases    int   // live purchases in the period (at the store)
	PeriodBuyers int   // distinct customers behind them
	Revenue      int64 // their amounts, minor units

	// Returns counts the returns of items made in the period (of
	// purchases of any day); Returned is the goods' worth, Refunded the
	// money paid back. Revenue is already what stands of each purchase.
	Returns            int
	Returned, Refunded int64

	// Prizes counts the prizes of [[rewards]] given in the period (at the
	// store) that stand; PrizePoints the points they took, counted in
	// PointsRedeemed too.
	Prizes      int
	PrizePoints int64

	PointsIssued      int64 // earned on the period's purchases, plus bonuses credited in it
	PointsRedeemed    int64 // paid on the period's purchases and for its prizes
	PointsExpired     int64 // expired in the period
	PointsForfeited   int64 // left on the cards of customers who erased their data in the period
	PointsOutstanding int64 // on the members' cards now

	Ratings    int   // ratings given in the period
	StarsSum   int64 // their stars
	BadRatings int   // at or below the threshold

	// Care is how the shop answered its customers: the bad ratings and
	// the questions to the shop of the period, and how soon.
	Care CareStat

	// Nudges sums the period's nudges of every rule (the sent group
	// against the held-out group); Rule is empty.
	Nudges NudgeStat

	// ReferralJoins counts members who joined through another member's
	// r_ link in the period; Referrals says whether the program rewards
	// referrals at all (off, with nobody referred: the line says so).
	ReferralJoins int
	Referrals     bool

	// Promotions are the period's live purchases under each promotion,
	// the most purchases first (read only when KPIQuery.Promotions).
	Promotions []PromotionStat
}

// Share is n of Members in tenths of a percent.
func (k *KPIs) Share(n int) int { return Rate(n, k.Members) }

// RepeatRate is the share of buying members who bought at least twice,
// in tenths of a percent.
func (k *KPIs) RepeatRate() int { return Rate(k.Repeaters, k.Buyers) }

// Frequency is the period's purchases per buying customer in tenths (14
// is 1.4 purchases each).
func (k *KPIs) Frequency() int { return int(divRound(int64(k.Purchases)*10, int64(k.PeriodBuyers))) }

// AverageReceipt is the period's revenue per purchase, minor units.
func (k *KPIs) AverageReceipt() int64 { return divRound(k.Revenue, int64(k.Purchases)) }

// Liability is what the outstanding points would pay, in minor units.
func (k *KPIs) Liability(pointValue int64) int64 { return k.PointsOutstanding * pointValue }

// RedemptionRate is the period's redeemed points against its issued
// points, in tenths of a percent.
func (k *KPIs) RedemptionRate() int { return rate64(k.PointsRedeemed, k.PointsIssued) }

// AverageStars is the period's average rating in tenths of a star.
func (k *KPIs) AverageStars() int { return int(divRound(k.StarsSum*10, int64(k.Ratings))) }

// BadShare is the share of bad ratings in tenths of a percent.
func (k *KPIs) BadShare() int { return Rate(k.BadRatings, k.Ratings) }

// CareStat is how the shop answered the period's bad ratings and
// questions. A bad rating is handled once an owner or a manager replied,
// gave a goodwill bonus or marked it resolved; a question once someone
// replied (Answered) or marked that it needs no answer (NoAnswer). The
// medians are from the customer's message to the first handling, of the
// handled bad ratings and of the answered questions (0 with none).
type CareStat struct {
	BadHandled      int
	BadMedian       time.Duration
	Questions       int
	Answered        int
	NoAnswer        int
	QuestionsMedian time.Duration
	// ReviewInvites counts the happy customers asked to review a store
	// on the map.
	ReviewInvites int
}

// Waiting counts the period's questions nobody answered or marked.
func (c CareStat) Waiting() int { return c.Questions - c.Answered - c.NoAnswer }

// divRound is a/b rounded half up for a, b ≥ 0; 0 when b is 0.
func divRound(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return (2*a + b) / (2 * b)
}

// rate64 is Rate for int64 amounts (points).
func rate64(part, of int64) int {
	if of <= 0 {
		return 0
	}
	return int(divRound(part*1000, of))
}

// kpiQuery builds the storage query of a report.
func (s *Service) kpiQuery(p Period, shopID int64) KPIQuery {
	return KPIQuery{Period: p, ShopID: shopID, Now: s.Now(),
		Sections: len(s.Business.Questionnaire.Sections), BadStars: s.Business.Feedback.LowThreshold,
		Promotions: len(s.Business.Program.Promotions) > 0}
}

// KPIs reads the owners' indicators for a period and a store (0: all).
// A period that ends before it starts is ErrInvalid.
func (s *Service) KPIs(ctx context.Context, tx Tx, p Period, shopID int64) (*KPIs, error) {
	if !p.From.Before(p.To) {
		return nil, Invalid("stats.period.invalid")
	}
	q := s.kpiQuery(p, shopID)
	if !q.Promotions { // a live promotion (/promo) may have run
		var err error
		if q.Promotions, err = tx.AnyLivePromotion(ctx); err != nil {
			return nil, err
		}
	}
	k, err := tx.ReadKPIs(ctx, q)
	if err != nil {
		return nil, err
	}
	k.Period, k.ShopID, k.Sections = p, shopID, len(s.Business.Questionnaire.Sections)
	k.Referrals = s.Business.Gamification.Referral.Enabled || k.ReferralJoins > 0
	return k, nil
}

// KPIStore reads the owners' reports and records who signed a customer
// up. Every read is set-based SQL over indexed ranges and the
// customer_activity aggregate, never a loop over customers in Go.
type KPIStore interface {
	// ReadKPIs reads the indicators of q (the derived ones are methods of
	// KPIs).
	ReadKPIs(ctx context.Context, q KPIQuery) (*KPIs, error)
	// ReadCare reads the ratings of q's period (Ratings, StarsSum,
	// BadRatings) and how the shop answered them and the questions
	// (Care) only.
	ReadCare(ctx context.Context, q KPIQuery) (*KPIs, error)
	// ReadCohorts reads the cohorts of members who joined from q.From on
	// (by month in loc) and how many of each still bought in each month
	// after.
	ReadCohorts(ctx context.Context, q KPIQuery, loc *time.Location) ([]CohortRow, error)
	// ReadStaffKPIs reads each staff member's indicators for q.
	ReadStaffKPIs(ctx context.Context, q KPIQuery) ([]StaffKPI, error)
	// SetSignedUpBy records the cashier who signed a new member up.
	SetSignedUpBy(ctx context.Context, customerID, staffID int64) error
}
