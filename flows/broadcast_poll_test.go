package flows_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestPollBroadcast: a broadcast can be a one-question poll. Each
// recipient's message carries the answers as buttons; a tap records one
// answer per customer, which they can change, confirmed in place; a forged
// option is refused; the owner's progress shows the tally, the pushed
// report too, and the export lists who answered what; erasing a customer
// deletes their answer.
func TestPollBroadcast(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 341, "Anna")
	boris := joinConsenting(t, h, 342, "Boris")
	carl := joinConsenting(t, h, 343, "Carl")

	owner.Send("/broadcast").Send("Which day suits you for the tasting?").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Friday")
	if slices.Contains(owner.Last().Buttons(), "✅ Done") {
		t.Fatal("Done offered with one option")
	}
	owner.Send(strings.Repeat("x", 41))
	if !strings.Contains(owner.Last().Text, "1 to 40 characters") {
		t.Fatalf("a too long option: %q", owner.Last().Text)
	}
	owner.Send("Saturday").Send("  saturday ")
	if !strings.Contains(owner.Last().Text, "This answer is in the poll already.") {
		t.Fatalf("a second Saturday: %q", owner.Last().Text)
	}
	owner.Tap("✅ Done")
	if b := strings.Join(owner.Last().Buttons(), "|"); strings.Contains(b, "Make it a poll") {
		t.Fatalf("the poll is offered again: %s", b)
	}
	owner.Tap("✅ Send to 3 customers")
	h.Settle()

	if b := strings.Join(anna.Sync().Last().Buttons(), "|"); b != "Friday|Saturday|🛑 Stop all offers and news" {
		t.Fatalf("poll buttons: %s", b)
	}
	anna.Tap("Friday")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "✅ Friday|Saturday|🛑 Stop all offers and news" {
		t.Fatalf("the answer is not confirmed in place: %s", b)
	}
	anna.Tap("Saturday")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "Friday|✅ Saturday|🛑 Stop all offers and news" {
		t.Fatalf("the changed answer: %s", b)
	}
	boris.Sync().Tap("Saturday")
	carl.Sync().Tap("Friday")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT id FROM broadcasts`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	carl.SignedCallback(carl.Last().ID, fmt.Sprintf("x:poll:%d:7", id), "a forged option")
	if n := countRows(t, h, `SELECT count(*) FROM poll_answers`); n != 3 {
		t.Fatalf("%d answers stored, want one per customer (3)", n)
	}

	boris.Send("/privacy").Tap("📦 Download my data")
	var export struct {
		Polls []struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
		} `json:"poll_answers"`
	}
	if doc := boris.Last().Document; doc == nil || json.Unmarshal(doc.Data, &export) != nil ||
		len(export.Polls) != 1 || export.Polls[0].Answer != "Saturday" ||
		export.Polls[0].Question != "Which day suits you for the tasting?" {
		t.Fatalf("Boris's export poll answers: %+v", export.Polls)
	}

	owner.Tap("📊 Progress")
	if want := "Answers:\nFriday: 1\nSaturday: 2"; !strings.HasSuffix(owner.Last().Text, want) {
		t.Fatalf("tally %q, want it to end with %q", owner.Last().Text, want)
	}
	if runReportJob(t, h) != 1 || !strings.Contains(owner.Sync().Last().Text, "Friday: 1\nSaturday: 2") {
		t.Fatalf("the pushed report has no tally: %q", owner.Last().Text)
	}
	owner.Tap("📥 Export answers")
	doc := owner.Last().Document
	if doc == nil {
		t.Fatalf("no CSV:\n%s", owner.Transcript())
	}
	body, ok := strings.CutPrefix(string(doc.Data), "\ufeff")
	if !ok {
		t.Fatal("the poll's CSV has no byte order mark: Excel would read its names as ANSI")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "first_name,answer,answered_at" ||
		rows[1][0] != "Anna" || rows[1][1] != "Saturday" || rows[1][2] != "2026-11-22 15:00" {
		t.Fatalf("export %q", rows)
	}

	carl.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if n := countRows(t, h, `SELECT count(*) FROM poll_answers a JOIN customers c ON c.id = a.customer_id WHERE c.telegram_id = 343`); n != 0 {
		t.Fatal("the erased customer's answer is kept")
	}
	owner.Tap("📊 Progress") // the pushed report's button, above the CSV
	tally := ""
	for _, m := range owner.U.Messages() {
		if strings.Contains(m.Text, "Answers:") {
			tally = m.Text
		}
	}
	if want := "Friday: 0\nSaturday: 2"; !strings.HasSuffix(tally, want) {
		t.Fatalf("tally after erasure %q", tally)
	}
	bottest.Golden(t, "broadcast_poll_owner", owner.Transcript())
	bottest.Golden(t, "broadcast_poll_customer", anna.Transcript()+"\n"+carl.Transcript())
}
