package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// weeklyStats sums each week given by its start, end and the start of the
// active window before its end ($1, $2, $3, computed by the domain from
// the business clock) in one statement: members by joining time, active
// customers (members who bought anywhere, as /stats counts them), receipts
// not cancelled and ratings. $4 is a store (0: all),
// $5 the highest bad rating.
const weeklyStats = `SELECT w.s AS start, m.members, m.new_members, a.active, r.revenue, r.receipts,
		f.ratings, f.stars, f.bad
	FROM unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[]) AS w(s, e, af)
	CROSS JOIN LATERAL (
		SELECT count(*) AS members, count(*) FILTER (WHERE c.joined_at >= w.s) AS new_members
		FROM customers c WHERE c.joined_at < w.e AND c.erased_at IS NULL AND ($4 = 0 OR c.joined_store_id = $4)) m
	CROSS JOIN LATERAL (
		SELECT count(DISTINCT p.customer_id) AS active FROM purchases p JOIN customers c ON c.id = p.customer_id
		WHERE p.created_at >= w.af AND p.created_at < w.e AND p.cancelled_at IS NULL
		  AND c.joined_at < w.e AND c.erased_at IS NULL AND ($4 = 0 OR c.joined_store_id = $4)) a
	CROSS JOIN LATERAL (
		SELECT coalesce(sum(p.amount), 0)::bigint AS revenue, count(*) AS receipts FROM purchases p
		WHERE p.created_at >= w.s AND p.created_at < w.e AND p.cancelled_at IS NULL
		  AND ($4 = 0 OR p.store_id = $4)) r
	CROSS JOIN LATERAL (
		SELECT count(*) AS ratings, coalesce(sum(f.stars), 0)::bigint AS stars,
			count(*) FILTER (WHERE f.stars <= $5) AS bad
		FROM feedback f WHERE f.created_at >= w.s AND f.created_at < w.e
		  AND ($4 = 0 OR f.store_id = $4) AND ` + liveFeedback + `) f
	ORDER BY w.s`

type weekRow struct {
	Start      time.Time `db:"start"`
	Members    int       `db:"members"`
	NewMembers int       `db:"new_members"`
	Active     int       `db:"active"`
	Revenue    int64     `db:"revenue"`
	Receipts   int       `db:"receipts"`
	Ratings    int       `db:"ratings"`
	Stars      int       `db:"stars"`
	Bad        int       `db:"bad"`
}

// WeeklyStats sums the weeks of q.
func (t *tx) WeeklyStats(ctx context.Context, q domain.WeeklyQuery) ([]domain.WeekStats, error) {
	n := len(q.Bounds) - 1
	if n < 1 {
		return nil, nil
	}
	starts, ends, active := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i := range n {
		starts[i], ends[i] = q.Bounds[i], q.Bounds[i+1]
		end := ends[i]
		if !q.Now.IsZero() && end.After(q.Now) {
			end = q.Now // the current week: active by now
		}
		active[i] = end.AddDate(0, 0, -q.ActiveDays)
	}
	rows, _ := t.tx.Query(ctx, weeklyStats, starts, ends, active, q.ShopID, q.BadAtMost)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[weekRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.WeekStats, len(rs))
	for i, r := range rs {
		out[i] = domain.WeekStats(r)
		out[i].Start = starts[i] // the caller's time zone, not the session's
	}
	return out, nil
}

// MarkJobRun records a job's tick once.
func (t *tx) MarkJobRun(ctx context.Context, job string, occurrence, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO job_runs (job, occurrence, ran_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, job, t.stamp(occurrence), t.stamp(at))
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() == 1, nil
}

// LastJobRun is the job's latest recorded occurrence, zero for none.
func (t *tx) LastJobRun(ctx context.Context, job string) (time.Time, error) {
	var last *time.Time
	if err := t.tx.QueryRow(ctx, `SELECT max(occurrence) FROM job_runs WHERE job = $1`, job).Scan(&last); err != nil {
		return time.Time{}, mapErr(err)
	}
	if last == nil {
		return time.Time{}, nil
	}
	return *last, nil
}

// LastJobRanAt is when the job's latest recorded run ran, zero for none.
func (t *tx) LastJobRanAt(ctx context.Context, job string) (time.Time, error) {
	var last *time.Time
	if err := t.tx.QueryRow(ctx, `SELECT max(ran_at) FROM job_runs WHERE job = $1`, job).Scan(&last); err != nil {
		return time.Time{}, mapErr(err)
	}
	if last == nil {
		return time.Time{}, nil
	}
	return *last, nil
}

// ForgetJobRuns deletes the job's records older than before.
func (t *tx) ForgetJobRuns(ctx context.Context, job string, before time.Time) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM job_runs WHERE job = $1 AND occurrence < $2`, job, before)
	return mapErr(err)
}

// MarkWeeklyReport records the week's report once.
func (t *tx) MarkWeeklyReport(ctx context.Context, week, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO weekly_reports (week_start, sent_at) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, week, t.stamp(at))
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() == 1, nil
}
