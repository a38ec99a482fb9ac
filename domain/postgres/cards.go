package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type cardRow struct {
	ID         int64     `db:"id"`
	CustomerID int64     `db:"customer_id"`
	Number     string    `db:"number"`
	Balance    int64     `db:"balance"`
	CreatedAt  time.Time `db:"created_at"`
}

func (t *tx) findCard(ctx context.Context, where string, arg any) (*domain.Card, error) {
	rows, _ := t.tx.Query(ctx, `SELECT id, customer_id, number, balance, created_at FROM cards WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[cardRow])
	if err != nil {
		return nil, mapErr(err)
	}
	c := domain.Card(r)
	return &c, nil
}

// CreateCard issues a card; a taken number gives ErrConflict.
func (t *tx) CreateCard(ctx context.Context, customerID int64, number string) (*domain.Card, error) {
	c := &domain.Card{CustomerID: customerID, Number: number}
	// A savepoint keeps the transaction usable when the number collides,
	// so the caller can simply draw another number.
	err := pgx.BeginFunc(ctx, t.tx, func(sp pgx.Tx) error {
		return sp.QueryRow(ctx, `INSERT INTO cards (customer_id, number, created_at) VALUES ($1, $2, $3)
			RETURNING id, created_at`, customerID, number, t.now()).Scan(&c.ID, &c.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("create card: %w", mapErr(err))
	}
	return c, nil
}

// HoldWelcome keeps a welcome bonus for the card's first purchase.
func (t *tx) HoldWelcome(ctx context.Context, h domain.HeldWelcome) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO held_welcome (card_id, points, valid_days, held_at, round)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (card_id) DO NOTHING`, h.CardID, h.Points, h.ValidDays, t.stamp(h.At), max(h.Round, 1))
	if err != nil {
		return fmt.Errorf("hold welcome: %w", mapErr(err))
	}
	return nil
}

// FindCardByCustomer finds a customer's card. Asked right after
// OpenChat for the chat's customer, with nothing run in between, it
// answers with the card OpenChat read along with the customer: the same
// row the query would read, a moment earlier, and as of a snapshot taken
// after the conversation's lock, like the customer's.
func (t *tx) FindCardByCustomer(ctx context.Context, customerID int64) (*domain.Card, error) {
	if c := t.openCard; c != nil && c.CustomerID == customerID && t.tx.issued == t.openAt {
		card := *c
		return &card, nil
	}
	return t.findCard(ctx, `customer_id = $1`, customerID)
}

// FindCardByID finds a card by id.
func (t *tx) FindCardByID(ctx context.Context, id int64) (*domain.Card, error) {
	return t.findCard(ctx, `id = $1`, id)
}

// quoteFacts reads card $1's spend since $2 (as spendSince) and its
// expiry facts (as loadCheckout).
var quoteFacts = `SELECT (` + spendSince + `), ` + expiryFactsOf("$1") +
	`, coalesce((SELECT points FROM held_welcome WHERE card_id = $1), 0)`

// CardForQuote reads the card, its owner, the spend and a held welcome
// bonus in one round trip (three statements in a batch; the owner's
// found through the card's row, so the card's id is all they need).
func (t *tx) CardForQuote(ctx context.Context, id int64, since time.Time) (*domain.Card, *domain.Customer, int64, domain.ExpiryFacts, int64, error) {
	var card *domain.Card
	var cust *domain.Customer
	var spend, held int64
	var x domain.ExpiryFacts
	var last, earliest *time.Time
	b := &pgx.Batch{}
	b.Queue(`SELECT id, customer_id, number, balance, created_at FROM cards WHERE id = $1`, id).Query(func(rows pgx.Rows) error {
		r, err := pgx.CollectRows(rows, pgx.RowToStructByName[cardRow])
		if len(r) == 1 {
			c := domain.Card(r[0])
			card = &c
		}
		return err
	})
	b.Queue(`SELECT `+customerColumns+` FROM customers WHERE id = (SELECT customer_id FROM cards WHERE id = $1)`, id).Query(func(rows pgx.Rows) error {
		r, err := pgx.CollectRows(rows, pgx.RowToStructByName[customerRow])
		if len(r) == 1 {
			cust = r[0].domain()
		}
		return err
	})
	b.Queue(quoteFacts, id, since).QueryRow(func(row pgx.Row) error { return row.Scan(&spend, &last, &earliest, &x.HasRegular, &held) })
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, 0, x, 0, fmt.Errorf("card %d for a quote: %w", id, mapErr(err))
	}
	if card == nil || cust == nil {
		return nil, nil, 0, x, 0, domain.ErrNotFound
	}
	x.LastPurchase, x.EarliestExpiry = deref(last), deref(earliest)
	return card, cust, spend, x, held, nil
}

