package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestCodeWordUsesTakenOnce: members writing a limited code word at the
// same moment take exactly its uses, each once; the rest hear that the
// uses are gone; Ё and Е find the same word; a stop ends it, and a
// second stop says it is over.
func TestCodeWordUsesTakenOnce(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	owner := addStaff(t, db, 900, domain.RoleOwner, 0)
	svc := domain.NewService(&domain.Business{Name: "Test", Currency: "RUB", Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	var w *domain.CodeWord
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		w, err = svc.StartCodeWord(ctx, tx, owner, domain.CodeWordRequest{Word: "ёлка", Points: 50,
			End: clock.Now().Add(48 * time.Hour), MaxUses: 3})
		return err
	})
	if w.Word != "ЁЛКА" || w.StartPayload() != "" {
		t.Fatalf("the word %q, its link %q", w.Word, w.StartPayload())
	}
	members := make([]*domain.Customer, 8)
	for i := range members {
		members[i], _ = addMember(t, db, clock, int64(100+i))
	}
	results := make([]domain.CodeWordOutcome, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Go(func() {
			err := db.Update(t.Context(), func(tx domain.Tx) (err error) {
				results[i], err = svc.UseCodeWord(t.Context(), tx, m, "Елка", false)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := map[domain.CodeWordResult]int{}
	for i, r := range results {
		got[r.Result]++
		if r.Result == domain.CodeWordCredited && r.Balance != 50 {
			t.Errorf("member %d's balance after the word: %d", i, r.Balance)
		}
	}
	if got[domain.CodeWordCredited] != 3 || got[domain.CodeWordFull] != 5 {
		t.Fatalf("results %v, want 3 credited and 5 full", got)
	}
	again := usedBy(t, db, svc, members, results)
	if again != domain.CodeWordUsed {
		t.Fatalf("a member writing it again: %v", again)
	}
	var listed []domain.CodeWord
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		listed, err = svc.CodeWords(ctx, tx, owner, 10)
		return err
	})
	if len(listed) != 1 || listed[0].Uses != 3 || !listed[0].Full() {
		t.Fatalf("the list: %+v", listed)
	}

	late := members[0] // one who found the uses gone
	for i, r := range results {
		if r.Result == domain.CodeWordFull {
			late = members[i]
		}
	}
	clock.Advance(time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.StopCodeWord(ctx, tx, owner, w.ID)
		return err
	})
	err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.StopCodeWord(ctx, tx, owner, w.ID)
		return err
	})
	if !errors.Is(err, domain.ErrPromotionOver) {
		t.Fatalf("a second stop: %v", err)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		out, err := svc.UseCodeWord(ctx, tx, late, "ЁЛКА", false)
		if out.Result != domain.CodeWordEnded {
			t.Errorf("after the stop: %v", out.Result)
		}
		return err
	})
	// Long after its end the word is any other text again.
	clock.Advance(domain.CodeWordAnswersFor + time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		out, err := svc.UseCodeWord(ctx, tx, late, "ЁЛКА", false)
		if out.Result != domain.CodeWordNone || out.Word != nil {
			t.Errorf("a month after the stop: %+v", out)
		}
		return err
	})
}

// usedBy has the first credited member write the word again.
func usedBy(t *testing.T, db *postgres.DB, svc *domain.Service, members []*domain.Customer, results []domain.CodeWordOutcome) domain.CodeWordResult {
	t.Helper()
	for i, r := range results {
		if r.Result != domain.CodeWordCredited {
			continue
		}
		var out domain.CodeWordOutcome
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			out, err = svc.UseCodeWord(ctx, tx, members[i], "ёлка", false)
			return err
		})
		return out.Result
	}
	t.Fatal("nobody was credited")
	return 0
}

// TestCodeWordOpenOnce: two owners starting the same word at the same
// moment start it once (the other hears it is taken); once it is past
// its end, the same spelling starts again as a new word.
func TestCodeWordOpenOnce(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	owners := []*domain.Staff{addStaff(t, db, 900, domain.RoleOwner, 0), addStaff(t, db, 901, domain.RoleOwner, 0)}
	svc := domain.NewService(&domain.Business{Name: "Test", Currency: "RUB", Program: domain.DefaultProgram()}, nil, nil, clock.Now)
	start := func(by *domain.Staff, word string) error {
		return db.Update(t.Context(), func(tx domain.Tx) error {
			_, err := svc.StartCodeWord(t.Context(), tx, by, domain.CodeWordRequest{Word: word, Points: 10,
				End: clock.Now().Add(24 * time.Hour)})
			return err
		})
	}
	for round := range 5 {
		word := "WORD" + string(rune('A'+round))
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, o := range owners {
			wg.Go(func() { errs[i] = start(o, word) })
		}
		wg.Wait()
		var v *domain.ValidationError
		ok, taken := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &v) && v.Reason == "codeword.error.taken":
				taken++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 || taken != 1 {
			t.Fatalf("round %d: %d started, %d taken; want one each", round, ok, taken)
		}
	}
	clock.Advance(25 * time.Hour)
	if err := start(owners[0], "worda"); err != nil {
		t.Fatalf("the spelling of a word past its end: %v", err)
	}
	var listed []domain.CodeWord
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		listed, err = svc.CodeWords(ctx, tx, owners[0], 20)
		return err
	})
	if len(listed) != 6 || listed[0].Word != "WORDA" || !listed[0].Running(clock.Now()) || listed[5].Running(clock.Now()) {
		t.Fatalf("the words: %+v", listed)
	}
}
