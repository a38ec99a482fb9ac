package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestSaveAnswerKeepsHistory: a changed answer (or a skip) supersedes the
// current one at its own time and keeps it as history; current answers
// are one per question; another customer's are apart.
func TestSaveAnswerKeepsHistory(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	c, _ := addMember(t, db, clock, 1)
	other, _ := addMember(t, db, clock, 2)
	type save struct {
		question string
		value    string // "" for a skip
	}
	var times []time.Time
	for _, s := range []save{{"city", `"Oslo"`}, {"email", `"a@b.c"`}, {"city", `"Bergen"`}, {"email", ""}, {"pet", `["cat"]`}} {
		at := clock.Advance(time.Minute)
		times = append(times, at)
		var value []byte
		if s.value != "" {
			value = []byte(s.value)
		}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			return tx.SaveAnswer(ctx, c.ID, s.question, value, s.value == "", at)
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.SaveAnswer(ctx, other.ID, "city", []byte(`"Paris"`), false, clock.Now())
	})
	answer := func(q, v string, i int, superseded int) domain.StoredAnswer {
		a := domain.StoredAnswer{QuestionID: q, Skipped: v == "", AnsweredAt: times[i]}
		if v != "" {
			a.Value = []byte(v)
		}
		if superseded >= 0 {
			a.SupersededAt = times[superseded]
		}
		return a
	}
	history := []domain.StoredAnswer{
		answer("city", `"Oslo"`, 0, 2),
		answer("email", `"a@b.c"`, 1, 3),
		answer("city", `"Bergen"`, 2, -1),
		answer("email", "", 3, -1),
		answer("pet", `["cat"]`, 4, -1),
	}
	for _, tc := range []struct {
		history bool
		want    []domain.StoredAnswer
	}{{true, history}, {false, history[2:]}} {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			got, err := tx.ListAnswers(ctx, c.ID, tc.history)
			checkEqual(t, "answers (history "+map[bool]string{true: "on", false: "off"}[tc.history]+")",
				canonicalJSON(t, got), canonicalJSON(t, tc.want))
			return err
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListAnswers(ctx, 999, true)
		if len(got) != 0 {
			t.Errorf("answers of a missing customer: %+v", got)
		}
		return err
	})
}

// canonicalJSON re-encodes each answer's value, which jsonb stores in its
// own spacing and key order.
func canonicalJSON(t *testing.T, as []domain.StoredAnswer) []domain.StoredAnswer {
	t.Helper()
	out := make([]domain.StoredAnswer, len(as))
	for i, a := range as {
		out[i] = a
		if a.Value == nil {
			continue
		}
		var v any
		if err := json.Unmarshal(a.Value, &v); err != nil {
			t.Fatalf("answer %s: %v", a.QuestionID, err)
		}
		out[i].Value, _ = json.Marshal(v)
	}
	return out
}

// TestReplaceFacts: the derived facts are replaced as a whole (a fact no
// longer derived goes), stamped with the business clock, and ListFacts
// reads them back; an empty set clears them; other customers keep theirs.
func TestReplaceFacts(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	c, _ := addMember(t, db, clock, 1)
	other, _ := addMember(t, db, clock, 2)
	facts := func(id int64) (m map[string]string) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			m, err = tx.ListFacts(ctx, id)
			return err
		})
		return m
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.ReplaceFacts(ctx, other.ID, map[string]string{"pet_species": "dog"})
	})
	for _, want := range []map[string]string{
		{"pet_species": "cat", "child_youngest_age_years": "3"},
		{"pet_species": "cat", "car_year_age_years": "9"},
		{},
	} {
		at := clock.Advance(time.Hour)
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.ReplaceFacts(ctx, c.ID, want) })
		checkEqual(t, "facts", facts(c.ID), want)
		if len(want) > 0 {
			checkTime(t, "facts.updated_at", sqlOne[time.Time](t, db, `SELECT max(updated_at) FROM facts WHERE customer_id = $1`, c.ID), at)
			checkTime(t, "facts.updated_at", sqlOne[time.Time](t, db, `SELECT min(updated_at) FROM facts WHERE customer_id = $1`, c.ID), at)
		}
	}
	checkEqual(t, "another customer's facts", facts(other.ID), map[string]string{"pet_species": "dog"})
	checkEqual(t, "a missing customer's facts", facts(999), map[string]string{})
}

// TestSectionOffers: an offer is recorded once (a second offer keeps the
// first time); completing keeps the first completion; completing a
// section never offered records both at once; listed in offer order.
func TestSectionOffers(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	c, _ := addMember(t, db, clock, 1)
	other, _ := addMember(t, db, clock, 2)
	t1, t2, t3, t4, t5 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute), t0.Add(4*time.Minute), t0.Add(5*time.Minute)
	steps := []struct {
		complete bool
		section  string
		at       time.Time
	}{
		{false, "basic", t1},
		{false, "kids", t2},
		{false, "basic", t3}, // offered again: kept as first offered
		{true, "basic", t4},
		{true, "basic", t5}, // completed again: kept as first completed
		{true, "pets", t5},  // never offered
	}
	for _, s := range steps {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			if s.complete {
				return tx.CompleteSection(ctx, c.ID, s.section, s.at)
			}
			return tx.OfferSection(ctx, c.ID, s.section, s.at)
		})
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.OfferSection(ctx, other.ID, "auto", t1) })
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.ListSectionOffers(ctx, c.ID)
		checkEqual(t, "offers", got, []domain.SectionOffer{
			{Section: "basic", OfferedAt: t1, CompletedAt: t4},
			{Section: "kids", OfferedAt: t2},
			{Section: "pets", OfferedAt: t5, CompletedAt: t5},
		})
		if err != nil {
			return err
		}
		none, err := tx.ListSectionOffers(ctx, 999)
		if len(none) != 0 {
			t.Errorf("offers of a missing customer: %+v", none)
		}
		return err
	})
}
