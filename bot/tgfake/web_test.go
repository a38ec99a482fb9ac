package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/skip2/go-qrcode"
)

func webDo(t *testing.T, method, url string, body any, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
}

type chatView struct {
	Messages []struct {
		ID      int
		FromBot bool `json:"from_bot"`
		Text    string
		Caption string
		Photo   string
		Inline  [][]InlineButton
	}
	ReplyKeyboard   [][]KeyboardButton `json:"reply_keyboard"`
	CallbackAnswers []CallbackAnswer   `json:"callback_answers"`
}

func TestWebAPI(t *testing.T) {
	x := start(t, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil && u.Message.Text != "":
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "<b>Hi</b> " + u.Message.Text,
				ParseMode: models.ParseModeHTML,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "Balance", CallbackData: "bal"}}}}})
		case u.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "42 points"})
			_, _ = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: u.CallbackQuery.From.ID,
				Photo: &models.InputFileUpload{Filename: "qr.png", Data: strings.NewReader("PNGDATA")}})
		}
	})
	web := httptest.NewServer(x.s.WebHandler())
	defer web.Close()

	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(web.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if page := get("/"); !strings.Contains(page, `src="web.js"`) || !strings.Contains(page, `href="web.css"`) {
		t.Fatalf("page does not load its script and style:\n%s", page)
	}
	if !strings.Contains(get("/web.js"), "/api/events") {
		t.Fatalf("page does not poll events")
	}
	if !strings.Contains(get("/web-play.js"), "/api/play") || !strings.Contains(get("/web.css"), "@media") {
		t.Fatalf("page lacks its playground extras or its phone layout")
	}

	var users struct {
		Users []webUserView
		Panes []struct{ Role string }
	}
	webDo(t, "GET", web.URL+"/api/users", nil, &users)
	if len(users.Users) != 3 || users.Panes[1].Role != "Cashier" {
		t.Fatalf("users = %+v", users)
	}
	var created webUserView
	webDo(t, "POST", web.URL+"/api/users", map[string]string{"name": "Ivan", "lang": "en"}, &created)
	if created.ID == 0 || created.Name != "Ivan" {
		t.Fatalf("created = %+v", created)
	}

	anna := x.s.User(101, "", "")
	webDo(t, "POST", web.URL+"/api/chats/101/text", map[string]string{"text": "hello"}, nil)
	if _, err := anna.WaitMessages(x.ctx, 1); err != nil {
		t.Fatal(err)
	}
	var chat chatView
	webDo(t, "GET", web.URL+"/api/chats/101", nil, &chat)
	if len(chat.Messages) != 2 || chat.Messages[0].FromBot || chat.Messages[1].Text != "<b>Hi</b> hello" {
		t.Fatalf("chat = %+v", chat)
	}
	webDo(t, "POST", web.URL+"/api/chats/101/tap", map[string]any{"message_id": chat.Messages[1].ID, "label": "Balance"}, nil)
	if _, err := anna.WaitMessages(x.ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := x.s.WaitFor(x.ctx, func() bool { return len(anna.CallbackAnswers()) == 1 }); err != nil {
		t.Fatal(err)
	}
	webDo(t, "GET", web.URL+"/api/chats/101", nil, &chat)
	if len(chat.CallbackAnswers) != 1 || chat.CallbackAnswers[0].Text != "42 points" || chat.Messages[2].Photo == "" {
		t.Fatalf("after tap = %+v", chat)
	}
	if b := get(chat.Messages[2].Photo); b != "PNGDATA" {
		t.Fatalf("photo = %q", b)
	}

	var ev struct{ Version int64 }
	webDo(t, "GET", web.URL+"/api/events?since=0", nil, &ev)
	if ev.Version == 0 {
		t.Fatal("events version 0")
	}
	webDo(t, "POST", web.URL+"/api/chats/101/contact", map[string]string{"phone": "+15550001"}, nil)
	webDo(t, "POST", web.URL+"/api/chats/101/sticker", map[string]string{}, nil)
	var phone string
	for _, u := range x.waitUpdates(t, 4) {
		if u.Message != nil && u.Message.Contact != nil {
			phone = u.Message.Contact.PhoneNumber
		}
	}
	if phone != "+15550001" {
		t.Fatalf("shared phone = %q", phone)
	}
}

func TestWebPhotoQR(t *testing.T) {
	const link = "https://t.me/loyaltytest_bot?start=c_AbC123-xyz"
	png, err := qrcode.Encode(link, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	x := start(t, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		data := []byte("PNGDATA")
		if u.Message.Text == "card" {
			data = png
		}
		_, _ = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: u.Message.Chat.ID, Caption: u.Message.Text,
			Photo: &models.InputFileUpload{Filename: "qr.png", Data: bytes.NewReader(data)}})
	}, WithWebHint("Customer: send /start s_central"))
	web := httptest.NewServer(x.s.WebHandler())
	defer web.Close()

	var users struct{ Hint string }
	webDo(t, "GET", web.URL+"/api/users", nil, &users)
	if users.Hint != "Customer: send /start s_central" {
		t.Fatalf("hint = %q", users.Hint)
	}

	anna := x.s.User(101, "", "")
	webDo(t, "POST", web.URL+"/api/chats/101/text", map[string]string{"text": "card"}, nil)
	webDo(t, "POST", web.URL+"/api/chats/101/text", map[string]string{"text": "plain"}, nil)
	if _, err := anna.WaitMessages(x.ctx, 2); err != nil {
		t.Fatal(err)
	}
	var chat chatView
	webDo(t, "GET", web.URL+"/api/chats/101", nil, &chat)
	photos := map[string]string{} // caption → photo URL
	for _, m := range chat.Messages {
		if m.FromBot {
			photos[m.Caption] = m.Photo
		}
	}
	if photos["card"] == "" || photos["plain"] == "" {
		t.Fatalf("photos = %v", photos)
	}
	for range 2 { // the second answer comes from the cache
		var qr struct{ Text string }
		webDo(t, "GET", web.URL+photos["card"]+"/qr", nil, &qr)
		if qr.Text != link {
			t.Fatalf("qr = %q, want %q", qr.Text, link)
		}
	}
	for _, path := range []string{photos["plain"] + "/qr", "/api/chats/101/photo/9999/qr", "/api/chats/777/photo/1/qr"} {
		for range 2 {
			resp, err := http.Get(web.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
	}
}

// TestWebPanes: "+ Customer" adds a person with a phone of their own and a
// pane the page lists (and the program is told about, to keep it), while
// a background person (a generated demo customer) is reachable by the bot
// but listed nowhere.
func TestWebPanes(t *testing.T) {
	var kept []WebUser
	x := start(t, func(context.Context, *bot.Bot, *models.Update) {}, WithWebPanesChanged(func(p []WebUser) { kept = p }))
	web := httptest.NewServer(x.s.WebHandler())
	defer web.Close()
	x.s.BackgroundUser(900_000_001, "Demo", "ru")
	if _, err := x.b.SendMessage(x.ctx, &bot.SendMessageParams{ChatID: 900_000_001, Text: "hi"}); err != nil {
		t.Fatalf("message to a background person: %v", err)
	}
	var pane struct {
		Role string
		ID   int64
	}
	webDo(t, "POST", web.URL+"/api/panes", map[string]string{"name": "Emma", "lang": "en"}, &pane)
	if pane.Role != "Customer 2" || pane.ID != 1001 {
		t.Fatalf("new pane = %+v", pane)
	}
	var users struct {
		Users []webUserView
		Panes []struct {
			Role string
			ID   int64
		}
	}
	webDo(t, "GET", web.URL+"/api/users", nil, &users)
	if len(users.Panes) != 4 || users.Panes[3].ID != 1001 || len(users.Users) != 4 {
		t.Fatalf("users = %+v", users)
	}
	phones := map[string]bool{}
	for _, u := range users.Users {
		if u.Phone == "" || phones[u.Phone] {
			t.Fatalf("%s shares a phone with another person on the page: %+v", u.Name, users.Users)
		}
		phones[u.Phone] = true
	}
	if len(kept) != 4 || kept[3].Name != "Emma" || kept[3].Role != "Customer 2" {
		t.Fatalf("panes kept = %+v", kept)
	}
}
