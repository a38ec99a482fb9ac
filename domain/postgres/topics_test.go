package postgres_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestTopicChoiceGoesOutWithTheNextStatement: a tap on /topics writes the
// choice without a round trip of its own; the next read sees it.
func TestTopicChoiceGoesOutWithTheNextStatement(t *testing.T) {
	t.Parallel()
	db, trips := tracedDB(t)
	ann, _ := addMember(t, db, &fakeClock{now: t0}, 74)
	trips.reset()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if err := tx.SetTopicChoice(ctx, ann.ID, "kids", true, t0); err != nil {
			return err
		}
		got, err := tx.ListTopicChoices(ctx, ann.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "the choices read after the write", got, map[string]bool{"kids": true})
		return tx.SetTopicChoice(ctx, ann.ID, "kids", false, t0)
	})
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("a choice, a read and a choice: %d round trips, want 2 (the write with the read, the write with COMMIT): %q", n, sql)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListTopicChoices(ctx, ann.ID)
		checkEqual(t, "the choices committed", got, map[string]bool{"kids": false})
		return err
	})
}
