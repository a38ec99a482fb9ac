package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type staffRow struct {
	ID         int64      `db:"id"`
	TelegramID int64      `db:"telegram_id"`
	ChatID     int64      `db:"chat_id"`
	FirstName  string     `db:"first_name"`
	Role       string     `db:"role"`
	StoreID    *int64     `db:"store_id"`
	InvitedBy  *int64     `db:"invited_by"`
	CreatedAt  time.Time  `db:"created_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	Language   string     `db:"language"`
	Version    int64      `db:"version"`
	// UnreachableAt is set when they blocked the bot.
	UnreachableAt *time.Time `db:"unreachable_at"`
}

func (r staffRow) domain() domain.Staff {
	return domain.Staff{ID: r.ID, TelegramID: r.TelegramID, ChatID: r.ChatID, FirstName: r.FirstName,
		Role: domain.Role(r.Role), ShopID: deref(r.StoreID), InvitedBy: deref(r.InvitedBy),
		CreatedAt: r.CreatedAt, RevokedAt: deref(r.RevokedAt), Language: r.Language, Version: r.Version,
		Unreachable: r.UnreachableAt != nil}
}

const staffColumns = `id, telegram_id, chat_id, first_name, role, store_id, invited_by, created_at, revoked_at, language, version, unreachable_at`

func (t *tx) findStaff(ctx context.Context, where string, arg any) (*domain.Staff, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[staffRow])
	if err != nil {
		return nil, mapErr(err)
	}
	s := r.domain()
	return &s, nil
}

// FindStaffByTelegramID finds a staff member (revoked ones too).
func (t *tx) FindStaffByTelegramID(ctx context.Context, telegramID int64) (*domain.Staff, error) {
	return t.findStaff(ctx, `telegram_id = $1`, telegramID)
}

// FindStaffByID finds a staff member by id.
func (t *tx) FindStaffByID(ctx context.Context, id int64) (*domain.Staff, error) {
	return t.findStaff(ctx, `id = $1`, id)
}

// SaveStaff inserts or re-activates a staff member.
func (t *tx) SaveStaff(ctx context.Context, s *domain.Staff) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO staff (telegram_id, chat_id, first_name, role, store_id, invited_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (telegram_id) DO UPDATE SET chat_id = EXCLUDED.chat_id, first_name = EXCLUDED.first_name,
			role = EXCLUDED.role, store_id = EXCLUDED.store_id, invited_by = EXCLUDED.invited_by, revoked_at = NULL,
			version = staff.version + 1
		RETURNING id, created_at, version`, s.TelegramID, s.ChatID, s.FirstName, string(s.Role), nullable(s.ShopID),
		nullable(s.InvitedBy), t.now()).Scan(&s.ID, &s.CreatedAt, &s.Version)
	if err != nil {
		return fmt.Errorf("save staff: %w", mapErr(err))
	}
	s.RevokedAt = time.Time{}
	return nil
}

// SetStaffLanguage records the language a staff member was last answered in.
func (t *tx) SetStaffLanguage(ctx context.Context, id int64, lang string) error {
	_, err := t.tx.Exec(ctx, `UPDATE staff SET language = $2 WHERE id = $1`, id, lang)
	return mapErr(err)
}

// LockStaff locks staff rows FOR UPDATE in the order of their ids and
// reads them as they are after any wait.
func (t *tx) LockStaff(ctx context.Context, ids ...int64) ([]domain.Staff, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[staffRow])
	if err != nil {
		return nil, fmt.Errorf("lock staff: %w", mapErr(err))
	}
	out := make([]domain.Staff, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// RevokeStaff ends a staff member's access.
func (t *tx) RevokeStaff(ctx context.Context, id int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE staff SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, at)
	return mapErr(err)
}

// VoidInvitesBy voids the unused invites a staff member made, and drops
// their unused card-move links (which, unknown, are "not valid"): a
// rehire must not bring them back.
func (t *tx) VoidInvitesBy(ctx context.Context, staffID int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `WITH moves AS (DELETE FROM card_moves WHERE created_by = $1 AND used_at IS NULL)
		UPDATE invites SET voided_at = $2
		WHERE created_by = $1 AND used_at IS NULL AND voided_at IS NULL`, staffID, at)
	return mapErr(err)
}

