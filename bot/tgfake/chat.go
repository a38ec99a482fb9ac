package tgfake

import (
	"encoding/json"
	"strconv"
	"time"
)

const botID = 1000

// Message is a bot message as the person sees it now: after edits, with its
// current inline keyboard.
type Message struct {
	ID        int
	ChatID    int64
	Text      string
	Caption   string
	Photo     []byte // uploaded bytes; nil when sent by file_id or URL
	PhotoRef  string // the file_id or URL when not uploaded
	Document  *Document
	Venue     *Venue // a place on the map (sendVenue, sendLocation)
	Inline    [][]InlineButton
	Date      time.Time
	Edited    bool
	ParseMode string
}

// InlineButton is one button of an inline keyboard.
type InlineButton struct{ Text, Data, URL string }

// KeyboardButton is one button of a reply keyboard.
type KeyboardButton struct {
	Text           string
	RequestContact bool
}

// Document is a file sent with sendDocument.
type Document struct {
	FileName string
	Data     []byte
	MIME     string
}

// Venue is a place on the map the bot sent; Title and Address are empty
// for a bare location.
type Venue struct {
	Latitude, Longitude float64
	Title, Address      string
}

// CallbackAnswer is what the bot answered to a tap (answerCallbackQuery).
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	At        time.Time
}

// Buttons lists the inline button labels row by row, flattened, which is
// what most assertions need.
func (m Message) Buttons() []string {
	var out []string
	for _, row := range m.Inline {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// msg is the stored state of any message in a chat, bot's or user's.
type msg struct {
	id        int
	fromBot   bool
	seq       int // chat sequence of the last change
	date      time.Time
	edited    bool
	deleted   bool
	text      string
	caption   string
	parseMode string
	photo     []byte
	photoRef  string
	doc       *Document
	venue     *Venue
	inline    [][]InlineButton
	// user-message payloads, shown by the web UI
	sticker bool
	contact *contact
}

type contact struct {
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	UserID    int64  `json:"user_id"`
}

func (m *msg) public(chatID int64) Message {
	return Message{
		ID: m.id, ChatID: chatID, Text: m.text, Caption: m.caption,
		Photo: m.photo, PhotoRef: m.photoRef, Document: m.doc, Venue: m.venue,
		Inline: m.inline, Date: m.date, Edited: m.edited, ParseMode: m.parseMode,
	}
}

type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

type wireEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

type wireFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	Type         string `json:"type,omitempty"`
	Emoji        string `json:"emoji,omitempty"`
	IsAnimated   *bool  `json:"is_animated,omitempty"`
	IsVideo      *bool  `json:"is_video,omitempty"`
}

type wireContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	UserID      int64  `json:"user_id,omitempty"`
}

type wireMessage struct {
	MessageID   int          `json:"message_id"`
	From        *wireUser    `json:"from,omitempty"`
	Chat        wireChat     `json:"chat"`
	Date        int64        `json:"date"`
	EditDate    int64        `json:"edit_date,omitempty"`
	Text        string       `json:"text,omitempty"`
	Entities    []wireEntity `json:"entities,omitempty"`
	Caption     string       `json:"caption,omitempty"`
	Photo       []wireFile   `json:"photo,omitempty"`
	Document    *wireFile    `json:"document,omitempty"`
	Sticker     *wireFile    `json:"sticker,omitempty"`
	Contact     *wireContact `json:"contact,omitempty"`
	ReplyMarkup *wireMarkup  `json:"reply_markup,omitempty"`
}

// wireMarkup is a message's inline keyboard as Telegram sends it back.
type wireMarkup struct {
	InlineKeyboard [][]wireButton `json:"inline_keyboard"`
}

// wireButton is an inline button: a link or, without one, callback data
// (fields in the order a map would have written them).
type wireButton struct {
	CallbackData *string `json:"callback_data,omitempty"`
	Text         string  `json:"text"`
	URL          string  `json:"url,omitempty"`
}

func (s *Server) botUser() *wireUser {
	return &wireUser{ID: botID, IsBot: true, FirstName: "Loyalty Bot", Username: s.botName}
}

