package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// nudgeService is a service with one rule and a trivial message.
func nudgeService(clock *fakeClock, rules ...domain.NudgeRule) *domain.Service {
	b := &domain.Business{Name: "Shop", Program: domain.DefaultProgram(), WelcomeBonusDays: 30,
		Stores: []domain.StoreConfig{{Code: "a", Name: "Shop a", TimeZone: "Europe/Moscow"}},
		Nudges: domain.NudgeConfig{Rules: rules, CapDays: 3}}
	return domain.NewService(b, nil, nil, clock.Now)
}

func renderPlain(r domain.NudgeRule, d domain.NudgeDue, n *domain.Nudge) (json.RawMessage, error) {
	return json.Marshal(map[string]any{"chat_id": d.ChatID, "text": fmt.Sprintf("%s %d", r.ID, n.ID)})
}

// seedJoined adds n members with cards who joined at the given time.
func seedJoined(t *testing.T, db *postgres.DB, first int64, n int, at time.Time, marketing bool) {
	t.Helper()
	_, err := db.Pool().Exec(t.Context(), `WITH c AS (INSERT INTO customers
		(telegram_id, chat_id, first_name, language, joined_at, marketing, created_at)
		SELECT g, g, 'M', 'en', $3, $4, $3 FROM generate_series($1::bigint, $1 + $2 - 1) g RETURNING id)
		INSERT INTO cards (customer_id, number, created_at) SELECT id, (10000000 + id)::text, $3 FROM c`,
		first, n, at, marketing)
	if err != nil {
		t.Fatal(err)
	}
}

func tips(holdOut int) domain.NudgeRule {
	return domain.NudgeRule{ID: "tips", Kind: domain.NudgeOnboarding, Enabled: true, Days: 14, Window: 7,
		HoldOut: holdOut, AttributionDays: 7}
}

