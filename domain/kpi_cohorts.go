package domain

import (
	"context"
	"time"
)

// CohortMonths is how many months of joining the cohort table shows.
const CohortMonths = 12

// CohortRow is what the storage counts for the cohort table: members who
// joined in a month (Month counts months since year 0: year×12 + month-1)
// whose last purchase fell LastMonth months after it (-1: never bought).
type CohortRow struct {
	Month     int
	LastMonth int
	Members   int
}

// Cohort is one row of the cohort table: the members who joined in a
// month, and of them how many still bought in each month after (month 0
// is the month of joining). "Still buying" in month k means a purchase in
// that month or later (rolling retention, read from each member's last
// purchase), so the row never rises.
type Cohort struct {
	Year     int
	Month    time.Month
	Members  int
	Retained []int // Retained[k]: still buying k months after; up to the current month
}

// Share is Retained[k] of Members in tenths of a percent.
func (c Cohort) Share(k int) int { return Rate(c.Retained[k], c.Members) }

// Cohorts reads the cohort table of the last CohortMonths months of
// joining (the current one included) for a store (0: all), by months in
// loc (the store's time zone).
func (s *Service) Cohorts(ctx context.Context, tx Tx, shopID int64, loc *time.Location) ([]Cohort, error) {
	now := s.Now().In(loc)
	first := time.Date(now.Year(), now.Month()-CohortMonths+1, 1, 0, 0, 0, 0, loc)
	rows, err := tx.ReadCohorts(ctx, s.kpiQuery(Period{From: first, To: now}, shopID), loc)
	if err != nil {
		return nil, err
	}
	return BuildCohorts(rows, first, now), nil
}

// BuildCohorts turns the storage's counts into the table: one cohort per
// month from first to now (months nobody joined in are left out), each
// with as many columns as months have begun since.
func BuildCohorts(rows []CohortRow, first, now time.Time) []Cohort {
	idx := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
	from, to := idx(first), idx(now)
	var out []Cohort
	for m := from; m <= to; m++ {
		c := Cohort{Year: m / 12, Month: time.Month(m%12 + 1), Retained: make([]int, to-m+1)}
		for _, r := range rows {
			if r.Month != m {
				continue
			}
			c.Members += r.Members
			for k := 0; k <= r.LastMonth && k < len(c.Retained); k++ {
				c.Retained[k] += r.Members
			}
		}
		if c.Members > 0 {
			out = append(out, c)
		}
	}
	return out
}

// StaffKPI is one staff member's line of /stats staff for a period: the
// customers they signed up at the register (through their own join link)
// and how many of those bought at least twice since, the checkouts they
// rang up, and the ratings of those visits.
type StaffKPI struct {
	StaffID   int64
	Name      string
	Role      Role
	ShopID    int64
	Active    bool
	SignedUp  int
	Repeaters int
	Checkouts int
	Ratings   int
	StarsSum  int64
	Prizes    int // prizes of [[rewards]] they gave that stand
	// OwnCancels counts the purchases they rang up in the period and
	// cancelled themselves (Program.CashierCancelMinutes).
	OwnCancels int
	// Answered counts the customers they answered: who got their reply
	// to a question of the period, or to a bad rating of it (a reply or
	// points), each customer once.
	Answered int
	// Returns counts the returns of items they took in the period (of
	// purchases of any day, at the store); Refunded the money those paid
	// back, as /today tells them.
	Returns  int
	Refunded int64
}

// RepeatRate is the share of the customers they signed up who bought at
// least twice, in tenths of a percent.
func (k StaffKPI) RepeatRate() int { return Rate(k.Repeaters, k.SignedUp) }

// AverageStars is the average rating of their visits in tenths of a star.
func (k StaffKPI) AverageStars() int { return int(divRound(k.StarsSum*10, int64(k.Ratings))) }

// StaffKPIs reads the staff lines of a period for a store (0: all): the
// store's active cashiers, and anyone with a sign-up, a checkout, a
// rating, a prize, an answer or a return in it.
func (s *Service) StaffKPIs(ctx context.Context, tx Tx, p Period, shopID int64) ([]StaffKPI, error) {
	if !p.From.Before(p.To) {
		return nil, Invalid("stats.period.invalid")
	}
	return tx.ReadStaffKPIs(ctx, s.kpiQuery(p, shopID))
}
