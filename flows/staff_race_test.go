package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// waitForLockWaiters waits until n statements of the test's database wait
// on a row lock.
func waitForLockWaiters(t *testing.T, h *bottest.Harness, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		waiting := countRows(t, h, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND datname = current_database()`)
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements wait on a lock, want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOwnersRevokingEachOtherAtOnceKeepOne: two owners, each on the
// other's "Yes, revoke" at the same moment (two chats, two transactions):
// one revocation goes through, the other is refused, and the business
// keeps an owner.
func TestOwnersRevokingEachOtherAtOnceKeepOne(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Owners = []int64{ownerID, 901} })
	olga := h.Chat(ownerID, "Olga", "en")
	boris := h.Chat(901, "Boris", "en")
	olga.Send("/start")
	boris.Send("/start")
	olga.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris")
	boris.Send("/staff").Tap("👥 Staff list").Tap("Revoke Olga")

	// Something else holds both staff rows for a moment: both taps have
	// read who they are and queue behind it.
	ctx := context.Background()
	hold, err := h.DB.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM staff WHERE telegram_id IN (900, 901) FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := olga.U.Tap("Yes, revoke"); err != nil {
		t.Fatal(err)
	}
	if _, err := boris.U.Tap("Yes, revoke"); err != nil {
		t.Fatal(err)
	}
	waitForLockWaiters(t, h, 2)
	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	olga.Sync()
	boris.Sync()
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE role = 'owner' AND revoked_at IS NULL`); n != 1 {
		t.Errorf("%d active owners after both revoked each other at once, want 1\n%s\n%s", n, olga.Transcript(), boris.Transcript())
	}
	if n := strings.Count(olga.Transcript()+boris.Transcript(), "no longer has staff access."); n != 1 {
		t.Errorf("%d owners were told their revocation went through, want 1", n)
	}
	if !strings.Contains(olga.Transcript()+boris.Transcript(), "Your staff access has been revoked.") {
		t.Errorf("the owner revoked first was not told her own revocation stands:\n%s\n%s", olga.Transcript(), boris.Transcript())
	}
}

// TestStaleRevokePromptSparesTheRehired: Olga asks "Revoke Boris?" and
// leaves the question open; meanwhile the other owner revokes Boris and
// hires him again. Olga's old "Yes, revoke" is about the Boris that was:
// it must not revoke the one just hired.
func TestStaleRevokePromptSparesTheRehired(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Owners = []int64{ownerID, 903} })
	olga := h.Chat(ownerID, "Olga", "en")
	pavel := h.Chat(903, "Pavel", "en")
	hire(t, h, olga, "cashier", 901, "Boris")
	olga.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris")
	prompt := olga.Last().ID

	pavel.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris").Tap("Yes, revoke")
	hire(t, h, pavel, "cashier", 901, "Boris")

	olga.TapOld(prompt, "Yes, revoke")
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 901 AND revoked_at IS NULL`); n != 1 {
		t.Errorf("Olga's stale prompt revoked the rehired Boris:\n%s", olga.Transcript())
	}
	if strings.Contains(olga.Last().Text, "no longer has staff access") {
		t.Errorf("Olga is told the stale prompt revoked Boris: %q", olga.Last().Text)
	}
	if !strings.Contains(olga.Last().Text, "Boris was hired again or moved since this question") {
		t.Errorf("Olga's answer: %q", olga.Last().Text)
	}
}

// TestInviteMadeWhileRevokedIsVoid: a manager makes a cashier link at the
// moment the owner revokes her (two chats, two transactions): the link
// goes with her, as the ones she made before do.
func TestInviteMadeWhileRevokedIsVoid(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	olga := h.Chat(ownerID, "Olga", "en")
	hire(t, h, olga, "manager", 940, "Mila")
	olga.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila")
	ctx := context.Background()
	var shopID int64
	if err := h.DB.Pool().QueryRow(ctx, `SELECT store_id FROM staff WHERE telegram_id = 940`).Scan(&shopID); err != nil {
		t.Fatal(err)
	}

	// Mila's tap on "Invite a cashier": her transaction has read that she
	// is a manager and made the link when Olga's "Yes, revoke" arrives.
	made, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var token string
	go func() {
		done <- h.DB.Update(ctx, func(tx domain.Tx) error {
			mila, err := tx.FindStaffByTelegramID(ctx, 940)
			if err != nil {
				return err
			}
			token, err = h.Engine.Service.Invite(ctx, tx, mila, domain.RoleCashier, shopID)
			close(made)
			<-commit
			return err
		})
	}()
	<-made
	if _, err := olga.U.Tap("Yes, revoke"); err != nil {
		t.Fatal(err)
	}
	// Olga's revocation either goes through at once or waits for Mila's
	// transaction; give it the moment it needs, then let Mila's commit.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && countRows(t, h, `SELECT count(*) FROM pg_stat_activity
		WHERE wait_event_type = 'Lock' AND datname = current_database()`) == 0 &&
		countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 940 AND revoked_at IS NOT NULL`) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	close(commit)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.Settle()
	olga.Sync()
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 940 AND revoked_at IS NULL`); n != 0 {
		t.Fatalf("Mila is still active:\n%s", olga.Transcript())
	}
	fedor := h.Chat(941, "Fedor", "en")
	fedor.Send("/start i_" + token)
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 941`); n != 0 {
		t.Errorf("a link the revoked manager made as she was revoked let Fedor in:\n%s", fedor.Transcript())
	}
}

// TestInviteTappedAsRevokedMakesNoLink: the manager taps "Invite a
// cashier" just after the owner's revocation of her took hold, before it
// is committed: she gets no link that works.
func TestInviteTappedAsRevokedMakesNoLink(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	olga := h.Chat(ownerID, "Olga", "en")
	mila := hire(t, h, olga, "manager", 940, "Mila")
	olga.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila")
	mila.Send("/staff")

	ctx := context.Background()
	hold, err := h.DB.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT 1 FROM staff WHERE telegram_id = 940 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := olga.U.Tap("Yes, revoke"); err != nil {
		t.Fatal(err)
	}
	waitForLockWaiters(t, h, 1)
	if _, err := mila.U.Tap("➕ Invite a cashier"); err != nil {
		t.Fatal(err)
	}
	waitForLockWaiters(t, h, 2)
	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	olga.Sync()
	mila.Sync()
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 940 AND revoked_at IS NULL`); n != 0 {
		t.Fatalf("Mila is still active:\n%s", olga.Transcript())
	}
	m := linkRe.FindStringSubmatch(lastTexts(mila, 3))
	if m == nil {
		return // no link at all: fine
	}
	fedor := h.Chat(941, "Fedor", "en")
	fedor.Send("/start " + m[1])
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 941`); n != 0 {
		t.Errorf("a link the manager made as she was being revoked let Fedor in:\n%s\n%s", mila.Transcript(), fedor.Transcript())
	}
}
