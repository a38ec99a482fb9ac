package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// ListCustomerPurchases lists a customer's purchases, oldest first.
func (t *tx) ListCustomerPurchases(ctx context.Context, customerID int64) ([]domain.Purchase, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+purchaseColumns+` FROM purchases
		WHERE card_id IN (SELECT id FROM cards WHERE customer_id = $1) ORDER BY id`, customerID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[purchaseRow])
	if err != nil {
		return nil, fmt.Errorf("list customer purchases: %w", mapErr(err))
	}
	out := make([]domain.Purchase, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// Erasure statements. $1 is the customer id; the chat ones take the chat
// ids ($1) and the Telegram user id ($2).
const (
	// An update belongs to the person when it came from their chat or
	// from them in another chat (a group), wherever its kind puts "from".
	updatesOfPerson = `(chat_id = ANY($1) OR jsonb_path_exists(payload, '$.*.from.id ? (@ == $id)',
		jsonb_build_object('id', $2::bigint)))`
	// Handled ones go; the one being handled (this erasure's own) and any
	// queued behind it keep their update_id, so a redelivery is still
	// recognised, and lose everything else.
	deleteHandledUpdates = `DELETE FROM updates WHERE processed_at IS NOT NULL AND ` + updatesOfPerson
	blankPendingUpdates  = `UPDATE updates SET chat_id = 0, payload = jsonb_build_object('update_id', update_id)
		WHERE processed_at IS NULL AND ` + updatesOfPerson
	// Other chats hold copies too: a cashier's screen named the customer,
	// and the cashier's tap on it came back inside a callback update (the
	// message itself lost its text when it was sent). Those handled
	// updates are history nobody needs: their content goes. $1 and $2 are
	// the name and the phone ('' for none); the name is spelt as jsonb
	// prints a string, so it matches the payload's text whatever
	// characters it has. A phone typed by staff (/scan, /customer) has
	// its own spelling, "8 (999) 000-01-01": $3, the number's last nine
	// digits, is looked for among the digits of a message's text, whatever
	// its kind (an edited message too). An update still waiting its turn
	// (a cashier typed her number while she erased) loses its content too
	// when it holds her phone: handled after the erasure it would keep the
	// number for a week, and it can only find nobody now. A name alone is
	// not enough for that: it is anybody's (the cashier's own name rides
	// in every update of theirs).
	blankHandledMentions = `UPDATE updates SET payload = jsonb_build_object('update_id', update_id)
		WHERE (processed_at IS NOT NULL AND $1 <> '' AND strpos(payload::text, btrim(to_jsonb($1::text)::text, '"')) > 0) OR
			($2 <> '' AND strpos(payload::text, $2) > 0) OR
			($3 <> '' AND strpos(regexp_replace(jsonb_path_query_array(payload, '$.*.text')::text, '[^0-9]', '', 'g'), $3) > 0)`
	// Messages to other chats about customer $1 (domain.OutMessage.About,
	// AlsoAbout) not sent yet are withdrawn at $2, found among the unsent
	// rows through outbox_about and outbox_about_several (migrations 0072,
	// 0077), whose predicates this one implies.
	withdrawAbout = `UPDATE outbox SET payload = '{}', payloads = NULL, undelivered = NULL, last_error = '` + withdrawnError + `', dropped_at = $2
		WHERE (about_customer_id = $1 OR about_customer_ids @> ARRAY[$1::bigint]) AND sent_at IS NULL AND dropped_at IS NULL`
	// Updates set aside keep the raw bytes Telegram sent: those of the
	// person's chats go, and those of other chats holding any spelling of
	// their name or phone ($2, see rawSpellings).
	deleteDeadUpdates = `DELETE FROM dead_updates WHERE chat_id = ANY($1) OR EXISTS (
		SELECT 1 FROM unnest($2::text[]) AS n WHERE n <> '' AND position(convert_to(n, 'UTF8') in payload) > 0)`
)

// forfeitBalance empties erased customer $1's card at $2: its lots go to
// nothing and one ledger row of the balance left (domain.LedgerForfeit)
// says why, so the card's balance stays the sum of its ledger.
const forfeitBalance = `WITH k AS (SELECT id, balance FROM cards WHERE customer_id = $1 AND balance > 0 FOR UPDATE),
lots AS (UPDATE point_lots l SET remaining = 0 FROM k WHERE l.card_id = k.id AND l.remaining > 0)
INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, created_at)
SELECT id, '` + string(domain.LedgerForfeit) + `', -balance, '', 'forfeit:' || id, $2 FROM k
ON CONFLICT (idempotency_key) DO NOTHING`

// ForfeitedPoints sums what the card's forfeit rows took off it.
func (t *tx) ForfeitedPoints(ctx context.Context, cardID int64) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, `SELECT coalesce(-sum(amount), 0)::bigint FROM ledger
		WHERE card_id = $1 AND kind = '`+string(domain.LedgerForfeit)+`'`, cardID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("forfeited points: %w", mapErr(err))
	}
	return n, nil
}

