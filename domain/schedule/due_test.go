package schedule_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

// TestClockedRunsEachDueJobOnce: when the business clock jumps, a job runs
// once if its spec ticked in the time passed (a daily job once for 30
// days, not 30 times), and not at all otherwise.
func TestClockedRunsEachDueJobOnce(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	moscow, _ := time.LoadLocation("Europe/Moscow")
	start := time.Date(2026, 5, 4, 12, 0, 10, 0, moscow)
	runs := map[string]int{}
	job := func(name, spec string) schedule.Job {
		return schedule.Job{Name: name, Spec: spec, Run: func(context.Context) error { runs[name]++; return nil }}
	}
	c, err := schedule.NewClocked(db, moscow, slog.New(slog.NewTextHandler(io.Discard, nil)), start,
		job("minutely", "* * * * *"), job("nightly", "30 3 * * *"), job("evening", "0 21 * * *"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		to   time.Time
		want []string
	}{
		{start.Add(30 * time.Second), nil},                           // 12:00:40: no minute passed
		{start.Add(time.Minute), []string{"minutely"}},               // 12:01:10
		{start.Add(time.Minute), nil},                                // the same time again
		{start.Add(10 * time.Hour), []string{"minutely", "evening"}}, // 22:00:10, past 21:00
		{start.AddDate(0, 0, 30), []string{"minutely", "nightly", "evening"}},
	} {
		if got := c.RunDue(t.Context(), step.to); !slices.Equal(got, step.want) {
			t.Errorf("RunDue(%s) = %v, want %v", step.to.Format(time.DateTime), got, step.want)
		}
	}
	if runs["nightly"] != 1 || runs["evening"] != 2 || runs["minutely"] != 3 {
		t.Errorf("runs = %v", runs)
	}
}
