package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOpenChatReadsTheCardAlong: a /card reads the chat, the customer and
// their card in one round trip, and the card it answers with is always
// the one the database has: after a write in the same transaction, for
// another customer, or for a card issued since, FindCardByCustomer reads
// it again.
func TestOpenChatReadsTheCardAlong(t *testing.T) {
	t.Parallel()
	db, trips := tracedDB(t)
	clock := &fakeClock{now: t0}
	ann, annCard := addMember(t, db, clock, 71)
	bob, bobCard := addMember(t, db, clock, 72)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { // the chat's first update creates its row
		_, err := tx.OpenChat(ctx, 71, 71, 0)
		return err
	})
	trips.reset()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 71, 71, 0); err != nil {
			return err
		}
		card, err := tx.FindCardByCustomer(ctx, ann.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "the card read along with the chat", card, annCard)
		card.Balance = 1_000_000 // the caller's copy
		again, err := tx.FindCardByCustomer(ctx, ann.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "the card read along, asked again", again, annCard)
		return nil
	})
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("a chat opened and its customer's card read: %d round trips, want 2 (the chat with the card, COMMIT): %q", n, sql)
	}

	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 71, 71, 0); err != nil {
			return err
		}
		card, err := tx.FindCardByCustomer(ctx, bob.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "another customer's card", card, bobCard)
		if _, _, err := domain.Credit(ctx, tx, domain.LedgerEntry{CardID: annCard.ID, Kind: domain.LedgerBonus,
			Amount: 40, IdempotencyKey: "open-card"}, domain.LotPromo); err != nil {
			return err
		}
		card, err = tx.FindCardByCustomer(ctx, ann.ID)
		if err != nil {
			return err
		}
		if card.Balance != annCard.Balance+40 {
			t.Errorf("after a credit in the same transaction the card says %d points, want %d", card.Balance, annCard.Balance+40)
		}
		return nil
	})

	// A customer without a card yet: the card issued in the transaction
	// is found, not the "none" read along with the chat.
	carl := &domain.Customer{TelegramID: 73, ChatID: 73, FirstName: "Carl", Language: "en", JoinedAt: clock.Now()}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.CreateCustomer(ctx, carl) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		st, err := tx.OpenChat(ctx, 73, 73, 0)
		if err != nil {
			return err
		}
		if st.Customer == nil || st.Customer.ID != carl.ID {
			t.Fatalf("the customer without a card is not read: %+v", st.Customer)
		}
		if _, err := tx.FindCardByCustomer(ctx, carl.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a customer without a card: %v, want ErrNotFound", err)
		}
		issued, err := domain.IssueCard(ctx, tx, carl.ID)
		if err != nil {
			return err
		}
		card, err := tx.FindCardByCustomer(ctx, carl.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "the card issued in the transaction", card, issued)
		return nil
	})
}

// TestOpenChatReadsTopicChoicesAlong: /topics and its buttons have the
// chat's opening read the customer's topic choices along
// (ReadTopicChoices), so ListTopicChoices costs no round trip of its
// own; and what it answers is always what the database has: after a
// write in the same transaction, for another customer, or asked a second
// time, it reads again.
func TestOpenChatReadsTopicChoicesAlong(t *testing.T) {
	t.Parallel()
	db, trips := tracedDB(t)
	clock := &fakeClock{now: t0}
	ann, _ := addMember(t, db, clock, 81)
	bob, _ := addMember(t, db, clock, 82)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 81, 81, 0); err != nil { // the chat's row
			return err
		}
		if err := tx.SetTopicChoice(ctx, ann.ID, "kids", true, t0); err != nil {
			return err
		}
		return tx.SetTopicChoice(ctx, bob.ID, "sales", false, t0)
	})
	list := func(ctx context.Context, tx domain.Tx, what string, id int64, want map[string]bool) map[string]bool {
		t.Helper()
		got, err := tx.ListTopicChoices(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkEqual(t, what, got, want)
		return got
	}

	trips.reset()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 81, 81, domain.ReadTopicChoices); err != nil {
			return err
		}
		got := list(ctx, tx, "the choices read along with the chat", ann.ID, map[string]bool{"kids": true})
		got["kids"] = false // the caller's to change
		list(ctx, tx, "the choices, asked again", ann.ID, map[string]bool{"kids": true})
		return nil
	})
	if n, sql := trips.reset(); n != 3 {
		t.Errorf("a chat opened with its customer's choices, asked twice: %d round trips, want 3 (the chat with the choices, the second ask, COMMIT): %q", n, sql)
	}

	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 81, 81, domain.ReadTopicChoices); err != nil {
			return err
		}
		list(ctx, tx, "another customer's choices", bob.ID, map[string]bool{"sales": false})
		return nil
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 81, 81, domain.ReadTopicChoices); err != nil {
			return err
		}
		if err := tx.SetTopicChoice(ctx, ann.ID, "sales", true, t0); err != nil { // a deferred write
			return err
		}
		list(ctx, tx, "after a write in the same transaction", ann.ID, map[string]bool{"kids": true, "sales": true})
		return nil
	})
	// Not asked for: read when listed.
	trips.reset()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 81, 81, 0); err != nil {
			return err
		}
		list(ctx, tx, "the choices not read along", ann.ID, map[string]bool{"kids": true, "sales": true})
		return nil
	})
	if n, sql := trips.reset(); n != 3 {
		t.Errorf("a chat opened without the choices, then listed: %d round trips, want 3: %q", n, sql)
	}
}
