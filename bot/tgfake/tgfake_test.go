package tgfake

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// harness runs the real go-telegram/bot client against a fresh fake.
type harness struct {
	s   *Server
	b   *bot.Bot
	ctx context.Context

	mu      sync.Mutex
	seen    []*models.Update
	arrived chan struct{} // a handler saw an update
}

// start starts a fake and a polling bot whose default handler records every
// update and then calls h (if any).
func start(t *testing.T, h bot.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	x := &harness{s: s, ctx: ctx, arrived: make(chan struct{}, 1)}
	x.b, err = bot.New("42:secret", bot.WithServerURL(s.URL()), bot.WithSkipGetMe(),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
			x.mu.Lock()
			x.seen = append(x.seen, u)
			x.mu.Unlock()
			select {
			case x.arrived <- struct{}{}:
			default:
			}
			if h != nil {
				h(ctx, b, u)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { x.b.Start(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return x
}

// updates returns the updates the bot's handler has seen so far.
func (x *harness) updates() []*models.Update {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]*models.Update(nil), x.seen...)
}

// The handlers run after the fake has handed the updates over, so the
// wait is on the handlers' own signal, not on a change of the fake (a
// handler late under load saw its update after the fake's last change,
// and the wait ran out with all of them seen).
func (x *harness) waitUpdates(t *testing.T, n int) []*models.Update {
	t.Helper()
	for len(x.updates()) < n {
		select {
		case <-x.arrived:
		case <-x.ctx.Done():
			t.Fatalf("want %d updates, have %d: %v", n, len(x.updates()), x.ctx.Err())
		}
	}
	return x.updates()
}

func TestGetMeAndToken(t *testing.T) {
	s, err := Start("127.0.0.1:0", WithBotUsername("shop_bot"), WithToken("1:good"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b, _ := bot.New("1:good", bot.WithServerURL(s.URL()), bot.WithSkipGetMe())
	me, err := b.GetMe(ctx)
	if err != nil || me.Username != "shop_bot" || me.ID != 1000 || !me.IsBot {
		t.Fatalf("getMe = %+v, %v", me, err)
	}
	bad, _ := bot.New("1:bad", bot.WithServerURL(s.URL()), bot.WithSkipGetMe())
	if _, err := bad.GetMe(ctx); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestPollingTextTapAndEdit(t *testing.T) {
	x := start(t, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil && u.Message.Text == "/start":
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Join?",
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "Yes", CallbackData: "join:yes"}, {Text: "Site", URL: "https://example.com"}}}}})
		case u.CallbackQuery != nil:
			m := u.CallbackQuery.Message.Message
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "ok"})
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "Welcome!"})
		}
	})
	anna := x.s.User(101, "Anna", "ru")
	anna.SendText("/start")
	msgs, err := anna.WaitMessages(x.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := msgs[0]; got.Text != "Join?" || strings.Join(got.Buttons(), ",") != "Yes,Site" || got.ID != 2 || got.Date.IsZero() {
		t.Fatalf("first answer = %+v", got)
	}
	ent := x.updates()[0].Message.Entities
	if len(ent) != 1 || ent[0].Type != models.MessageEntityTypeBotCommand || ent[0].Length != 6 {
		t.Fatalf("entities = %+v", ent)
	}
	if _, err := anna.Tap("Nope"); err == nil || !strings.Contains(err.Error(), `"Yes"`) {
		t.Fatalf("Tap(Nope) error should list labels: %v", err)
	}
	mark := anna.Mark()
	if _, err := anna.Tap("Yes"); err != nil {
		t.Fatal(err)
	}
	cq := x.waitUpdates(t, 2)[1].CallbackQuery
	if cq == nil || cq.Data != "join:yes" || cq.From.ID != 101 || cq.Message.Message == nil ||
		cq.Message.Message.ID != 2 || cq.Message.Message.Date == 0 {
		t.Fatalf("callback = %+v", cq)
	}
	err = x.s.WaitFor(x.ctx, func() bool { return len(anna.Since(mark)) == 1 && len(anna.CallbackAnswers()) == 1 })
	if err != nil {
		t.Fatal(err)
	}
	last := anna.Last()
	if last.Text != "Welcome!" || !last.Edited || len(last.Inline) != 0 || len(anna.Messages()) != 1 {
		t.Fatalf("after edit = %+v", last)
	}
	if a := anna.CallbackAnswers()[0]; a.Text != "ok" || a.QueryID != cq.ID {
		t.Fatalf("answer = %+v", a)
	}
}