func nudgeCount(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNudgeHoldOutShareAndTwoEngines: 10,000 customers due at once, two
// engines running the same tick on one database: each customer has
// exactly one nudge, about a tenth of them held out (no message), and
// exactly one message per customer sent.
func TestNudgeHoldOutShareAndTwoEngines(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	const n = 10_000
	seedJoined(t, db, 1, n, clock.Now(), false)
	clock.Advance(14 * 24 * time.Hour)
	svc := nudgeService(clock, tips(10))
	var wg sync.WaitGroup
	reps := make([]domain.NudgeReport, 2)
	for i := range reps {
		wg.Go(func() {
			var err error
			for range 10 { // each run queues at most 5,000 per rule
				var rep domain.NudgeReport
				rep, err = svc.RunNudges(context.Background(), db, renderPlain)
				reps[i].Sent += rep.Sent
				reps[i].HeldOut += rep.HeldOut
				if err != nil || rep.Sent+rep.HeldOut+rep.Skipped == 0 {
					break
				}
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := nudgeCount(t, db, `SELECT count(*) FROM nudges`); got != n {
		t.Fatalf("%d nudges for %d customers", got, n)
	}
	held := nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE outcome = 'held_out'`)
	if held < 850 || held > 1150 {
		t.Fatalf("%d of %d held out, want about 10 %%", held, n)
	}
	if got := nudgeCount(t, db, `SELECT count(*) FROM outbox WHERE nudge_id IS NOT NULL`); got != n-held {
		t.Fatalf("%d messages for %d sent nudges", got, n-held)
	}
	if got := nudgeCount(t, db, `SELECT count(DISTINCT chat_id) FROM outbox`); got != n-held {
		t.Fatalf("%d chats got messages, want %d", got, n-held)
	}
	if sum := reps[0].Sent + reps[1].Sent + reps[0].HeldOut + reps[1].HeldOut; sum != n {
		t.Fatalf("the engines reported %d, want %d in all", sum, n)
	}
	// A dry run agrees with what was done: nothing more is due.
	plans, err := svc.DryRunNudges(t.Context(), db, "", clock.Now())
	if err != nil || len(plans) != 0 {
		t.Fatalf("dry run after the run: %d plans, %v", len(plans), err)
	}
}

// TestNudgeDryRunSaysWhoAndWhyAndWritesNothing: the dry run lists the due
// customers with the hold-out the run would apply and the marketing
// skips, and leaves no row behind.
func TestNudgeDryRunSaysWhoAndWhyAndWritesNothing(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	seedJoined(t, db, 1, 200, clock.Now(), true)
	seedJoined(t, db, 1000, 3, clock.Now(), false)
	clock.Advance(14 * 24 * time.Hour)
	r := tips(10)
	r.Marketing = true
	svc := nudgeService(clock, r)
	plans, err := svc.DryRunNudges(t.Context(), db, "tips", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 203 {
		t.Fatalf("%d plans, want 203", len(plans))
	}
	held, noConsent := 0, 0
	for _, p := range plans {
		if p.HeldOut {
			held++
		}
		if p.Skipped == domain.SkipNoConsent {
			noConsent++
		}
		if p.Reason != "joined 14 days ago" {
			t.Fatalf("reason %q", p.Reason)
		}
	}
	if noConsent != 3 {
		t.Fatalf("%d skipped for no consent, want 3", noConsent)
	}
	if nudgeCount(t, db, `SELECT count(*) FROM nudges`) != 0 {
		t.Fatal("the dry run wrote nudges")
	}
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil {
		t.Fatal(err)
	}
	if rep.HeldOut != held-countHeldNoConsent(plans) || rep.Sent+rep.HeldOut != 200 {
		t.Fatalf("the run did %+v, the dry run said %d held out", rep, held)
	}
	if _, err := svc.DryRunNudges(t.Context(), db, "nope", clock.Now()); err == nil {
		t.Fatal("an unknown rule ran")
	}
}

func countHeldNoConsent(plans []domain.NudgePlan) int {
	n := 0
	for _, p := range plans {
		if p.HeldOut && p.Skipped != "" {
			n++
		}
	}
	return n
}

// TestExpiringPointsAndProfileReminders: a welcome bonus of 30 days is
// announced a week before it expires (once); a profile left half done is
// reminded at 10 and 20 days, and never a third time.
func TestExpiringPointsAndProfileReminders(t *testing.T) {
	db, clock := newStore(t)
	addShop(t, db, "a")
	c, card := addMember(t, db, clock, 1)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, _, err := domain.Credit(ctx, tx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerWelcome, Amount: 100,
			IdempotencyKey: "w1", ExpiresAt: clock.Now().AddDate(0, 0, 30)}, domain.LotPromo)
		if err != nil {
			return err
		}
		return tx.OfferSection(ctx, c.ID, "basic", clock.Now())
	})
	expiring := domain.NudgeRule{ID: "expiring", Kind: domain.NudgeExpiring, Enabled: true, Days: 7, Window: 7, AttributionDays: 7}
	profile := domain.NudgeRule{ID: "profile", Kind: domain.NudgeProfile, Enabled: true, Days: 10, MaxTimes: 2, Window: 7, AttributionDays: 7}
	svc := nudgeService(clock, expiring, profile)
	run := func() domain.NudgeReport {
		rep, err := svc.RunNudges(t.Context(), db, renderPlain)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	want := []struct {
		day  int
		sent int
	}{{9, 0}, {10, 1}, {11, 0}, {20, 1}, {22, 0}, {23, 1}, {24, 0}, {30, 0}, {40, 0}}
	day := 0
	for _, w := range want {
		clock.Advance(time.Duration(w.day-day) * 24 * time.Hour)
		day = w.day
		if rep := run(); rep.Sent != w.sent {
			t.Fatalf("day %d: %+v, want %d sent", w.day, rep, w.sent)
		}
	}
	if n := nudgeCount(t, db, `SELECT count(*) FROM nudges WHERE rule = 'profile'`); n != 2 {
		t.Fatalf("%d profile reminders, want 2", n)
	}
}
