package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// TestExportTappedTwiceSendsOneFile: the owner taps 👥 Customers under
// /export, and again while the first file is still on its way: one file
// comes, the second tap is told it is being prepared; once the file is
// sent, a new tap sends a new one.
func TestExportTappedTwiceSendsOneFile(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	documents := func() int {
		n := 0
		for _, m := range owner.U.Messages() {
			if m.Document != nil {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	upload := make(chan struct{})
	h.Fake.FailNext("sendDocument", 1, tgfake.Failure{ChatID: ownerID, Stall: upload})
	owner.Send("/export")
	menu := owner.Last().ID
	if _, err := owner.U.Tap("👥 Customers"); err != nil {
		t.Fatal(err)
	}
	if err := h.Fake.WaitFor(ctx, func() bool { return len(h.Fake.Calls("sendDocument")) == 1 }); err != nil {
		t.Fatalf("the first file is not being sent: %v", err)
	}
	answers := len(owner.U.CallbackAnswers())
	if _, err := owner.U.TapMessage(menu, "👥 Customers"); err != nil {
		t.Fatal(err)
	}
	if err := h.Fake.WaitFor(ctx, func() bool { return len(owner.U.CallbackAnswers()) > answers }); err != nil {
		t.Fatalf("the second tap unanswered: %v", err)
	}
	close(upload)
	owner.Sync()
	if n := documents(); n != 1 {
		t.Fatalf("%d files for one export tapped twice:\n%s", n, owner.Transcript())
	}
	for _, a := range owner.U.CallbackAnswers()[answers:] {
		if a.Text != "The file is already being prepared: it will arrive here shortly." {
			t.Errorf("a tap while the file is on its way was told %q", a.Text)
		}
	}
	owner.Tap("👥 Customers")
	if n := documents(); n != 2 {
		t.Fatalf("a new export after the first was sent: %d files:\n%s", n, owner.Transcript())
	}
}
