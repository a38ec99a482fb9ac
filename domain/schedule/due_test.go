package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

// TestClockedRunsEachDueJobOnce: when the business clock jumps, a job runs
// once if its spec ticked in the time passed (a daily job once for 30
// days, not 30 times), and not at all otherwise.
func TestClockedRunsEachDueJobOnce(t *testing.T) {
	t.Parallel()
	db, moscow := jobsDB(t, 2)
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

// TestMissedTicksCatchUp: a job whose last tick did not get done (it
// failed, as the Monday report does when the database is away at 09:00,
// or the bot was stopped over it) runs on the next tick or start, once,
// instead of waiting for its next tick a day or a week later; a replica
// started afterwards does not run it again.
func TestMissedTicksCatchUp(t *testing.T) {
	t.Parallel()
	db, moscow := jobsDB(t, 2)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	runs, fail := map[string]int{}, map[string]bool{}
	job := func(name, spec string) schedule.Job {
		return schedule.Job{Name: name, Spec: spec, Run: func(context.Context) error {
			if fail[name] {
				return errors.New("database away")
			}
			runs[name]++
			return nil
		}}
	}
	jobs := []schedule.Job{job("weekly", "0 9 * * 1"), job("nightly", "30 3 * * *")}
	sunday := time.Date(2026, 5, 3, 12, 0, 0, 0, moscow)
	c, err := schedule.NewClocked(db, moscow, quiet, sunday, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 5, 4, 9, 0, 0, 0, moscow)
	fail["weekly"] = true
	if got := c.RunDue(t.Context(), monday); !slices.Equal(got, []string{"nightly"}) {
		t.Errorf("Monday 09:00, the database away: ran %v", got)
	}
	fail["weekly"] = false
	if got := c.RunDue(t.Context(), monday.Add(time.Minute)); !slices.Equal(got, []string{"weekly"}) {
		t.Errorf("Monday 09:01, the database back: ran %v, want the report that failed at 09:00", got)
	}
	if got := c.RunDue(t.Context(), monday.Add(2*time.Minute)); got != nil {
		t.Errorf("Monday 09:02: ran %v again", got)
	}

	// The bot is stopped over the next Monday's 09:00 and the night
	// before: both run when it is back at 10:00, once, however many
	// replicas start.
	back := monday.AddDate(0, 0, 7).Add(time.Hour)
	for i := range 2 {
		c, err := schedule.NewClocked(db, moscow, quiet, back, jobs...)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"weekly", "nightly"}
		if i == 1 {
			want = nil
		}
		if got := c.RunDue(t.Context(), back.Add(10*time.Second)); !slices.Equal(got, want) {
			t.Errorf("replica %d started at 10:00 after missing 09:00 and 03:30: ran %v, want %v", i, got, want)
		}
	}
	if runs["weekly"] != 2 || runs["nightly"] != 2 {
		t.Errorf("runs = %v, want each job once a week and night it was due", runs)
	}
}

// TestSchedulerChecksDoNotStarveThePool: every minute each job's check
// takes its lock (a connection held while the job runs) and reads
// job_runs (a second connection). The bot's default pool is 8 and there
// are 9 jobs: the checks of the first minute after a start, all at once,
// must not hold every connection and wait for one more, which would hang
// the jobs (and every chat the bot answers) for good.
func TestSchedulerChecksDoNotStarveThePool(t *testing.T) {
	t.Parallel()
	db, moscow := jobsDB(t, 8)
	var mu sync.Mutex
	runs := 0
	var jobs []schedule.Job
	for i := range 9 {
		jobs = append(jobs, schedule.Job{Name: fmt.Sprintf("job%d", i), Spec: "* * * * *", Run: func(ctx context.Context) error {
			mu.Lock()
			runs++
			mu.Unlock()
			return nil
		}})
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel() // before db.Close: the hung checks give their connections back
	s, err := schedule.New(ctx, db, moscow, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { schedule.Tick(s); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the 9 jobs' checks of one minute still hang after 20s on a pool of 8")
	}
	if runs != 0 {
		t.Errorf("runs = %d, want none: no tick has passed since the start", runs)
	}

	// The bot was stopped over their last ticks and is back: all nine
	// are due at once.
	if err := db.Update(ctx, func(tx domain.Tx) error {
		for _, j := range jobs {
			if _, err := tx.MarkJobRun(ctx, j.Name, time.Now().Add(-time.Hour).Truncate(time.Minute), time.Now().Add(-time.Hour)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if s, err = schedule.New(ctx, db, moscow, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs...); err != nil {
		t.Fatal(err)
	}
	done = make(chan struct{})
	go func() { schedule.Tick(s); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the 9 jobs due at once still hang after 20s on a pool of 8")
	}
	if runs != 9 {
		t.Errorf("runs = %d, want the 9 due jobs once each", runs)
	}
}

// TestNotDueChecksSkipTheLock: a job never run before (a new shop's
// evening digest) learns at its first check that nothing is due before
// its tick; the minutes after do not take its lock and read job_runs
// again, but the tick still runs it, once.
func TestNotDueChecksSkipTheLock(t *testing.T) {
	t.Parallel()
	db, moscow := jobsDB(t, 2)
	st := &lockCounter{DB: db}
	start := time.Date(2026, 5, 4, 12, 0, 10, 0, moscow)
	runs := 0
	c, err := schedule.NewClocked(st, moscow, slog.New(slog.NewTextHandler(io.Discard, nil)), start,
		schedule.Job{Name: "evening", Spec: "0 21 * * *", Run: func(context.Context) error { runs++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	for m := 1; m <= 3; m++ {
		c.RunDue(t.Context(), start.Add(time.Duration(m)*time.Minute))
	}
	if n := st.locks.Load(); n != 1 {
		t.Errorf("three minutes with nothing due took the lock %d times, want once", n)
	}
	for _, at := range []time.Time{start.Add(9 * time.Hour), start.Add(9*time.Hour + time.Minute)} { // 21:00:10, 21:01:10
		c.RunDue(t.Context(), at)
	}
	if n := st.locks.Load(); runs != 1 || n != 2 {
		t.Errorf("the 21:00 tick and the minute after: ran %d times, took the lock %d times in all; want once and twice", runs, n)
	}
}

// lockCounter counts the job locks taken.
type lockCounter struct {
	*postgres.DB
	locks atomic.Int32
}

func (l *lockCounter) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	l.locks.Add(1)
	return l.DB.TryLock(ctx, name, fn)
}

// jobsDB is a fresh database behind a pool of conns connections, closed
// with the test, and the business zone the jobs run in.
func jobsDB(t *testing.T, conns int32) (*postgres.DB, *time.Location) {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	return db, moscow
}