// heldOf is the points of a welcome bonus held for the card's next
// purchase (0: none), read with the expiry facts for the member's card.
func heldOf(card string) string {
	return `coalesce((SELECT points FROM held_welcome WHERE card_id = ` + card + `), 0)`
}

// scanExpiryFacts reads the three columns of expiryFactsOf and heldOf's.
func scanExpiryFacts(row pgx.Row) (domain.ExpiryFacts, error) {
	var x domain.ExpiryFacts
	var last, earliest *time.Time
	err := row.Scan(&last, &earliest, &x.HasRegular, &x.Held)
	x.LastPurchase, x.EarliestExpiry = deref(last), deref(earliest)
	return x, err
}

// FindCardWithExpiry finds the customer's card and what tells whether
// any of its lots may have expired: from the chat's opening read
// (domain.ReadCardExpiry) while nothing else has run, else in one
// statement.
func (t *tx) FindCardWithExpiry(ctx context.Context, customerID int64) (*domain.Card, domain.ExpiryFacts, error) {
	if c, x := t.openCard, t.openExpiry; c != nil && x != nil && c.CustomerID == customerID && t.tx.issued == t.openAt {
		card := *c
		return &card, *x, nil
	}
	var c domain.Card
	var x domain.ExpiryFacts
	var last, earliest *time.Time
	err := t.tx.QueryRow(ctx, `SELECT k.id, k.customer_id, k.number, k.balance, k.created_at, `+expiryFactsOf("(k.id)")+
		`, `+heldOf("(k.id)")+` FROM cards k WHERE k.customer_id = $1`, customerID).
		Scan(&c.ID, &c.CustomerID, &c.Number, &c.Balance, &c.CreatedAt, &last, &earliest, &x.HasRegular, &x.Held)
	if err != nil {
		return nil, x, mapErr(err)
	}
	x.LastPurchase, x.EarliestExpiry = deref(last), deref(earliest)
	return &c, x, nil
}

// FindCardByNumber finds a card by its static number.
func (t *tx) FindCardByNumber(ctx context.Context, number string) (*domain.Card, error) {
	return t.findCard(ctx, `number = $1`, number)
}

type ledgerRow struct {
	ID             int64      `db:"id"`
	CardID         int64      `db:"card_id"`
	Kind           string     `db:"kind"`
	Amount         int64      `db:"amount"`
	Reason         string     `db:"reason"`
	IdempotencyKey string     `db:"idempotency_key"`
	ExpiresAt      *time.Time `db:"expires_at"`
	BalanceAfter   int64      `db:"balance_after"`
	CreatedAt      time.Time  `db:"created_at"`
}

func (r ledgerRow) domain() domain.LedgerEntry {
	return domain.LedgerEntry{
		ID: r.ID, CardID: r.CardID, Kind: domain.LedgerKind(r.Kind), Amount: r.Amount,
		Reason: r.Reason, IdempotencyKey: r.IdempotencyKey, ExpiresAt: deref(r.ExpiresAt),
		BalanceAfter: r.BalanceAfter, CreatedAt: r.CreatedAt,
	}
}

const ledgerColumns = `id, card_id, kind, amount, reason, idempotency_key, expires_at, balance_after, created_at`

const insertLedger = `INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, expires_at, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7)
	ON CONFLICT (idempotency_key) DO NOTHING
	RETURNING ` + ledgerColumns

// AppendLedger writes one ledger row; the triggers move the balance and the
// CHECK on cards.balance refuses an overdraft.
func (t *tx) AppendLedger(ctx context.Context, e domain.LedgerEntry) (domain.LedgerEntry, bool, error) {
	// No savepoint: a refused row (an overdraft) fails the whole
	// transaction anyway, and the conflict path needs none.
	var row ledgerRow
	var created bool
	rows, _ := t.tx.Query(ctx, insertLedger, e.CardID, string(e.Kind), e.Amount, e.Reason,
		e.IdempotencyKey, nullable(e.ExpiresAt), t.stamp(e.CreatedAt))
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ledgerRow])
	if err == nil && len(rs) == 1 {
		row, created = rs[0], true
	} else if err == nil {
		rows, _ = t.tx.Query(ctx, `SELECT `+ledgerColumns+` FROM ledger WHERE idempotency_key = $1`, e.IdempotencyKey)
		row, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ledgerRow])
	}
	if err != nil {
		return domain.LedgerEntry{}, false, fmt.Errorf("append ledger %s: %w", e.IdempotencyKey, mapErr(err))
	}
	return row.domain(), created, nil
}

