package tgfake

import (
	"errors"
	"testing"

	"github.com/go-telegram/bot"
)

// TestLimitsRefuseWhatTelegramWould: with limits on, a chat's messages
// beyond its burst and everyone's beyond the total get 429 with a
// retry_after, nothing of a refused message is kept, and edits are not
// counted. (Refills are slow here, so the test does not depend on the
// machine's speed.)
func TestLimitsRefuseWhatTelegramWould(t *testing.T) {
	x := start(t, nil, WithLimits(Limits{PerSecond: 0.01, Burst: 4, PerChat: 0.01, ChatBurst: 2}))
	var users []*User
	for _, id := range []int64{101, 102, 103, 104} {
		users = append(users, x.s.User(id, "U", "en"))
	}
	send := func(chat int64) error {
		_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: chat, Text: "hi"})
		return err
	}
	tooMany := func(err error) int {
		var e *bot.TooManyRequestsError
		if !errors.As(err, &e) {
			t.Fatalf("want 429, got %v", err)
		}
		return e.RetryAfter
	}
	for range 2 {
		if err := send(101); err != nil {
			t.Fatal(err)
		}
	}
	if after := tooMany(send(101)); after < 50 {
		t.Errorf("a chat over its burst: retry_after %d, want about 100", after)
	}
	m, err := x.b.EditMessageText(x.ctx, &bot.EditMessageTextParams{ChatID: 101, MessageID: users[0].Last().ID, Text: "edited"})
	if err != nil || m.Text != "edited" {
		t.Fatalf("an edit is not limited: %v", err)
	}
	if err := send(102); err != nil {
		t.Fatal(err)
	}
	if err := send(103); err != nil {
		t.Fatal(err)
	}
	tooMany(send(104)) // 4 sent: the total's burst is spent
	if n := x.s.TooManyRequests(); n != 2 {
		t.Errorf("%d refused, want 2", n)
	}
	if n := len(users[3].Messages()); n != 0 {
		t.Errorf("a refused message was kept: %d", n)
	}
}