func TestEditAndDeleteErrors(t *testing.T) {
	x := start(t, nil)
	x.s.User(101, "Anna", "ru")
	m, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "a"})
	if err != nil || m.ID != 1 || m.From.ID != 1000 || m.Chat.Type != "private" {
		t.Fatalf("send = %+v, %v", m, err)
	}
	_, err = x.b.EditMessageText(x.ctx, &bot.EditMessageTextParams{ChatID: 101, MessageID: m.ID, Text: "a"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("identical edit: %v", err)
	}
	_, err = x.b.EditMessageText(x.ctx, &bot.EditMessageTextParams{ChatID: 101, MessageID: 99, Text: "b"})
	if !strings.Contains(errString(err), "message to edit not found") {
		t.Fatalf("missing edit: %v", err)
	}
	if ok, err := x.b.DeleteMessage(x.ctx, &bot.DeleteMessageParams{ChatID: 101, MessageID: m.ID}); !ok || err != nil {
		t.Fatalf("delete: %v", err)
	}
	if n := len(x.s.User(101, "", "").Messages()); n != 0 {
		t.Fatalf("%d messages after delete", n)
	}
	_, err = x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 555, Text: "a"})
	if !strings.Contains(errString(err), "chat not found") {
		t.Fatalf("unknown chat: %v", err)
	}
	_, err = x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "<b>x", ParseMode: models.ParseModeHTML})
	if !strings.Contains(errString(err), "can't parse entities") {
		t.Fatalf("bad HTML: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestPhotoDocumentAndCommands(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	img := []byte("\x89PNG\r\n\x1a\n fake image bytes \x00\xff")
	if _, err := x.b.SendPhoto(x.ctx, &bot.SendPhotoParams{ChatID: 101, Caption: "card",
		Photo: &models.InputFileUpload{Filename: "card.png", Data: bytes.NewReader(img)}}); err != nil {
		t.Fatal(err)
	}
	if m := anna.Last(); !bytes.Equal(m.Photo, img) || m.Caption != "card" {
		t.Fatalf("photo = %q %q", m.Photo, m.Caption)
	}
	if _, err := x.b.SendDocument(x.ctx, &bot.SendDocumentParams{ChatID: 101, Caption: "export",
		Document: &models.InputFileUpload{Filename: "a.csv", Data: strings.NewReader("id,points\n1,5\n")}}); err != nil {
		t.Fatal(err)
	}
	if d := anna.Last().Document; d == nil || d.FileName != "a.csv" || string(d.Data) != "id,points\n1,5\n" {
		t.Fatalf("document = %+v", d)
	}

	cmds := []models.BotCommand{{Command: "start", Description: "Начать"}}
	if _, err := x.b.SetMyCommands(x.ctx, &bot.SetMyCommandsParams{Commands: cmds,
		Scope: &models.BotCommandScopeChat{ChatID: 101}, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if got := x.s.Commands(`{"type":"chat","chat_id":101}`, "ru"); len(got) != 1 || got[0].Description != "Начать" {
		t.Fatalf("commands = %+v", got)
	}
	if got := x.s.Commands("default", ""); len(got) != 0 {
		t.Fatalf("default commands = %+v", got)
	}
	got, err := x.b.GetMyCommands(x.ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeChat{ChatID: 101}, LanguageCode: "ru"})
	if err != nil || len(got) != 1 || got[0].Command != "start" {
		t.Fatalf("getMyCommands = %+v, %v", got, err)
	}
}

// TestDropClosesTheConnection: a Drop failure answers nothing at all, so
// the client sees a network error, not a Bot API one, and nothing is sent.
func TestDropClosesTheConnection(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	x.s.FailNext("sendMessage", 1, Failure{Drop: true})
	_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "hi"})
	if err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("want a dropped connection (EOF), got %v", err)
	}
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "again"}); err != nil {
		t.Fatalf("after the drop: %v", err)
	}
	if ms := anna.Messages(); len(ms) != 1 || ms[0].Text != "again" {
		t.Fatalf("messages %+v, want only the one sent after the drop", ms)
	}
}

func TestFailuresAndBlock(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	x.s.FailNext("sendMessage", 1, Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "hi"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("want 429 retry_after 1, got %v", err)
	}
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "hi"}); err != nil {
		t.Fatalf("second send: %v", err)
	}
	calls := x.s.Calls("sendMessage")
	if len(calls) != 2 || calls[0].ChatID != 101 || calls[1].Params["text"] != "hi" || calls[1].At.Before(calls[0].At) {
		t.Fatalf("calls = %+v", calls)
	}
	anna.Block()
	_, err = x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "promo"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "blocked by the user") {
		t.Fatalf("blocked: %v", err)
	}
	anna.Unblock()
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "back"}); err != nil {
		t.Fatal(err)
	}
	if n := len(anna.Messages()); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