// rawSpellings are the ways s may be written in an update's raw JSON: as
// is, and with every non-ASCII character escaped (\u0417…), in lower and
// upper-case hex.
func rawSpellings(s string) []string {
	if s == "" {
		return nil
	}
	var lower, upper strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		if u < 0x80 {
			lower.WriteRune(rune(u))
			upper.WriteRune(rune(u))
			continue
		}
		fmt.Fprintf(&lower, "\\u%04x", u)
		fmt.Fprintf(&upper, "\\u%04X", u)
	}
	return []string{s, lower.String(), upper.String()}
}

// EraseCustomer anonymises a customer in place and removes the copies of
// their personal data elsewhere, in the caller's transaction. The row
// stays so that cards, ledger rows and purchases keep pointing at
// something and the owner's totals remain right.
func (t *tx) EraseCustomer(ctx context.Context, customerID int64, e domain.Erasure) error {
	var tg, chat *int64
	var name string
	var phone *string
	if err := t.tx.QueryRow(ctx, `SELECT telegram_id, chat_id, first_name, phone FROM customers
		WHERE id = $1 FOR UPDATE`, customerID).Scan(&tg, &chat, &name, &phone); err != nil {
		return mapErr(err)
	}
	// A phone may come with or without its "+" (Telegram's contacts).
	digits := strings.TrimPrefix(deref(phone), "+")
	steps := []stmt{
		{`DELETE FROM answers WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM facts WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM section_offers WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM waitlist_entries WHERE customer_id = $1`, []any{customerID}},
		{`UPDATE feedback SET comment = '' WHERE customer_id = $1`, []any{customerID}},
		// Questions to the shop stay as anonymous rows, as ratings do (the
		// owners' counts of past periods stay right), their words and
		// photo gone; one nobody handled no longer waits: nobody can
		// answer it now.
		{`UPDATE inquiries SET text = '', photo = '',
			resolution = CASE WHEN handled_by IS NULL THEN '` + domain.ResolutionErased + `' ELSE resolution END
			WHERE customer_id = $1`, []any{customerID}},
		// A staff member's step about them (a point correction, a note, a
		// reply to their rating or question) holds their name and what
		// was typed about them: such a step keeps their id as "customer"
		// in its data, and ends, leaving only the staff member's language
		// and a mark (domain.ConvCustomerErased) so that the words they
		// were typing meanwhile are answered "not sent", not "I didn't
		// catch that".
		{`UPDATE conversations SET flow = '', step = '',
			data = jsonb_strip_nulls(jsonb_build_object('lang', data->'lang', '` + domain.ConvCustomerErased + `', 'yes'))
			WHERE data->>'customer' = $1`, []any{strconv.FormatInt(customerID, 10)}},
		{`DELETE FROM topic_subscriptions WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM poll_answers WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM shop_events WHERE customer_id = $1`, []any{customerID}}, // what they viewed and left in carts
		{`DELETE FROM staff_notes WHERE customer_id = $1`, []any{customerID}},
		// A point correction's reason, kept only in the log: the points stay.
		{`UPDATE audit_log SET detail = split_part(detail, ' ', 1) WHERE action = 'points_adjust' AND customer_id = $1`, []any{customerID}},
		{`DELETE FROM held_welcome WHERE card_id IN (SELECT id FROM cards WHERE customer_id = $1)`, []any{customerID}},
		{`DELETE FROM leaderboard WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM referral_codes WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM badge_awards WHERE customer_id = $1`, []any{customerID}},
		{`DELETE FROM badge_points_kept WHERE customer_id = $1`, []any{customerID}},
		{`UPDATE customers SET telegram_id = NULL, chat_id = NULL, first_name = '', phone = NULL,
			language = '', marketing = false, contact_from = NULL, contact_to = NULL, erased_at = $2 WHERE id = $1`, []any{customerID, e.At}},
		{blankHandledMentions, []any{name, digits, lastDigits(digits, 9)}},
		// A message to staff that names them (a low-rating alert, their
		// question passed on) and has not gone yet (a 429, a not_before)
		// is withdrawn as their own are: never sent, its text gone. No
		// broadcast's row, so no report counts it.
		{withdrawAbout, []any{customerID, e.At}},
	}
	if e.PhoneHash != nil {
		steps = append(steps, stmt{`INSERT INTO erased_phones (phone_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, []any{e.PhoneHash, e.At}},
			// A code word used while the number was still typed kept no
			// phone hash (codeWordUser); shared by now, it is theirs.
			stmt{`UPDATE code_word_uses SET phone_hash = $2 WHERE customer_id = $1 AND phone_hash IS NULL`, []any{customerID, e.PhoneHash}})
	}
	if e.AccountHash != nil {
		steps = append(steps, stmt{`INSERT INTO erased_accounts (telegram_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, []any{e.AccountHash, e.At}})
	}
	// In a private chat the chat id is the user id; both are looked for.
	chats, who := []int64{}, deref(tg)
	if e.KeepChat {
		who = 0
	}
	for _, id := range []int64{deref(chat), deref(tg)} {
		if id != 0 && !e.KeepChat {
			chats = append(chats, id)
		}
	}
	// A cashier or an owner erasing the card of their own erases it in
	// their work chat: what waits there for them as staff (an alert about
	// another customer, a step half way, their next command) stays, and
	// only the customer's own messages (their nudges, rating requests
	// and broadcasts, as MoveCustomerAccount picks them) go.
	var staff bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE revoked_at IS NULL
		AND (chat_id = ANY($1) OR telegram_id = $2))`, chats, who).Scan(&staff); err != nil {
		return mapErr(err)
	}
	drop, work, person := stmt{`DELETE FROM outbox WHERE chat_id = ANY($1)`, []any{chats}}, chats, who
	if staff {
		// What was sent there goes as it would for anyone (their card,
		// their export were sent there too): only what is still to go
		// for the staff member stays.
		drop = stmt{drop.sql + ` AND (NOT ` + chatPending + ` OR nudge_id IN (SELECT id FROM nudges WHERE customer_id = $2)
			OR id IN (SELECT outbox_id FROM feedback_requests WHERE customer_id = $2))`, []any{chats, customerID}}
		work, who = []int64{}, 0
	}
	steps = append(steps, stmt{`DELETE FROM conversations WHERE chat_id = ANY($1)`, []any{work}},
		// A nudge not sent yet was not sent; a broadcast's messages stay
		// for its count (sent, blocked, withdrawn if not sent yet), with
		// no chat and no text; the rest of the chat's messages go.
		stmt{`UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipErased + `'
			WHERE id IN (SELECT nudge_id FROM outbox WHERE chat_id = ANY($1) AND ` + chatPending + `)`, []any{chats}},
		stmt{`UPDATE outbox SET chat_id = -id, payload = '{}', payloads = NULL,
			last_error = CASE WHEN ` + chatPending + ` THEN '` + withdrawnError + `' ELSE last_error END,
			dropped_at = CASE WHEN ` + chatPending + ` THEN $2 ELSE dropped_at END
			WHERE chat_id = ANY($1) AND broadcast_id IS NOT NULL`, []any{chats, e.At}},
		drop,
		// The bonus of a marketing nudge whose message had not gone (it
		// waited for the morning) is taken back, as at an opt-out: the
		// customer was never told of it, so it was never issued.
		stmt{withdrawBonus, []any{customerID, e.At}},
		// What is left on the card nobody can spend any more: it leaves
		// the card with a ledger row of its own, so the owners' numbers
		// say where it went.
		stmt{forfeitBalance, []any{customerID, e.At}})
	// Their handled updates go even from a work chat: they hold what they
	// typed as a customer (their questionnaire answers, their questions);
	// only those still waiting (their next command) stay theirs.
	steps = append(steps, stmt{deleteHandledUpdates, []any{chats, person}})
	steps = append(steps, stmt{blankPendingUpdates, []any{work, who}})
	steps = append(steps, stmt{deleteDeadUpdates, []any{chats, append(rawSpellings(name), digits)}})
	for _, s := range steps {
		if _, err := t.tx.Exec(ctx, s.sql, s.args...); err != nil {
			return mapErr(err)
		}
	}
	return t.deleteDeadTypedPhone(ctx, lastDigits(digits, 9))
}

