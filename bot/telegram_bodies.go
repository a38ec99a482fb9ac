package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"

	"github.com/go-telegram/bot/models"

	"github.com/loyaltybot/loyaltybot/bot/internal/jsonstr"
	"github.com/loyaltybot/loyaltybot/flows"
)

// The bodies of Telegram's calls made here (see Telegram), with the
// fields go-telegram/bot's parameters would carry for the same reply
// (TestTelegramBodiesAreTheLibrarys): a field the library leaves out
// when empty is left out, and a message carries one markup (appendMarkup).

// sendMessage sends r as a new text message.
func (t *Telegram) sendMessage(ctx context.Context, r flows.Reply) error {
	return t.call(ctx, "sendMessage", sendMessageBody(r))
}

// editText replaces the text (and inline buttons, when r has some) of
// message r.EditMessageID.
func (t *Telegram) editText(ctx context.Context, r flows.Reply) error {
	return t.call(ctx, "editMessageText", editTextBody(r))
}

// editMarkup replaces the inline buttons of message r.EditMessageID
// (none: removes them).
func (t *Telegram) editMarkup(ctx context.Context, r flows.Reply) error {
	return t.call(ctx, "editMessageReplyMarkup", editMarkupBody(r))
}

// answerCallback answers button tap id, with text as a notification when
// there is one.
func (t *Telegram) answerCallback(ctx context.Context, id, text string) error {
	return t.call(ctx, "answerCallbackQuery", answerCallbackBody(id, text))
}

// sendPhoto sends a picture with r.Text as its caption: png uploaded as
// a file called name, or, with png nil, r.Photo, a picture Telegram
// already has (its file id), by reference in a JSON body. An upload must
// be a multipart form; written here into memory in one pass, as the
// library's form would read (TestTelegramBodiesAreTheLibrarys), it takes
// no reflection, no goroutine and no pipe: the card picture is 45 % of
// the chat load's updates.
func (t *Telegram) sendPhoto(ctx context.Context, r flows.Reply, name string, png []byte) error {
	if png == nil {
		return t.call(ctx, "sendPhoto", sendPhotoBody(r))
	}
	body, contentType, err := sendPhotoForm(r, name, png)
	if err != nil {
		return err
	}
	return t.post(ctx, "sendPhoto", contentType, body)
}

func sendPhotoBody(r flows.Reply) []byte {
	b := make([]byte, 0, 96+len(r.Photo)+len(r.Text)+buttonsSize(r))
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, r.ChatID, 10)
	b = append(b, `,"photo":`...)
	b = jsonstr.Append(b, r.Photo)
	if r.Text != "" {
		b = append(b, `,"caption":`...)
		b = jsonstr.Append(b, r.Text)
	}
	if hasMarkup(r) {
		b = append(b, `,"reply_markup":`...)
		b = appendMarkup(b, r)
	}
	return append(b, '}')
}