// FindLedgerByKey reads the row written with an idempotency key.
func (t *tx) FindLedgerByKey(ctx context.Context, key string) (domain.LedgerEntry, bool, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+ledgerColumns+` FROM ledger WHERE idempotency_key = $1`, key)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ledgerRow])
	if err != nil || len(rs) == 0 {
		return domain.LedgerEntry{}, false, mapErr(err)
	}
	return rs[0].domain(), true, nil
}

// ListLedger lists a card's newest ledger rows first.
func (t *tx) ListLedger(ctx context.Context, cardID int64, limit int) ([]domain.LedgerEntry, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+ledgerColumns+` FROM ledger WHERE card_id = $1
		ORDER BY id DESC LIMIT $2`, cardID, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ledgerRow])
	if err != nil {
		return nil, fmt.Errorf("list ledger: %w", mapErr(err))
	}
	out := make([]domain.LedgerEntry, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// appendCredit inserts the ledger row and its lot in one statement; a
// repeated key inserts neither.
const appendCredit = `WITH l AS (
	INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, expires_at, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $8)
	ON CONFLICT (idempotency_key) DO NOTHING
	RETURNING ` + ledgerColumns + `
), lot AS (
	INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
	SELECT card_id, id, $7, amount, amount, expires_at, created_at FROM l
)
SELECT ` + ledgerColumns + ` FROM l`

// AppendCredit writes a credit and its lot.
func (t *tx) AppendCredit(ctx context.Context, e domain.LedgerEntry, kind domain.LotKind) (domain.LedgerEntry, bool, error) {
	rows, _ := t.tx.Query(ctx, appendCredit, e.CardID, string(e.Kind), e.Amount, e.Reason, e.IdempotencyKey,
		nullable(e.ExpiresAt), string(kind), t.stamp(e.CreatedAt))
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ledgerRow])
	if err != nil {
		return domain.LedgerEntry{}, false, fmt.Errorf("append credit %s: %w", e.IdempotencyKey, mapErr(err))
	}
	if len(rs) == 1 {
		return rs[0].domain(), true, nil
	}
	rows, _ = t.tx.Query(ctx, `SELECT `+ledgerColumns+` FROM ledger WHERE idempotency_key = $1`, e.IdempotencyKey)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ledgerRow])
	if err != nil {
		return domain.LedgerEntry{}, false, fmt.Errorf("append credit %s: %w", e.IdempotencyKey, mapErr(err))
	}
	return row.domain(), false, nil
}

// PurchaseWelcome reads the card's welcome rows when none of its
// purchases stands. A welcome bonus a purchase paid names the purchase
// (heldWelcomeEntry); one paid at joining names none. (Those a purchase
// paid before 0051 named none either, and are not undone.) What the
// card holds of it is what its rows add up to, at most what its lots
// still hold: points of the bonus that expired or were spent are gone,
// and the card's other points are not the bonus.
func (t *tx) PurchaseWelcome(ctx context.Context, cardID int64) (domain.PurchaseWelcome, error) {
	var w domain.PurchaseWelcome
	err := t.tx.QueryRow(ctx, `SELECT coalesce(bool_or(l.amount > 0 AND l.reason <> ''), false),
		least(coalesce(sum(l.amount), 0), (SELECT coalesce(sum(p.remaining), 0) FROM point_lots p
			JOIN ledger pl ON pl.id = p.ledger_id AND pl.kind = 'welcome'
			WHERE p.card_id = $1 AND p.remaining > 0))::bigint,
		count(*) FILTER (WHERE l.amount > 0)::int,
		(SELECT coalesce(array_agg(p.id), '{}') FROM point_lots p
			JOIN ledger pl ON pl.id = p.ledger_id AND pl.kind = 'welcome'
			WHERE p.card_id = $1 AND p.remaining > 0)
		FROM ledger l
		WHERE l.card_id = $1 AND l.kind = 'welcome'
		  AND NOT EXISTS (SELECT 1 FROM purchases WHERE card_id = $1 AND cancelled_at IS NULL)`, cardID).
		Scan(&w.Paid, &w.Held, &w.Round, &w.Lots)
	if err != nil {
		return w, fmt.Errorf("purchase welcome: %w", mapErr(err))
	}
	return w, nil
}
