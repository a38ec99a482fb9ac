package flows_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// runReportJob runs the broadcast report job once, as the scheduler
// would, and waits for what it queued.
func runReportJob(t *testing.T, h *bottest.Harness) int {
	t.Helper()
	n, err := h.Engine.ReportBroadcasts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
	return n
}

// TestBroadcastReportIsPushedOnce: when nothing of a broadcast is pending
// any more its sender gets the final report as a new message, without
// tapping Progress, and only once: however often the job runs, and with
// two replicas running it at the same moment.
func TestBroadcastReportIsPushedOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	joinConsenting(t, h, 321, "Anna")
	dora := joinConsenting(t, h, 322, "Dora")
	dora.U.Block()

	owner.Send("/broadcast").Send("Spring news").Tap("👥 Everyone who agreed to offers").Tap("✅ Send to 2 customers")
	h.Settle()
	const report = "✅ Broadcast finished: 1 of 2 sent, 1 blocked the bot, 0 failed."
	if n := runReportJob(t, h); n != 1 {
		t.Fatalf("the job pushed %d reports, want 1", n)
	}
	if got(owner.Sync(), report) != 1 || owner.Last().Text != report {
		t.Fatalf("no pushed report:\n%s", owner.Transcript())
	}
	if n := runReportJob(t, h); n != 0 {
		t.Fatalf("a second run pushed %d more", n)
	}

	owner.Send("/broadcast").Send("Summer news").Tap("👥 Everyone who agreed to offers").Tap("✅ Send to 1 customer")
	h.Settle()
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Go(func() {
			n, err := h.Engine.ReportBroadcasts(t.Context())
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	h.Settle()
	if counts[0]+counts[1] != 1 {
		t.Fatalf("two replicas pushed %v reports, want 1 in all", counts)
	}
	if k := got(owner.Sync(), "Broadcast finished: 1 of 1 sent"); k != 1 {
		t.Fatalf("the second report arrived %d times:\n%s", k, owner.Transcript())
	}
	if strings.Contains(dora.Sync().Transcript(), "Summer news") {
		t.Fatal("the blocked customer got the second broadcast")
	}
}
