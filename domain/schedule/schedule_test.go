package schedule_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestRetentionJobPurgesOnlyWhatIsPastItsPeriod(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDB(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	for _, u := range []struct {
		id        int64
		received  time.Time
		processed *time.Time
	}{
		{1, ago(9), ptr(ago(8))}, // handled 8 days ago: past the 7 days
		{2, ago(6), ptr(ago(6))}, // handled 6 days ago: kept
		{3, ago(30), nil},        // never handled: not for retention to drop
	} {
		if _, err := db.Pool().Exec(ctx, `INSERT INTO updates (update_id, chat_id, payload, received_at, processed_at)
			VALUES ($1, 7, '{"message": {"text": "hi"}}', $2, $3)`, u.id, u.received, u.processed); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []struct {
		id     int64
		failed time.Time
	}{{4, ago(8)}, {5, ago(6)}} { // set aside 8 days ago: gone; 6 days ago: kept
		if _, err := db.Pool().Exec(ctx, `INSERT INTO dead_updates (update_id, chat_id, payload, reason, failed_at)
			VALUES ($1, 7, 'raw', 'test', $2)`, d.id, d.failed); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		note          string
		created       time.Time
		sent, dropped *time.Time
	}{
		{"sent 31 days ago", ago(31), ptr(ago(31)), nil},
		{"dropped 31 days ago", ago(32), nil, ptr(ago(31))},
		{"sent 29 days ago", ago(29), ptr(ago(29)), nil},
		{"waiting for 40 days", ago(40), nil, nil},
	} {
		if _, err := db.Pool().Exec(ctx, `INSERT INTO outbox (chat_id, payload, not_before, created_at, sent_at, dropped_at)
			VALUES (7, jsonb_build_object('text', $1::text), $2, $2, $3, $4)`, m.note, m.created, m.sent, m.dropped); err != nil {
			t.Fatal(err)
		}
	}
	spec := domain.DefaultJobs()[domain.JobPurgeRetained]
	if err := schedule.ParseSpec(spec); err != nil {
		t.Fatalf("default spec %q: %v", spec, err)
	}
	job := schedule.RetentionJob(spec, db, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for range 2 { // a second run finds nothing more
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		var updates []int64
		rows, _ := db.Pool().Query(ctx, `SELECT update_id FROM updates ORDER BY 1`)
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			updates = append(updates, id)
		}
		if rows.Err() != nil || len(updates) != 2 || updates[0] != 2 || updates[1] != 3 {
			t.Fatalf("updates left %v (%v), want 2 (handled 6 days ago) and 3 (never handled)", updates, rows.Err())
		}
		var dead int64
		if err := db.Pool().QueryRow(ctx, `SELECT coalesce(sum(update_id), 0) FROM dead_updates`).Scan(&dead); err != nil || dead != 5 {
			t.Fatalf("updates set aside left: ids summing to %d (%v), want only 5 (set aside 6 days ago)", dead, err)
		}
		var notes []string
		rows, _ = db.Pool().Query(ctx, `SELECT payload->>'text' FROM outbox ORDER BY id`)
		for rows.Next() {
			var s string
			rows.Scan(&s)
			notes = append(notes, s)
		}
		if rows.Err() != nil || len(notes) != 2 || notes[0] != "sent 29 days ago" || notes[1] != "waiting for 40 days" {
			t.Fatalf("outbox left %q (%v), want the message sent 29 days ago and the one still waiting", notes, rows.Err())
		}
	}
}

func ptr[T any](v T) *T { return &v }
