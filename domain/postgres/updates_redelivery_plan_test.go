package postgres_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestRedeliveryProbeFindsItsUpdatesByKey: the look for a redelivery
// stored and not handled (unhandledBefore, asked of the updates a save
// found stored already) reads the updates it was given by their key, also
// in the state a vacuum between two bursts leaves with thousands in
// flight: reading updates_chat_pending without a chat reads every update
// in flight.
func TestRedeliveryProbeFindsItsUpdatesByKey(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	vacuumedWithInFlight(t, db, 10_000)
	conn, err := db.Pool().Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	probe := strings.ReplaceAll(postgres.UnhandledBeforeSQL, "$1", "'{40001,50001}'::bigint[]")
	if rows, pages := explainPages(t, conn, probe); rows != 1 || pages > 12 {
		t.Errorf("the probe for 2 updates (1 in flight) read %d pages for %d rows, want the few of their keys", pages, rows)
	}
}
