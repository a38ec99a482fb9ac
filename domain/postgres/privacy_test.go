package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestEraseCustomer: erasure clears who the customer was (name, phone,
// language, the Telegram link), their profile, their chat's conversation,
// queue and raw updates, keeps the card, its points and their history as
// anonymous rows, and remembers the phone and the account only by their
// hashes. A message queued after it in the same transaction (the
// confirmation) stays; another customer keeps everything; the Telegram
// account and the phone are free to join again.
func TestEraseCustomer(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	c, card := addMember(t, db, clock, 40)
	keep, _ := addMember(t, db, clock, 41)
	credit(t, db, card.ID, 70, domain.LotPromo, time.Time{})
	phone := func(id int64) string { return fmt.Sprintf("+1555000%04d", id) }
	for _, cu := range []*domain.Customer{c, keep} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			if _, err := tx.SetCustomerPhone(ctx, cu.ID, phone(cu.ID), false); err != nil {
				return err
			}
			if err := tx.SaveAnswer(ctx, cu.ID, "city", []byte(`"Oslo"`), false, clock.Now()); err != nil {
				return err
			}
			if err := tx.ReplaceFacts(ctx, cu.ID, map[string]string{"pet_species": "cat"}); err != nil {
				return err
			}
			if err := tx.OfferSection(ctx, cu.ID, "basic", clock.Now()); err != nil {
				return err
			}
			if _, err := tx.LockConversation(ctx, cu.ChatID); err != nil {
				return err
			}
			_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: cu.ChatID, Payload: json.RawMessage(`{"text":"hello"}`)}, false)
			return err
		})
		for i, processed := range []bool{true, false} {
			id := cu.ChatID*10 + int64(i)
			if _, err := db.SaveUpdate(ctx, id, cu.ChatID, fmt.Appendf(nil, `{"update_id": %d, "message": {"text": "I am %s"}}`, id, cu.FirstName)); err != nil {
				t.Fatal(err)
			}
			if processed {
				inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkUpdateProcessed(ctx, id) })
			}
		}
	}
	e := domain.Erasure{PhoneHash: []byte("hash of the phone"), AccountHash: []byte("hash of the account"), At: clock.Advance(time.Hour)}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.EraseCustomer(ctx, c.ID, e); err != nil {
			return err
		}
		_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: c.ChatID, Payload: json.RawMessage(`{"text":"erased"}`)}, false)
		return err
	})

	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindCustomerByID(ctx, c.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "erased customer", got, &domain.Customer{ID: c.ID, JoinedAt: c.JoinedAt, CreatedAt: c.CreatedAt, Erased: true})
		if _, err := tx.FindCustomerByTelegramID(ctx, c.TelegramID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("the erased Telegram link still finds a customer (err %v)", err)
		}
		// The card stays; its 70 points, which nobody can spend now, go
		// with a ledger row of their own.
		if gotCard, err := tx.FindCardByCustomer(ctx, c.ID); err != nil || gotCard.Balance != 0 {
			t.Errorf("erased customer's card %+v (err %v), want it kept with its 70 points forfeited", gotCard, err)
		}
		for _, h := range []struct {
			name string
			fn   func(context.Context, []byte) (bool, error)
			hash []byte
			want bool
		}{
			{"PhoneErased", tx.PhoneErased, e.PhoneHash, true},
			{"PhoneErased", tx.PhoneErased, []byte("another phone"), false},
			{"AccountErased", erasedBy(tx, e.At), e.AccountHash, true},
			{"AccountErased", erasedBy(tx, e.At), e.PhoneHash, false},
			{"AccountErased before the erasure", erasedBy(tx, e.At.Add(-time.Second)), e.AccountHash, false},
		} {
			erased, err := h.fn(ctx, h.hash)
			if err != nil {
				return err
			}
			if erased != h.want {
				t.Errorf("%s(%q) = %v, want %v", h.name, h.hash, erased, h.want)
			}
		}
		return nil
	})
	// What is left of each customer, by customer id (or chat id).
	for _, tc := range []struct {
		what         string
		sql          string
		byChat       bool
		erased, kept int
	}{
		{"answers", `SELECT count(*) FROM answers WHERE customer_id = $1`, false, 0, 1},
		{"facts", `SELECT count(*) FROM facts WHERE customer_id = $1`, false, 0, 1},
		{"section offers", `SELECT count(*) FROM section_offers WHERE customer_id = $1`, false, 0, 1},
		{"ledger rows", `SELECT count(*) FROM ledger WHERE card_id IN (SELECT id FROM cards WHERE customer_id = $1)`, false, 2, 0},
		{"forfeit rows", `SELECT count(*) FROM ledger WHERE kind = 'forfeit' AND amount = -70
			AND card_id IN (SELECT id FROM cards WHERE customer_id = $1)`, false, 1, 0},
		{"conversations", `SELECT count(*) FROM conversations WHERE chat_id = $1`, true, 0, 1},
	} {
		for _, who := range []struct {
			cu   *domain.Customer
			want int
		}{{c, tc.erased}, {keep, tc.kept}} {
			arg := who.cu.ID
			if tc.byChat {
				arg = who.cu.ChatID
			}
			if n := sqlOne[int](t, db, tc.sql, arg); n != who.want {
				t.Errorf("customer %d: %d %s, want %d", who.cu.ID, n, tc.what, who.want)
			}
		}
	}
	if p := sqlOne[string](t, db, `SELECT string_agg(payload->>'text', ',' ORDER BY id) FROM outbox WHERE chat_id = $1`, c.ChatID); p != "erased" {
		t.Errorf("the erased chat's queue holds %q, want only the confirmation queued after the erasure", p)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM outbox WHERE chat_id = $1`, keep.ChatID); n != 1 {
		t.Errorf("another chat's queue holds %d messages, want its 1", n)
	}
	if u := sqlOne[string](t, db, `SELECT string_agg(update_id || ':' || payload::text, ',' ORDER BY update_id) FROM updates WHERE update_id / 10 = $1`, c.ChatID); u != fmt.Sprintf(`%d1:{"update_id": %d1}`, c.ChatID, c.ChatID) {
		t.Errorf("the erased chat's updates are %s, want the pending one kept as its id only", u)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM updates WHERE chat_id = $1 AND payload ? 'message'`, keep.ChatID); n != 2 {
		t.Errorf("another chat has %d whole updates, want its 2", n)
	}
	checkTime(t, "customers.erased_at", sqlOne[time.Time](t, db, `SELECT erased_at FROM customers WHERE id = $1`, c.ID), e.At)
	checkTime(t, "erased_phones.erased_at", sqlOne[time.Time](t, db, `SELECT erased_at FROM erased_phones WHERE phone_hash = $1`, e.PhoneHash), e.At)
	checkTime(t, "erased_accounts.erased_at", sqlOne[time.Time](t, db, `SELECT erased_at FROM erased_accounts WHERE telegram_hash = $1`, e.AccountHash), e.At)

	// The same Telegram account and phone may join again, as a new customer.
	again := &domain.Customer{TelegramID: c.TelegramID, ChatID: c.ChatID, FirstName: "Again", Phone: phone(c.ID)}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateCustomer(ctx, again) })
	if again.ID == c.ID {
		t.Error("joining again reused the erased customer's row")
	}
	checkErr(t, "erase a missing customer", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.EraseCustomer(ctx, 999, domain.Erasure{At: e.At})
	}), domain.ErrNotFound)
}

