// Package flows holds the conversations of loyaltybot as state machines.
// Each flow takes one input (a text, a contact, a button tap, a command) at
// a time and returns the replies to show; the state lives in Postgres, so a
// restart loses no conversation. Flows never call Telegram: the bot package
// renders their replies.
package flows

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

// InputKind says what a person did.
type InputKind int

// Input kinds.
const (
	InputText     InputKind = iota + 1 // plain text
	InputCommand                       // "/start payload"
	InputContact                       // a shared contact
	InputCallback                      // an inline button tap
	InputOther                         // a sticker, a voice note…
	InputPhoto                         // a photo; Input.Photo is its file_id
)

// User is the Telegram user behind an input.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// Contact is a shared contact card.
type Contact struct {
	Phone     string
	FirstName string
	UserID    int64 // the Telegram user the contact belongs to, 0 if none
}

// Callback is an inline button tap.
type Callback struct {
	ID        string
	Data      string
	MessageID int64
	// Keyboard is the tapped message's inline keyboard as Telegram shows
	// it (its link and callback buttons; nil when the message is not
	// given), so that a tap may change a row of it and keep the others.
	Keyboard [][]Button
}

// Input is one thing a person did in a private chat.
type Input struct {
	UpdateID int64
	ChatID   int64
	User     User
	Kind     InputKind
	Text     string
	Command  string // lower case, without "/" and "@bot"
	Args     string
	Contact  *Contact
	Callback *Callback
	// Photo is the Telegram file_id of the largest size of a photo: the
	// bot can send it again by that id, without storing the picture.
	Photo string
}

