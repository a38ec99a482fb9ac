package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// SaveReferralCode gives a customer a code once and refreshes the phone
// hash kept with it. A code another customer holds (a one-in-10^15 draw)
// gives ErrConflict in a savepoint, so the transaction goes on.
func (t *tx) SaveReferralCode(ctx context.Context, customerID int64, code string, phoneHash []byte, at time.Time) (string, error) {
	var out string
	err := pgx.BeginFunc(ctx, t.tx, func(sp pgx.Tx) error {
		return sp.QueryRow(ctx, `INSERT INTO referral_codes (customer_id, code, phone_hash, created_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (customer_id) DO UPDATE SET phone_hash = coalesce(EXCLUDED.phone_hash, referral_codes.phone_hash)
			RETURNING code`, customerID, code, phoneHash, t.stamp(at)).Scan(&out)
	})
	if err != nil {
		return "", fmt.Errorf("save referral code: %w", mapErr(err))
	}
	return out, nil
}

// FindReferrer finds the member, not erased, behind a code.
func (t *tx) FindReferrer(ctx context.Context, code string) (*domain.Referrer, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+prefixed("c.", customerColumns)+`, r.phone_hash
		FROM referral_codes r JOIN customers c ON c.id = r.customer_id
		WHERE r.code = $1 AND c.erased_at IS NULL AND c.joined_at IS NOT NULL`, code)
	type row struct {
		customerRow
		PhoneHash []byte `db:"phone_hash"`
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, mapErr(err)
	}
	return &domain.Referrer{Customer: r.customerRow.domain(), PhoneHash: r.PhoneHash}, nil
}

// RecordReferral records a friend's joining, once per friend.
func (t *tx) RecordReferral(ctx context.Context, r domain.Referral) (bool, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO referrals (friend_id, referrer_id, joined_at, refused)
		VALUES ($1, $2, $3, $4) ON CONFLICT (friend_id) DO NOTHING RETURNING friend_id`,
		r.FriendID, r.ReferrerID, t.stamp(r.JoinedAt), r.Refused).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record referral: %w", mapErr(err))
	}
	return true, nil
}

// CompleteReferral completes the friend's referral, pending or void, one
// round more.
func (t *tx) CompleteReferral(ctx context.Context, friendID int64, purchasePublicID string, at time.Time) (*domain.Referral, error) {
	r := domain.Referral{FriendID: friendID}
	err := t.tx.QueryRow(ctx, `UPDATE referrals SET completed_at = $3, voided_at = NULL, rounds = rounds + 1,
			purchase_id = (SELECT id FROM purchases WHERE public_id = $2)
		WHERE friend_id = $1 AND (completed_at IS NULL OR voided_at IS NOT NULL) AND refused = ''
		RETURNING referrer_id, joined_at, completed_at, rounds`, friendID, purchasePublicID, t.stamp(at)).
		Scan(&r.ReferrerID, &r.JoinedAt, &r.CompletedAt, &r.Round)
	if err != nil {
		return nil, mapErr(err)
	}
	return &r, nil
}

// VoidReferral marks void the friend's completed referral once the
// friend's card has no purchase standing (purchases_card_live).
func (t *tx) VoidReferral(ctx context.Context, friendID, cardID int64, at time.Time) (*domain.Referral, error) {
	r := domain.Referral{FriendID: friendID}
	err := t.tx.QueryRow(ctx, `UPDATE referrals SET voided_at = $3
		WHERE friend_id = $1 AND completed_at IS NOT NULL AND voided_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM purchases WHERE card_id = $2 AND cancelled_at IS NULL)
		RETURNING referrer_id, joined_at, completed_at, rounds`, friendID, cardID, t.stamp(at)).
		Scan(&r.ReferrerID, &r.JoinedAt, &r.CompletedAt, &r.Round)
	if err != nil {
		return nil, mapErr(err)
	}
	return &r, nil
}

// SumLedgerKeys adds up the ledger rows written with these keys (the
// idempotency key's unique index).
func (t *tx) SumLedgerKeys(ctx context.Context, keys []string) (int64, error) {
	var sum int64
	err := t.tx.QueryRow(ctx, `SELECT coalesce(sum(amount), 0)::bigint FROM ledger WHERE idempotency_key = ANY($1)`, keys).Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("sum ledger keys: %w", mapErr(err))
	}
	return sum, nil
}

// ReferralStats counts a member's friends who joined (refused ones left
// out) and those who bought.
func (t *tx) ReferralStats(ctx context.Context, referrerID int64) (domain.ReferralStats, error) {
	var s domain.ReferralStats
	err := t.tx.QueryRow(ctx, `SELECT count(*)::int, count(completed_at) FILTER (WHERE voided_at IS NULL)::int FROM referrals
		WHERE referrer_id = $1 AND refused = ''`, referrerID).Scan(&s.Joined, &s.Bought)
	if err != nil {
		return s, fmt.Errorf("referral stats: %w", mapErr(err))
	}
	return s, nil
}

// FindReferralCode is the customer's own code.
func (t *tx) FindReferralCode(ctx context.Context, customerID int64) (*domain.ReferralCode, error) {
	var c domain.ReferralCode
	err := t.tx.QueryRow(ctx, `SELECT code, created_at FROM referral_codes WHERE customer_id = $1`, customerID).
		Scan(&c.Code, &c.CreatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	return &c, nil
}

// FindReferralOf is the referral the customer joined through.
func (t *tx) FindReferralOf(ctx context.Context, friendID int64) (*domain.Referral, error) {
	r := domain.Referral{FriendID: friendID}
	var completed, voided *time.Time
	err := t.tx.QueryRow(ctx, `SELECT referrer_id, joined_at, refused, completed_at, voided_at, rounds
		FROM referrals WHERE friend_id = $1`, friendID).
		Scan(&r.ReferrerID, &r.JoinedAt, &r.Refused, &completed, &voided, &r.Round)
	if err != nil {
		return nil, mapErr(err)
	}
	if completed != nil {
		r.CompletedAt = *completed
	}
	if voided != nil {
		r.VoidedAt = *voided
	}
	return &r, nil
}

// prefixed qualifies a column list with a table alias ("c.").
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