// ListStaff lists active staff, owners first.
func (t *tx) ListStaff(ctx context.Context, shopID int64) ([]domain.Staff, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE revoked_at IS NULL AND ($1 = 0 OR store_id = $1 OR store_id IS NULL)
		ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END, id`, shopID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[staffRow])
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", mapErr(err))
	}
	out := make([]domain.Staff, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// CreateInvite stores an invitation by the hash of its token.
func (t *tx) CreateInvite(ctx context.Context, inv *domain.Invite, hash []byte) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO invites (token_hash, role, store_id, created_by, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, hash, string(inv.Role), nullable(inv.ShopID),
		nullable(inv.CreatedBy), inv.ExpiresAt, t.now()).Scan(&inv.ID)
	if err != nil {
		return fmt.Errorf("create invite: %w", mapErr(err))
	}
	return nil
}

// TakeInvite locks an invitation by token hash.
func (t *tx) TakeInvite(ctx context.Context, hash []byte) (*domain.Invite, error) {
	var inv domain.Invite
	var role string
	var store, by, usedBy *int64
	var used, voided *time.Time
	err := t.tx.QueryRow(ctx, `SELECT id, role, store_id, created_by, expires_at, used_at, used_by, voided_at FROM invites
		WHERE token_hash = $1 FOR UPDATE`, hash).Scan(&inv.ID, &role, &store, &by, &inv.ExpiresAt, &used, &usedBy, &voided)
	if err != nil {
		return nil, mapErr(err)
	}
	inv.Role, inv.ShopID, inv.CreatedBy, inv.UsedBy = domain.Role(role), deref(store), deref(by), deref(usedBy)
	inv.UsedAt, inv.VoidedAt = deref(used), deref(voided)
	return &inv, nil
}

// MarkInviteUsed spends an invitation.
func (t *tx) MarkInviteUsed(ctx context.Context, inviteID, staffID int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE invites SET used_at = $2, used_by = $3 WHERE id = $1`, inviteID, at, staffID)
	return mapErr(err)
}

// CreateAPIKey stores a POS key by its hash.
func (t *tx) CreateAPIKey(ctx context.Context, shopID int64, hash []byte, prefix string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO api_keys (store_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)`,
		shopID, hash, prefix, t.now())
	return mapErr(err)
}

// FindAPIKeyShop returns the store of an active key.
func (t *tx) FindAPIKeyShop(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT store_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, hash).Scan(&id)
	return id, mapErr(err)
}

// VerifyAPIKey queues check_api_key (migration 0016), which fails the
// statement it goes out with, and so the transaction, for a key no longer
// active.
func (t *tx) VerifyAPIKey(ctx context.Context, hash []byte) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT check_api_key($1)`, hash)
	t.tx.Defer(b)
	return nil
}

// ListAPIKeys lists the keys f selects with their store's code.
func (t *tx) ListAPIKeys(ctx context.Context, f domain.APIKeyFilter) ([]domain.APIKey, error) {
	rows, _ := t.tx.Query(ctx, `SELECT k.id, k.store_id, s.code, k.prefix, k.created_at, k.revoked_at
		FROM api_keys k JOIN stores s ON s.id = k.store_id
		WHERE ($1 = 0 OR k.store_id = $1) AND ($2 = '' OR k.prefix = $2) AND ($3::bytea IS NULL OR k.key_hash = $3)
		ORDER BY k.id`, f.ShopID, f.Prefix, f.Hash)
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.APIKey, error) {
		var k domain.APIKey
		var revoked *time.Time
		err := r.Scan(&k.ID, &k.ShopID, &k.StoreCode, &k.Prefix, &k.CreatedAt, &revoked)
		k.RevokedAt = deref(revoked)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", mapErr(err))
	}
	return keys, nil
}

// RevokeAPIKey revokes an active key.
func (t *tx) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, at)
	return mapErr(err)
}
