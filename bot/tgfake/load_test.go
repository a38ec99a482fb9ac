package tgfake

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestBoundedMemoryAndAwait: with bounded memory a chat keeps only its
// recent messages (edits of those still work) and the call log stays
// empty; Await returns once the awaited chat shows what it waits for,
// and a change in another chat does not satisfy it.
func TestBoundedMemoryAndAwait(t *testing.T) {
	x := start(t, nil, WithBoundedMemory(3))
	u, other := x.s.User(201, "U", "en"), x.s.User(202, "O", "en")
	for i := range 10 {
		if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "m" + itoa(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	ms := u.Messages()
	if len(ms) != 3 || ms[0].Text != "m7" || ms[2].Text != "m9" {
		t.Fatalf("%d messages kept, %q to %q; want m7 to m9", len(ms), ms[0].Text, ms[len(ms)-1].Text)
	}
	if _, err := x.b.EditMessageText(x.ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: ms[len(ms)-1].ID, Text: "edited"}); err != nil {
		t.Fatalf("edit a kept message: %v", err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 4000)...)
	if _, err := x.b.SendPhoto(x.ctx, &bot.SendPhotoParams{ChatID: u.ID,
		Photo: &models.InputFileUpload{Filename: "card.png", Data: bytes.NewReader(png)}}); err != nil {
		t.Fatal(err)
	}
	if p := u.Last().Photo; len(p) == 0 || len(p) > boundedPhoto || !bytes.HasPrefix(png, p) {
		t.Errorf("kept %d bytes of a %d-byte photo, want its first %d", len(p), len(png), boundedPhoto)
	}
	other.Keep(1)
	for i := range 5 {
		if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: other.ID, Text: "o" + itoa(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if ms := other.Messages(); len(ms) != 1 || ms[0].Text != "o4" {
		t.Errorf("a chat kept to 1 holds %d messages; want o4 alone", len(ms))
	}
	if n := len(x.s.Calls("")); n != 0 {
		t.Errorf("%d calls logged, want none", n)
	}
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		got <- u.Await(ctx, func() bool { return u.Last().Text == "answer" })
	}()
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: other.ID, Text: "answer"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		t.Fatalf("Await returned on another chat's message: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "answer"}); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
