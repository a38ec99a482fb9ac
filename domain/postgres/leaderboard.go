package postgres

import (
	"context"
	"fmt"

	"github.com/loyaltybot/loyaltybot/domain"
)

// FindLeaderboardEntry reads a customer's leaderboard choice.
func (t *tx) FindLeaderboardEntry(ctx context.Context, customerID int64) (*domain.LeaderboardEntry, error) {
	e := domain.LeaderboardEntry{CustomerID: customerID}
	err := t.tx.QueryRow(ctx, `SELECT opted_in, alias, asked_at FROM leaderboard WHERE customer_id = $1`,
		customerID).Scan(&e.OptedIn, &e.Alias, &e.AskedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	return &e, nil
}

// SaveLeaderboardEntry writes a customer's choice; when they were asked
// stays the first time.
func (t *tx) SaveLeaderboardEntry(ctx context.Context, e domain.LeaderboardEntry) error {
	at := t.stamp(e.AskedAt)
	_, err := t.tx.Exec(ctx, `INSERT INTO leaderboard (customer_id, opted_in, alias, asked_at, changed_at)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (customer_id) DO UPDATE SET opted_in = EXCLUDED.opted_in, alias = EXCLUDED.alias,
			changed_at = EXCLUDED.changed_at`, e.CustomerID, e.OptedIn, e.Alias, at)
	if err != nil {
		return fmt.Errorf("save leaderboard entry: %w", mapErr(err))
	}
	return nil
}

// rankLeaders scores a store's opted-in customers over [$2, $3) walking
// the store's purchases by time (purchases_store_time): visits are local
// days with a purchase, points those earned on purchases. Ties share a
// place. $4 metric, $5 top size, $6 the customer whose row is added.
const rankLeaders = `
WITH scores AS (
SELECT p.customer_id,
       count(DISTINCT (p.created_at AT TIME ZONE st.timezone)::date) AS visits,
       sum(p.points_earned) AS points
  FROM purchases p
  JOIN stores st ON st.id = p.store_id
  JOIN leaderboard l ON l.customer_id = p.customer_id AND l.opted_in
  JOIN customers c ON c.id = p.customer_id AND c.erased_at IS NULL
 WHERE p.store_id = $1 AND p.created_at >= $2 AND p.created_at < $3 AND p.cancelled_at IS NULL
 GROUP BY p.customer_id),
placed AS (
SELECT s.customer_id, l.alias, CASE WHEN $4 = 'points' THEN s.points ELSE s.visits END AS score
  FROM scores s JOIN leaderboard l USING (customer_id)),
ranked AS (
SELECT customer_id, alias, score, rank() OVER (ORDER BY score DESC) AS place,
       row_number() OVER (ORDER BY score DESC, customer_id) AS rn, count(*) OVER () AS total
  FROM placed WHERE score > 0)
SELECT place::int, alias, score::bigint, customer_id = $6 AS me, total::int FROM ranked
 WHERE rn <= $5 OR customer_id = $6 ORDER BY rn`

// RankLeaders ranks a store's opted-in customers, set-based.
func (t *tx) RankLeaders(ctx context.Context, q domain.LeaderQuery) ([]domain.LeaderRow, *domain.LeaderRow, int, error) {
	rows, err := t.tx.Query(ctx, rankLeaders, q.ShopID, q.From, q.To, q.Metric, q.Limit, q.CustomerID)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("rank leaders: %w", mapErr(err))
	}
	defer rows.Close()
	var top []domain.LeaderRow
	var me *domain.LeaderRow
	total := 0
	for rows.Next() {
		var r domain.LeaderRow
		if err := rows.Scan(&r.Place, &r.Alias, &r.Score, &r.Me, &total); err != nil {
			return nil, nil, 0, err
		}
		if r.Me {
			mine := r
			me = &mine
		}
		if len(top) < q.Limit {
			top = append(top, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("rank leaders: %w", mapErr(err))
	}
	return top, me, total, nil
}
