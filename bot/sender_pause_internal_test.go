package bot

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// TestBotWidePauseIsTheNewerAnswers: one chat was told to wait an hour (a
// group's own limit), then another chat a few seconds: the two at once
// say the limit is the bot's, and the bot-wide wait is what Telegram
// answered last (3 s), not the first chat's hour: that hour stays the
// first chat's alone, or every chat of the shop would be silent for it.
func TestBotWidePauseIsTheNewerAnswers(t *testing.T) {
	s := &Sender{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.noteTooMany(1, time.Hour)
	if d := s.paused(); d != 0 {
		t.Fatalf("one chat's 429 paused the bot for %v", d)
	}
	s.noteTooMany(2, 3*time.Second)
	if d := s.paused(); d <= 0 || d > 3*time.Second {
		t.Fatalf("bot-wide pause %v after a 3-s answer, want at most 3 s", d)
	}
	// A longer answer of a third chat while the pause runs lengthens it.
	s.noteTooMany(3, 10*time.Second)
	if d := s.paused(); d <= 3*time.Second || d > 10*time.Second {
		t.Fatalf("bot-wide pause %v after a 10-s answer, want (3 s, 10 s]", d)
	}
}