func (u *User) wire() *wireUser {
	return &wireUser{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// wire renders m as Telegram would send it. Caller holds mu.
func (u *User) wireMsg(m *msg) wireMessage {
	w := wireMessage{
		MessageID: m.id,
		Chat:      wireChat{ID: u.ID, Type: "private", FirstName: u.FirstName, Username: u.Username},
		Date:      m.date.Unix(),
		Text:      m.text,
		Caption:   m.caption,
	}
	if m.fromBot {
		w.From = u.s.botUser()
	} else {
		w.From = u.wire()
	}
	if m.edited {
		w.EditDate = u.s.now().Unix()
	}
	fid := func(kind string) string { return kind + "-" + strconv.FormatInt(u.ID, 10) + "-" + strconv.Itoa(m.id) }
	if m.photo != nil || m.photoRef != "" {
		id := m.photoRef
		if m.photo != nil || id == "" {
			id = fid("photo")
		}
		w.Photo = []wireFile{
			{FileID: id + "-s", FileUniqueID: id + "-s", Width: 90, Height: 90},
			{FileID: id, FileUniqueID: id, Width: 800, Height: 800, FileSize: len(m.photo)},
		}
	}
	if m.doc != nil {
		w.Document = &wireFile{FileID: fid("doc"), FileUniqueID: fid("doc"), FileName: m.doc.FileName, MimeType: m.doc.MIME, FileSize: len(m.doc.Data)}
	}
	if m.sticker {
		f := false
		w.Sticker = &wireFile{FileID: "sticker-thumbs-up", FileUniqueID: "sticker-thumbs-up", Type: "regular", Width: 512, Height: 512, Emoji: "👍", IsAnimated: &f, IsVideo: &f}
	}
	if m.contact != nil {
		w.Contact = &wireContact{PhoneNumber: m.contact.Phone, FirstName: m.contact.FirstName, UserID: m.contact.UserID}
	}
	if len(m.inline) > 0 {
		w.ReplyMarkup = &wireMarkup{InlineKeyboard: wireInline(m.inline)}
	}
	return w
}

func wireInline(kb [][]InlineButton) [][]wireButton {
	rows := make([][]wireButton, 0, len(kb))
	for _, r := range kb {
		row := make([]wireButton, 0, len(r))
		for _, b := range r {
			w := wireButton{Text: b.Text, URL: b.URL}
			if b.URL == "" {
				w.CallbackData = &b.Data
			}
			row = append(row, w)
		}
		rows = append(rows, row)
	}
	return rows
}

// markup is the subset of reply_markup the fake understands.
type markup struct {
	InlineKeyboard [][]struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
		URL          string `json:"url"`
	} `json:"inline_keyboard"`
	Keyboard [][]struct {
		Text           string `json:"text"`
		RequestContact bool   `json:"request_contact"`
	} `json:"keyboard"`
	OneTime        bool `json:"one_time_keyboard"`
	RemoveKeyboard bool `json:"remove_keyboard"`
}

// MaxCallbackData is the most bytes Telegram takes in a button's
// callback_data; a longer one fails the whole send or edit.
const MaxCallbackData = 64

// MaxInlineButtons is how many buttons Telegram takes in one inline
// keyboard.
const MaxInlineButtons = 100

func parseMarkup(raw string) (*markup, error) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var m markup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	buttons := 0
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > MaxCallbackData {
				return nil, errButtonData
			}
		}
		buttons += len(row)
	}
	if buttons > MaxInlineButtons {
		return nil, badRequest("reply markup is too long")
	}
	return &m, nil
}

func (m *markup) inline() [][]InlineButton {
	if m == nil || len(m.InlineKeyboard) == 0 {
		return nil
	}
	out := make([][]InlineButton, 0, len(m.InlineKeyboard))
	for _, r := range m.InlineKeyboard {
		row := make([]InlineButton, 0, len(r))
		for _, b := range r {
			row = append(row, InlineButton{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		out = append(out, row)
	}
	return out
}

func (m *markup) keyboard() [][]KeyboardButton {
	out := make([][]KeyboardButton, 0, len(m.Keyboard))
	for _, r := range m.Keyboard {
		row := make([]KeyboardButton, 0, len(r))
		for _, b := range r {
			row = append(row, KeyboardButton{Text: b.Text, RequestContact: b.RequestContact})
		}
		out = append(out, row)
	}
	return out
}