// ParseCommand splits "/start@bot payload" into "start" and "payload".
// ok is false when text is not a command. The payload may follow on the
// next line, after a tab or a no-break space; a zero-width character
// or a space in front of the "/" is not part of what was typed.
func ParseCommand(text string) (cmd, args string, ok bool) {
	text = strings.TrimLeftFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
	})
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return "", "", false
	}
	head, rest := text[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], head[i:]
	}
	head, _, _ = strings.Cut(head, "@")
	if head == "" {
		return "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// Button is an inline keyboard button: a callback (Data) or a link (URL).
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// KeyButton is a reply keyboard button; Contact asks Telegram to share the
// user's own phone number.
type KeyButton struct {
	Text    string `json:"text"`
	Contact bool   `json:"contact,omitempty"`
}

// Document is a file to send.
type Document struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Venue is a place on the map, in millionths of a degree.
type Venue struct {
	LatE6   int64  `json:"lat_e6"`
	LonE6   int64  `json:"lon_e6"`
	Title   string `json:"title"`
	Address string `json:"address,omitempty"`
}

// ExportDoc is a CSV export to stream as a document: its file name and
// what it may hold (domain.Service.StartExport decided, and logged it).
type ExportDoc struct {
	Name  string             `json:"name"`
	Scope domain.ExportScope `json:"scope"`
	// TooLarge is what the chat is told when the file is over Telegram's
	// document limit even zipped.
	TooLarge string `json:"too_large,omitempty"`
}

// Reply is one message to show (or one message to edit in place). It is
// stored in the outbox as JSON, so its shape is a contract with the bot
// package: add fields, never repurpose them.
type Reply struct {
	ChatID         int64         `json:"chat_id"`
	Text           string        `json:"text,omitempty"`
	Inline         [][]Button    `json:"inline,omitempty"`
	Keyboard       [][]KeyButton `json:"keyboard,omitempty"`
	RemoveKeyboard bool          `json:"remove_keyboard,omitempty"`
	// QR makes the message a photo: a QR code of this text, Text as caption.
	QR string `json:"qr,omitempty"`
	// Photo makes the message a photo Telegram already holds (a file_id a
	// person sent), Text as caption.
	Photo    string    `json:"photo,omitempty"`
	Document *Document `json:"document,omitempty"`
	// PNG makes the message a photo of these bytes (a chart), Text as
	// caption.
	PNG []byte `json:"png,omitempty"`
	// Export makes the message a CSV document that the bot adapter
	// streams from the database while it uploads it (Engine.WriteExport),
	// Text as caption: the outbox row holds what to export, never the
	// rows, however many there are.
	Export *ExportDoc `json:"export,omitempty"`
	// EditMessageID edits that message (text and inline keyboard) instead
	// of sending a new one; if it is gone, a new message is sent.
	EditMessageID int64 `json:"edit_message_id,omitempty"`
	// Pre shows Text in a monospace block (a table that must line up).
	Pre bool `json:"pre,omitempty"`
	// Venue makes the message a place on the map (sendVenue; without an
	// address, sendLocation), Text unused.
	Venue *Venue `json:"venue,omitempty"`
	// ChatCommands, when set, replaces the command menu of this chat only
	// (staff see their commands); an empty list restores the default menu.
	ChatCommands *[]Command `json:"chat_commands,omitempty"`
	// About is the customer a message names (0: none): a message to
	// staff about her, or her own export or purchase notice, which may
	// wait in a chat her erasure keeps (a staff member's work chat). It
	// is not part of the message: the outbox keeps it beside the
	// payload, so that her erasure withdraws the message while it waits.
	About int64 `json:"-"`
	// AlsoAbout are the other customers it names (a digest lists
	// several), kept beside the payload as About is.
	AlsoAbout []int64 `json:"-"`
	// AboutFeedback is the low rating an alert is about (0: none), kept
	// beside the payload as About is.
	AboutFeedback int64 `json:"-"`
	// Undelivered is the notice to a staff member whose words to a
	// customer these are, should the customer turn out to have blocked
	// the bot (domain.Undelivered), with the question or rating they
	// answer (0: none); kept beside the payload as About is.
	Undelivered                     *Reply `json:"-"`
	AnswersInquiry, AnswersFeedback int64  `json:"-"`
}

// encode is the reply as stored in the outbox. A button whose callback
// data Telegram would refuse (over 64 bytes, which fails the whole
// message) is a bug: it fails here, in every test that shows the button,
// rather than in production.
func (r Reply) encode() ([]byte, error) {
	for _, row := range r.Inline {
		for _, b := range row {
			n := len(b.Data)
			if strings.HasPrefix(b.Data, "x:") {
				n += actionMACLen // signed as it is sent (SignButtons)
			}
			if n > maxCallbackData {
				return nil, fmt.Errorf("button %q: callback data %q is %d bytes signed, Telegram takes %d", b.Text, b.Data, n, maxCallbackData)
			}
		}
	}
	return json.Marshal(r)
}

// decodesAsItself says whether decoding r's encoding gives r back
// exactly, so that whoever sends it may take r as it is instead of
// decoding what was just encoded (domain.OutMessage.Decoded). It does
// when every text is valid UTF-8 (encoding/json writes each byte of
// anything else as U+FFFD), no slice the encoding leaves out is empty
// rather than nil, and r is no document, export, venue or command menu (rare,
// left to the decoding). FuzzReplyDecodesAsItself holds it.
func (r Reply) decodesAsItself() bool {
	if r.Document != nil || r.Export != nil || r.ChatCommands != nil || r.Venue != nil ||
		r.Inline != nil && len(r.Inline) == 0 || r.Keyboard != nil && len(r.Keyboard) == 0 || r.PNG != nil && len(r.PNG) == 0 ||
		!utf8.ValidString(r.Text) || !utf8.ValidString(r.QR) || !utf8.ValidString(r.Photo) {
		return false
	}
	for _, row := range r.Inline {
		for _, b := range row {
			if !utf8.ValidString(b.Text) || !utf8.ValidString(b.Data) || !utf8.ValidString(b.URL) {
				return false
			}
		}
	}
	for _, row := range r.Keyboard {
		for _, b := range row {
			if !utf8.ValidString(b.Text) {
				return false
			}
		}
	}
	return true
}
