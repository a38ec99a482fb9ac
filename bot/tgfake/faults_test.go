package tgfake

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

// TestDropAfterAcceptKeepsTheMessage: a drop after accept records the
// message and loses only the answer, so the client sees the same network
// error as for a message that never arrived; the call says which failure
// it met.
func TestDropAfterAcceptKeepsTheMessage(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "en")
	x.s.FailNext("sendMessage", 1, Failure{Drop: true, AfterAccept: true})
	_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "hi"})
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("want a dropped connection (EOF), got %v", err)
	}
	if ms := anna.Messages(); len(ms) != 1 || ms[0].Text != "hi" {
		t.Fatalf("messages %+v, want the one whose answer was lost", ms)
	}
	calls := x.s.Calls("sendMessage")
	if len(calls) != 1 || calls[0].Fault == nil || !calls[0].Fault.AfterAccept {
		t.Fatalf("calls = %+v, want one marked with its fault", calls)
	}
}

// TestDelayAnswersLate: a delayed call is answered normally, but not
// before its delay is over (a lower bound only: a loaded machine makes
// it later, never earlier).
func TestDelayAnswersLate(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "en")
	const delay = 300 * time.Millisecond
	x.s.FailNext("sendMessage", 1, Failure{Delay: delay})
	began := time.Now()
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "slow"}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < delay {
		t.Errorf("answered after %v, before the %v delay", took, delay)
	}
	if anna.Last().Text != "slow" {
		t.Fatalf("last message %q", anna.Last().Text)
	}
}

// TestGetUpdatesDropAfterAccept: a long poll whose answer is lost hands
// the same updates out again to the next poll with the same offset, as
// Telegram does: they are confirmed only by a later offset.
func TestGetUpdatesDropAfterAccept(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.User(101, "Anna", "en").SendText("first")
	s.FailNext("getUpdates", 1, Failure{Drop: true, AfterAccept: true})
	if _, err := rawPost(s, "getUpdates", `{"offset":0,"timeout":0}`); err == nil {
		t.Fatal("the dropped poll answered")
	}
	body, err := rawPost(s, "getUpdates", `{"offset":0,"timeout":0}`)
	if err != nil || !strings.Contains(body, `"text":"first"`) {
		t.Fatalf("the next poll: %s, %v; want the update again", body, err)
	}
	if body, _ := rawPost(s, "getUpdates", `{"offset":2,"timeout":0}`); !strings.Contains(body, `"result":[]`) {
		t.Fatalf("after confirming: %s", body)
	}
}

// rawPost calls method with a JSON body and returns the answer, or the
// network error.
func rawPost(s *Server, method, body string) (string, error) {
	resp, err := http.Post(s.URL()+"/bot1:x/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