// sendPhotoForm is the multipart form of a picture's upload, its fields
// in the library's order, and the form's content type.
func sendPhotoForm(r flows.Reply, name string, png []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	buf.Grow(640 + len(png) + len(r.Text) + buttonsSize(r))
	w := multipart.NewWriter(&buf)
	field := func(key string, value []byte) error {
		p, err := w.CreateFormField(key)
		if err == nil {
			_, err = p.Write(value)
		}
		return err
	}
	var scratch [24]byte
	err := field("chat_id", strconv.AppendInt(scratch[:0], r.ChatID, 10))
	if err == nil {
		var p io.Writer
		if p, err = w.CreateFormFile("photo", name); err == nil {
			_, err = p.Write(png)
		}
	}
	if err == nil && r.Text != "" {
		err = field("caption", []byte(r.Text))
	}
	if err == nil && hasMarkup(r) {
		err = field("reply_markup", appendMarkup(make([]byte, 0, 64+buttonsSize(r)), r))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", fmt.Errorf("sendPhoto form: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

func sendMessageBody(r flows.Reply) []byte {
	b := make([]byte, 0, 128+len(r.Text)+buttonsSize(r))
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, r.ChatID, 10)
	b = appendText(b, r)
	if hasMarkup(r) {
		b = append(b, `,"reply_markup":`...)
		b = appendMarkup(b, r)
	}
	return append(b, '}')
}

// hasMarkup says whether r carries a reply markup.
func hasMarkup(r flows.Reply) bool {
	return len(r.Inline) > 0 || len(r.Keyboard) > 0 || r.RemoveKeyboard
}

// appendMarkup adds the one reply markup a message can carry: inline
// buttons, else a reply keyboard, else the keyboard's removal.
func appendMarkup(b []byte, r flows.Reply) []byte {
	switch {
	case len(r.Inline) > 0:
		return appendInline(b, r.Inline)
	case len(r.Keyboard) > 0:
		b = append(b, `{"keyboard":`...)
		b = appendRows(b, r.Keyboard, appendKey)
		return append(b, `,"resize_keyboard":true,"one_time_keyboard":true}`...)
	default:
		return append(b, `{"remove_keyboard":true}`...)
	}
}

// markup is r's reply markup for the calls go-telegram/bot still makes
// (documents), written as the bodies here write it: the library
// puts a field's JSON into its form as it is. nil (the field left out)
// when r has none.
func markup(r flows.Reply) models.ReplyMarkup {
	if !hasMarkup(r) {
		return nil
	}
	return json.RawMessage(appendMarkup(make([]byte, 0, 64+buttonsSize(r)), r))
}

func editTextBody(r flows.Reply) []byte {
	b := make([]byte, 0, 128+len(r.Text)+buttonsSize(r))
	b = appendEdited(b, r)
	b = appendText(b, r)
	if len(r.Inline) > 0 {
		b = append(b, `,"reply_markup":`...)
		b = appendInline(b, r.Inline)
	}
	return append(b, '}')
}

func editMarkupBody(r flows.Reply) []byte {
	b := make([]byte, 0, 96+buttonsSize(r))
	b = appendEdited(b, r)
	b = append(b, `,"reply_markup":`...)
	b = appendInline(b, r.Inline)
	return append(b, '}')
}

func answerCallbackBody(id, text string) []byte {
	b := make([]byte, 0, 48+len(id)+len(text))
	b = append(b, `{"callback_query_id":`...)
	b = jsonstr.Append(b, id)
	if text != "" {
		b = append(b, `,"text":`...)
		b = jsonstr.Append(b, text)
	}
	return append(b, '}')
}

// appendEdited opens the body of an edit of r.EditMessageID. The
// library leaves a zero message id out, and sends the chat's id, an
// interface, whatever it is.
func appendEdited(b []byte, r flows.Reply) []byte {
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, r.ChatID, 10)
	if r.EditMessageID != 0 {
		b = append(b, `,"message_id":`...)
		b = strconv.AppendInt(b, r.EditMessageID, 10)
	}
	return b
}

// appendText adds the text as textOf gives it, and its parse mode.
func appendText(b []byte, r flows.Reply) []byte {
	text, mode := textOf(r)
	b = append(b, `,"text":`...)
	b = jsonstr.Append(b, text)
	if mode != "" {
		b = append(b, `,"parse_mode":`...)
		b = jsonstr.Append(b, string(mode))
	}
	return b
}

// appendInline adds an inline keyboard.
func appendInline(b []byte, rows [][]flows.Button) []byte {
	b = append(b, `{"inline_keyboard":`...)
	b = appendRows(b, rows, appendButton)
	return append(b, '}')
}

// appendRows adds rows of buttons, an array of arrays, each button
// written by one.
func appendRows[K any](b []byte, rows [][]K, one func([]byte, K) []byte) []byte {
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, k := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = one(b, k)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendButton(b []byte, k flows.Button) []byte {
	b = append(b, `{"text":`...)
	b = jsonstr.Append(b, k.Text)
	if k.URL != "" {
		b = append(b, `,"url":`...)
		b = jsonstr.Append(b, k.URL)
	}
	if k.Data != "" {
		b = append(b, `,"callback_data":`...)
		b = jsonstr.Append(b, k.Data)
	}
	return append(b, '}')
}

func appendKey(b []byte, k flows.KeyButton) []byte {
	b = append(b, `{"text":`...)
	b = jsonstr.Append(b, k.Text)
	if k.Contact {
		b = append(b, `,"request_contact":true`...)
	}
	return append(b, '}')
}

// buttonsSize guesses the bytes r's buttons take, for the first
// allocation.
func buttonsSize(r flows.Reply) int {
	n := 0
	for _, row := range r.Inline {
		for _, k := range row {
			n += 48 + len(k.Text) + len(k.URL) + len(k.Data)
		}
	}
	for _, row := range r.Keyboard {
		for _, k := range row {
			n += 32 + len(k.Text)
		}
	}
	return n
}