// typedNumber is a run of digits as staff type a phone: "8 (999) 000-01-01",
// "+7 999 000 01 01".
var typedNumber = regexp.MustCompile(`\+?[0-9][0-9 ()\-]{7,}[0-9]`)

// deleteDeadTypedPhone deletes the updates set aside that hold the
// phone in a spelling staff type (last9: its last nine digits, "" for
// none), as blankHandledMentions does for handled ones. The raw bytes
// may be neither JSON nor UTF-8, so they are read here, not in SQL; the
// table holds 7 days of failures at most.
func (t *tx) deleteDeadTypedPhone(ctx context.Context, last9 string) error {
	if last9 == "" {
		return nil
	}
	rows, _ := t.tx.Query(ctx, `SELECT update_id, payload FROM dead_updates`)
	var ids []int64
	var id int64
	var payload []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &payload}, func() error {
		for _, m := range typedNumber.FindAll(payload, -1) {
			if strings.Contains(onlyDigits(string(m)), last9) {
				ids = append(ids, id)
				break
			}
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return mapErr(err)
	}
	_, err = t.tx.Exec(ctx, `DELETE FROM dead_updates WHERE update_id = ANY($1)`, ids)
	return mapErr(err)
}

// onlyDigits keeps the ASCII digits of s.
func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// lastDigits is the last n characters of digits, or "" when it has fewer
// (too short to name anyone).
func lastDigits(digits string, n int) string {
	if len(digits) < n {
		return ""
	}
	return digits[len(digits)-n:]
}