// TestFailureForOneChatAndStall: a failure aimed at one chat leaves other
// chats alone, and a stalled call answers only once released.
func TestFailureForOneChatAndStall(t *testing.T) {
	x := start(t, nil)
	x.s.User(101, "Anna", "en")
	boris := x.s.User(102, "Boris", "en")
	x.s.FailNext("sendMessage", 1, Failure{Code: 429, Description: "Too Many Requests: retry after 5", RetryAfter: 5, ChatID: 101})
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 102, Text: "hi"}); err != nil {
		t.Fatalf("another chat's send failed: %v", err)
	}
	var tooMany *bot.TooManyRequestsError
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "hi"}); !errors.As(err, &tooMany) {
		t.Fatalf("the limited chat's send: %v, want 429", err)
	}
	stall := make(chan struct{})
	x.s.FailNext("sendMessage", 1, Failure{Stall: stall})
	done := make(chan error, 1)
	go func() {
		_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 102, Text: "slow"})
		done <- err
	}()
	if err := x.s.WaitFor(x.ctx, func() bool { return len(x.s.Calls("sendMessage")) == 3 }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("a stalled call answered before release: %v", err)
	default:
	}
	close(stall)
	if err := <-done; err != nil || boris.Last().Text != "slow" {
		t.Fatalf("after release: %v, last %q", err, boris.Last().Text)
	}
}

func TestReplyKeyboardContact(t *testing.T) {
	x := start(t, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message != nil && u.Message.Text == "/start" {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Phone?",
				ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{
					{{Text: "Share phone", RequestContact: true}}, {{Text: "Later"}}}}})
		}
		if u.Message != nil && u.Message.Contact != nil {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Thanks",
				ReplyMarkup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}})
		}
	})
	boris := x.s.User(202, "Boris", "ru")
	boris.Phone = "+79990000001"
	boris.SendText("/start")
	if _, err := boris.WaitMessages(x.ctx, 1); err != nil {
		t.Fatal(err)
	}
	if kb := boris.ReplyKeyboard(); len(kb) != 2 || !kb[0][0].RequestContact {
		t.Fatalf("keyboard = %+v", kb)
	}
	if _, err := boris.Tap("Share phone"); err != nil {
		t.Fatal(err)
	}
	if _, err := boris.WaitMessages(x.ctx, 2); err != nil {
		t.Fatal(err)
	}
	c := x.updates()[1].Message.Contact
	if c == nil || c.UserID != 202 || c.PhoneNumber != "+79990000001" {
		t.Fatalf("contact = %+v", c)
	}
	if kb := boris.ReplyKeyboard(); kb != nil {
		t.Fatalf("keyboard not removed: %+v", kb)
	}
	boris.ShareForeignContact("+1555", "Eve")
	boris.SendSticker()
	boris.SendPhoto()
	var foreign, sticker, photo bool // handlers run concurrently: any order
	for _, u := range x.waitUpdates(t, 5)[2:] {
		m := u.Message
		foreign = foreign || m.Contact != nil && m.Contact.UserID != 202 && m.Contact.FirstName == "Eve"
		sticker = sticker || m.Sticker != nil && m.Sticker.Emoji != ""
		photo = photo || len(m.Photo) > 0
	}
	if !foreign || !sticker || !photo {
		t.Fatalf("non-text updates: foreign contact %v, sticker %v, photo %v", foreign, sticker, photo)
	}
}

// Telegram refuses a button whose callback_data exceeds 64 bytes, and the
// whole message with it; the fake must too, or a bot that builds long data
// passes every test and fails in production.
func TestCallbackDataLimit(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	kb := func(data string) *models.InlineKeyboardMarkup {
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Go", CallbackData: data}}}}
	}
	long := strings.Repeat("x", MaxCallbackData+1)
	_, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "a", ReplyMarkup: kb(long)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Fatalf("send with 65 bytes of callback data: %v, want 400 BUTTON_DATA_INVALID", err)
	}
	if n := len(anna.Messages()); n != 0 {
		t.Fatalf("a refused send left %d messages", n)
	}
	m, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "a", ReplyMarkup: kb(long[:MaxCallbackData])})
	if err != nil {
		t.Fatalf("64 bytes are allowed: %v", err)
	}
	_, err = x.b.EditMessageText(x.ctx, &bot.EditMessageTextParams{ChatID: 101, MessageID: m.ID, Text: "b", ReplyMarkup: kb(long)})
	if !strings.Contains(errString(err), "BUTTON_DATA_INVALID") {
		t.Fatalf("edit with 65 bytes of callback data: %v", err)
	}
	if got := anna.Last(); got.Text != "a" {
		t.Fatalf("a refused edit changed the message: %+v", got)
	}
}

// SendCallback sends data no button of the message carries (an outdated
// view, a forged tap) from a real bot message.
func TestSendCallback(t *testing.T) {
	x := start(t, nil)
	anna := x.s.User(101, "Anna", "ru")
	m, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 101, Text: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anna.SendCallback(m.ID, "x:forged"); err != nil {
		t.Fatal(err)
	}
	cq := x.waitUpdates(t, 1)[0].CallbackQuery
	if cq == nil || cq.Data != "x:forged" || cq.Message.Message == nil || cq.Message.Message.ID != m.ID {
		t.Fatalf("callback = %+v", cq)
	}
	if _, err := anna.SendCallback(99, "x"); err == nil {
		t.Fatal("a callback from a message that does not exist")
	}
	if _, err := anna.SendCallback(m.ID, strings.Repeat("x", MaxCallbackData+1)); err == nil {
		t.Fatal("Telegram carries no more than 64 bytes of callback data")
	}
}
