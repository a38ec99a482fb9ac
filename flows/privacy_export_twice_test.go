package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// TestDataDownloadTappedTwiceSendsOneFile: a customer taps 📦 Download my
// data under /privacy, and again while the file is still on its way: one
// file comes, the second tap is told it is being prepared; once the file
// is sent, a new tap sends a new one.
func TestDataDownloadTappedTwiceSendsOneFile(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := join(t, h, 101, "Anna")
	documents := func() int {
		n := 0
		for _, m := range anna.U.Messages() {
			if m.Document != nil {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	upload := make(chan struct{})
	h.Fake.FailNext("sendDocument", 1, tgfake.Failure{ChatID: 101, Stall: upload})
	anna.Send("/privacy")
	menu := anna.Last().ID
	if _, err := anna.U.Tap("📦 Download my data"); err != nil {
		t.Fatal(err)
	}
	if err := h.Fake.WaitFor(ctx, func() bool { return len(h.Fake.Calls("sendDocument")) == 1 }); err != nil {
		t.Fatalf("the first file is not being sent: %v", err)
	}
	answers := len(anna.U.CallbackAnswers())
	if _, err := anna.U.TapMessage(menu, "📦 Download my data"); err != nil {
		t.Fatal(err)
	}
	if err := h.Fake.WaitFor(ctx, func() bool { return len(anna.U.CallbackAnswers()) > answers }); err != nil {
		t.Fatalf("the second tap unanswered: %v", err)
	}
	close(upload)
	anna.Sync()
	if n := documents(); n != 1 {
		t.Fatalf("%d files for a download tapped twice:\n%s", n, anna.Transcript())
	}
	for _, a := range anna.U.CallbackAnswers()[answers:] {
		if a.Text != "The file is already being prepared: it will arrive here shortly." {
			t.Errorf("a tap while the file is on its way was told %q", a.Text)
		}
	}
	anna.Send("/privacy").Tap("📦 Download my data")
	if n := documents(); n != 2 {
		t.Fatalf("a new download after the first was sent: %d files:\n%s", n, anna.Transcript())
	}
}

// TestDataDownloadTapIsAnsweredPreparing: the customer's 📦 Download my
// data is answered at once that the file is being prepared, as an
// owner's /export is: the file itself comes a moment later, from the
// sender.
func TestDataDownloadTapIsAnsweredPreparing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := join(t, h, 102, "Anna")
	anna.Send("/privacy").Tap("📦 Download my data")
	if got := lastToast(anna); got != "Preparing the file…" {
		t.Errorf("the download tap was answered %q", got)
	}
	if doc := anna.Last().Document; doc == nil {
		t.Fatalf("no file:\n%s", anna.Transcript())
	}
}