// TestPurge: the retention job deletes raw updates handled (or set aside)
// and messages sent or dropped before the cut-off, and nothing that is
// still to be handled or sent, or newer; it reports how many went.
func TestPurge(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	save := func(id int64, processed bool) {
		if _, err := db.SaveUpdate(ctx, id, 1, fmt.Appendf(nil, `{"update_id": %d}`, id)); err != nil {
			t.Fatal(err)
		}
		if processed {
			inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkUpdateProcessed(ctx, id) })
		}
	}
	save(1, true)
	save(2, false)
	if _, err := db.DeadLetterUpdate(ctx, domain.RawUpdate{UpdateID: 3, ChatID: 1, Payload: []byte(`{"update_id": 3}`)}, "bad"); err != nil {
		t.Fatal(err)
	}
	oldSent, oldDropped, oldPending := enqueue(t, db, 1, time.Time{}), enqueue(t, db, 2, time.Time{}), enqueue(t, db, 3, time.Time{})
	var dropping domain.OutMessage
	for _, m := range claimAll(t, db, oldSent, oldDropped, oldPending) {
		if m.ID == oldDropped {
			dropping = m
		}
	}
	if err := ob.MarkSent(ctx, oldSent); err != nil {
		t.Fatal(err)
	}
	if err := ob.Drop(ctx, dropping, "400"); err != nil {
		t.Fatal(err)
	}
	cutoff := clock.Advance(time.Hour)
	save(4, true) // handled at the cut-off: kept
	newSent := enqueue(t, db, 4, time.Time{})
	claimAll(t, db, newSent)
	if err := ob.MarkSent(ctx, newSent); err != nil {
		t.Fatal(err)
	}

	if n, err := db.PurgeUpdates(ctx, cutoff); err != nil || n != 2 {
		t.Errorf("PurgeUpdates = %d (err %v), want 2: the handled one and the one set aside", n, err)
	}
	if ids := sqlOne[string](t, db, `SELECT string_agg(update_id::text, ',' ORDER BY update_id) FROM updates`); ids != "2,4" {
		t.Errorf("updates left %s, want 2,4", ids)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM dead_updates`); n != 0 {
		t.Errorf("%d dead letters left", n)
	}
	if n, err := db.PurgeOutbox(ctx, cutoff); err != nil || n != 2 {
		t.Errorf("PurgeOutbox = %d (err %v), want 2: the sent and the dropped one", n, err)
	}
	if ids := sqlOne[string](t, db, `SELECT string_agg(id::text, ',' ORDER BY id) FROM outbox`); ids != fmt.Sprintf("%d,%d", oldPending, newSent) {
		t.Errorf("outbox left %s, want %d,%d", ids, oldPending, newSent)
	}
}

// erasedBy is tx.AccountErased at or before at.
func erasedBy(tx domain.Tx, at time.Time) func(context.Context, []byte) (bool, error) {
	return func(ctx context.Context, hash []byte) (bool, error) { return tx.AccountErased(ctx, hash, at) }
}