// stmt is a statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

// RetirePhone records a number a member changed away from.
func (t *tx) RetirePhone(ctx context.Context, phoneHash []byte, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO erased_phones (phone_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		phoneHash, t.stamp(at))
	return mapErr(err)
}

// PhoneErased reports whether a phone hash belongs to an erased member.
func (t *tx) PhoneErased(ctx context.Context, phoneHash []byte) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM erased_phones WHERE phone_hash = $1)`, phoneHash).Scan(&ok)
	return ok, mapErr(err)
}

// AccountErased reports whether a Telegram account hash belonged to an
// erased member (or one whose card moved away from it) at or before a
// time.
func (t *tx) AccountErased(ctx context.Context, accountHash []byte, before time.Time) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM erased_accounts WHERE telegram_hash = $1 AND erased_at <= $2)`,
		accountHash, before).Scan(&ok)
	return ok, mapErr(err)
}

// PurgeUpdates deletes raw updates handled, or set aside, before t.
func (db *DB) PurgeUpdates(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for _, q := range []string{`DELETE FROM updates WHERE processed_at < $1`, `DELETE FROM dead_updates WHERE failed_at < $1`} {
		tag, err := db.pool.Exec(ctx, q, before)
		if err != nil {
			return n, fmt.Errorf("purge updates: %w", err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// PurgeOutbox deletes messages sent or dropped before t.
func (db *DB) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM outbox WHERE sent_at < $1 OR dropped_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("purge outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
