package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestRedeliveryProbeFindsItsUpdatesByKey: the look for a redelivery
// stored and not handled (unhandledBefore, in every statement that stores
// updates) reads the updates it was given by their key, also in the state
// a vacuum between two bursts leaves with thousands in flight: reading
// updates_chat_pending without a chat reads every update in flight, for
// every delivery.
func TestRedeliveryProbeFindsItsUpdatesByKey(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	at := vacuumedWithInFlight(t, db, 10_000)
	for _, tc := range []struct {
		name  string
		query string
		args  []any
	}{
		{"SaveDeliveries", postgres.SaveDeliveriesSQL, []any{[]int64{50001, 50002}, []int64{1, 2}, []string{"{}", "{}"}, at}},
		{"SaveUpdates", postgres.SaveUpdatesSQL, []any{[]int64{50001, 50002}, []int64{1, 2}, []string{"{}", "{}"}, at}},
	} {
		scans := scansOf(t, db, "updates", tc.query, tc.args...)
		pkey := 0
		for _, s := range scans {
			if s == "Index Scan updates_pkey" || s == "Index Only Scan updates_pkey" || s == "Bitmap Index Scan updates_pkey" {
				pkey++
			}
		}
		if pkey == 0 {
			t.Errorf("%s: the redelivery probe reads updates by %s, want updates_pkey", tc.name, fmt.Sprint(scans))
		}
	}
	conn, err := db.Pool().Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	probe := strings.ReplaceAll(postgres.UnhandledBeforeSQL, "$1", "'{40001,50001}'::bigint[]")
	if rows, pages := explainPages(t, conn, probe); rows != 1 || pages > 12 {
		t.Errorf("the probe for 2 updates (1 in flight) read %d pages for %d rows, want the few of their keys", pages, rows)
	}
	// SaveUpdate, as a getUpdates answer's one-by-one path runs it.
	single := strings.NewReplacer("$1", "50003", "$2", "1", "$3", "'{}'", "$4", "now()").Replace(postgres.SaveUpdateSQL)
	if _, pages := explainPages(t, conn, single); pages > 12 {
		t.Errorf("SaveUpdate read %d pages, want the few of its key", pages)
	}
}
