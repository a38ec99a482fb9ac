package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type codeWordRow struct {
	ID        int64      `db:"id"`
	Word      string     `db:"word"`
	Points    int64      `db:"points"`
	StartsAt  time.Time  `db:"starts_at"`
	EndsAt    time.Time  `db:"ends_at"`
	MaxUses   int        `db:"max_uses"`
	NewOnly   bool       `db:"new_only"`
	Uses      int        `db:"uses"`
	Joined    int        `db:"joined"`
	Buyers    int        `db:"buyers"`
	Purchases int        `db:"purchases"`
	Revenue   int64      `db:"revenue"`
	CreatedBy int64      `db:"created_by"`
	CreatedAt time.Time  `db:"created_at"`
	StoppedAt *time.Time `db:"stopped_at"`
}

func (r codeWordRow) domain() domain.CodeWord {
	return domain.CodeWord{ID: r.ID, Word: r.Word, Points: r.Points, Start: r.StartsAt, End: r.EndsAt,
		MaxUses: r.MaxUses, NewOnly: r.NewOnly, Uses: r.Uses, Joined: r.Joined, Buyers: r.Buyers, Purchases: r.Purchases,
		Revenue: r.Revenue, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		StoppedAt: deref(r.StoppedAt)}
}

const codeWordColumns = `w.id, w.word, w.points, w.starts_at, w.ends_at, w.max_uses, w.new_only, w.uses, w.created_by,
	w.created_at, w.stopped_at`

// CreateCodeWord inserts a code word, closing the words of its spelling
// past their end first (stopped at their end). Another open word of the
// spelling, one a concurrent transaction just started included, makes it
// ErrConflict without failing the transaction (code_words_open_key).
func (t *tx) CreateCodeWord(ctx context.Context, w *domain.CodeWord) error {
	key, at := domain.CodeWordKey(w.Word), t.stamp(w.CreatedAt)
	if _, err := t.tx.Exec(ctx, `UPDATE code_words SET stopped_at = ends_at
		WHERE word_key = $1 AND stopped_at IS NULL AND ends_at <= $2`, key, at); err != nil {
		return fmt.Errorf("create code word: %w", mapErr(err))
	}
	err := t.tx.QueryRow(ctx, `INSERT INTO code_words (word, word_key, points, starts_at, ends_at, max_uses,
		new_only, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (word_key) WHERE stopped_at IS NULL DO NOTHING RETURNING id`,
		w.Word, key, w.Points, w.Start, w.End, w.MaxUses, w.NewOnly, w.CreatedBy, at).Scan(&w.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("create code word %s: %w", w.Word, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create code word: %w", mapErr(err))
	}
	return nil
}

func (t *tx) findCodeWord(ctx context.Context, where string, arg any) (*domain.CodeWord, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+codeWordColumns+`, 0 AS joined, 0 AS buyers, 0 AS purchases, 0::bigint AS revenue
		FROM code_words w WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[codeWordRow])
	if err != nil {
		return nil, mapErr(err)
	}
	w := r.domain()
	return &w, nil
}

// FindCodeWord finds the newest word of a key, its open one first: a
// word of one spelling only since 0075 may be older than a stopped one.
func (t *tx) FindCodeWord(ctx context.Context, key string) (*domain.CodeWord, error) {
	return t.findCodeWord(ctx, `w.word_key = $1 ORDER BY w.stopped_at IS NULL DESC, w.id DESC LIMIT 1`, key)
}

// FindCodeWordByID finds a word by id.
func (t *tx) FindCodeWordByID(ctx context.Context, id int64) (*domain.CodeWord, error) {
	return t.findCodeWord(ctx, `w.id = $1`, id)
}

// StopCodeWord stops a word still running at at.
func (t *tx) StopCodeWord(ctx context.Context, id, by int64, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE code_words SET stopped_at = $3, stopped_by = $2
		WHERE id = $1 AND stopped_at IS NULL AND ends_at > $3`, id, by, at)
	if err != nil {
		return false, fmt.Errorf("stop code word: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// CodeWordUsedBy reports whether a person used a word.
func (t *tx) CodeWordUsedBy(ctx context.Context, id int64, u domain.CodeWordUser) (bool, error) {
	var used bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM code_word_uses WHERE code_word_id = $1 AND customer_id = $2)
		OR ($3::bytea IS NOT NULL AND EXISTS (SELECT 1 FROM code_word_uses WHERE code_word_id = $1 AND account_hash = $3))
		OR ($4::bytea IS NOT NULL AND EXISTS (SELECT 1 FROM code_word_uses WHERE code_word_id = $1 AND phone_hash = $4))`,
		id, u.CustomerID, u.AccountHash, u.PhoneHash).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("code word used: %w", mapErr(err))
	}
	return used, nil
}

// claimCodeWord counts a use while one is left and the word runs at $3
// and records it, in one statement: the UPDATE locks the word's row, so
// two members writing the last use at once take it once, and a use
// waiting behind an owner's stop finds it stopped; a member who used it
// already counts nothing.
const claimCodeWord = `WITH w AS (
	UPDATE code_words SET uses = uses + 1
	WHERE id = $1 AND (max_uses = 0 OR uses < max_uses) AND stopped_at IS NULL AND ends_at > $3
	  AND NOT EXISTS (SELECT 1 FROM code_word_uses WHERE code_word_id = $1 AND customer_id = $2)
	RETURNING id, uses
)
INSERT INTO code_word_uses (code_word_id, customer_id, used_at, at_join, account_hash, phone_hash)
SELECT id, $2, $3, $4, $5, $6 FROM w
RETURNING (SELECT uses FROM w)`

// ClaimCodeWord takes a use of a word for a person.
func (t *tx) ClaimCodeWord(ctx context.Context, id int64, u domain.CodeWordUser, at time.Time, atJoin bool) (int, error) {
	var uses int
	err := t.tx.QueryRow(ctx, claimCodeWord, id, u.CustomerID, t.stamp(at), atJoin, u.AccountHash, u.PhoneHash).Scan(&uses)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("claim code word: %w", mapErr(err))
	}
	return uses, nil
}

// ListCodeWords lists the words not ended before endedSince, newest first.
func (t *tx) ListCodeWords(ctx context.Context, endedSince time.Time, limit int) ([]domain.CodeWord, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+codeWordColumns+`,
		(SELECT count(*) FROM code_word_uses u WHERE u.code_word_id = w.id AND u.at_join)::int AS joined,
		r.buyers, r.purchases, r.revenue
		FROM code_words w
		CROSS JOIN LATERAL (
			SELECT count(DISTINCT u.customer_id)::int AS buyers, count(p.id)::int AS purchases,
				coalesce(sum(p.amount), 0)::bigint AS revenue
			FROM code_word_uses u
			JOIN cards c ON c.customer_id = u.customer_id
			JOIN purchases p ON p.card_id = c.id AND p.created_at >= u.used_at AND p.cancelled_at IS NULL
			WHERE u.code_word_id = w.id
		) r
		WHERE least(w.ends_at, coalesce(w.stopped_at, w.ends_at)) >= $1
		ORDER BY w.id DESC LIMIT $2`, endedSince, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[codeWordRow])
	if err != nil {
		return nil, fmt.Errorf("list code words: %w", mapErr(err))
	}
	out := make([]domain.CodeWord, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}
