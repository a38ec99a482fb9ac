// Package bot is the Telegram adapter: updates in (long polling or webhook,
// stored before they are handled), flow replies out (rendered to Bot API
// calls by a sender that honours rate limits, 429 retry_after and 403).
// It holds no business rules.
package bot

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/go-telegram/bot/models"

	"github.com/loyaltybot/loyaltybot/flows"
)

// updateHead is the part of an update needed to store and route it
// without decoding the whole thing.
type updateHead struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		Chat struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"chat"`
	} `json:"message"`
	CallbackQuery *struct {
		ID   string `json:"id"`
		From struct {
			ID int64 `json:"id"`
		} `json:"from"`
	} `json:"callback_query"`
	MyChatMember *struct {
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	} `json:"my_chat_member"`
}

// head is what intake reads of an update before storing it.
type head struct {
	updateID, chatID int64
	callbackID       string // a button tap's query id, to answer it
	member           bool   // a block or unblock of the bot, never flood-limited
	// group is a message of a group or channel, which no flow takes
	// (toInput): it is stored as its update id alone, so people's words
	// in a group the bot was added to stay out of the update log.
	group bool
}

// stored is what intake keeps of an update received as raw: all of
// it, but a group's message only by its id (head.group).
func (h head) stored(raw []byte) []byte {
	if h.group {
		return strconv.AppendInt([]byte(`{"update_id":`), h.updateID, 10)
	}
	return raw
}

// readHead returns the update id and the chat it belongs to (0 if none).
// When the rest is undecodable it still returns the id if it can read it,
// so the update can be set aside and confirmed rather than block intake.
func readHead(raw []byte) (head, error) {
	var h updateHead
	if err := json.Unmarshal(raw, &h); err != nil {
		var id struct {
			UpdateID int64 `json:"update_id"`
		}
		if json.Unmarshal(raw, &id) != nil {
			id.UpdateID = 0
		}
		return head{updateID: id.UpdateID}, err
	}
	if h.UpdateID == 0 {
		return head{}, errors.New("no update_id")
	}
	out := head{updateID: h.UpdateID}
	switch {
	case h.Message != nil:
		out.chatID = h.Message.Chat.ID
		out.group = h.Message.Chat.Type != "" && h.Message.Chat.Type != "private"
	case h.CallbackQuery != nil:
		// Callbacks come from private chats here, where chat id == user id.
		out.chatID = h.CallbackQuery.From.ID
		out.callbackID = h.CallbackQuery.ID
	case h.MyChatMember != nil:
		out.chatID = h.MyChatMember.Chat.ID
		out.member = true
	}
	return out, nil
}

// wireUpdate is the part of a Telegram update the flows take, decoded
// from the stored payload on every update. models.Update is a few hundred
// fields, and go-telegram/bot decodes a button's message twice (to tell an
// inaccessible one apart), so decoding it was 2.5 % of the bot's CPU
// under the chat load; this reads the same fields the same way
// (FuzzWireUpdate holds it to toInput over models.Update).
type wireUpdate struct {
	ID            int64            `json:"update_id"`
	Message       *wireMessage     `json:"message"`
	CallbackQuery *wireCallback    `json:"callback_query"`
	MyChatMember  *json.RawMessage `json:"my_chat_member"` // rare: decoded as models.ChatMemberUpdated
}

type wireMessage struct {
	ID   int `json:"message_id"`
	Date int `json:"date"`
	Chat struct {
		ID   int64           `json:"id"`
		Type models.ChatType `json:"type"`
	} `json:"chat"`
	From    *models.User `json:"from"`
	Text    string       `json:"text"`
	Caption string       `json:"caption"`
	Contact *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
		UserID      int64  `json:"user_id"`
	} `json:"contact"`
	Photo []struct {
		FileID string `json:"file_id"`
	} `json:"photo"`
	// What a service message reports in a private chat: the person
	// pinned a message, set the auto-delete timer or the background,
	// allowed the bot to write, made a topic… Nobody wrote anything, so
	// nothing answers it (wireMessage.service).
	PinnedMessage      json.RawMessage `json:"pinned_message"`
	AutoDeleteChanged  json.RawMessage `json:"message_auto_delete_timer_changed"`
	BackgroundSet      json.RawMessage `json:"chat_background_set"`
	WriteAccessAllowed json.RawMessage `json:"write_access_allowed"`
	ConnectedWebsite   string          `json:"connected_website"`
	TopicCreated       json.RawMessage `json:"forum_topic_created"`
	TopicEdited        json.RawMessage `json:"forum_topic_edited"`
	TopicClosed        json.RawMessage `json:"forum_topic_closed"`
	TopicReopened      json.RawMessage `json:"forum_topic_reopened"`
	// ReplyMarkup is a bot's message's inline keyboard (a callback's
	// message); a person's messages carry none.
	ReplyMarkup *struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			URL          string `json:"url"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	} `json:"reply_markup"`
}

// service reports whether m is a service message (see its fields).
func (m *wireMessage) service() bool {
	set := func(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }
	return set(m.PinnedMessage) || set(m.AutoDeleteChanged) || set(m.BackgroundSet) ||
		set(m.WriteAccessAllowed) || m.ConnectedWebsite != "" || set(m.TopicCreated) ||
		set(m.TopicEdited) || set(m.TopicClosed) || set(m.TopicReopened)
}

type wireCallback struct {
	ID      string           `json:"id"`
	From    models.User      `json:"from"`
	Message wireMaybeMessage `json:"message"`
	Data    string           `json:"data"`
}

// wireMaybeMessage is a button's message. One whose date is 0 (or null)
// is a message the bot can no longer reach (InaccessibleMessage), as
// go-telegram/bot tells them apart.
type wireMaybeMessage struct {
	present bool
	wireMessage
}

func (m *wireMaybeMessage) UnmarshalJSON(data []byte) error {
	m.present = true
	type plain wireMessage // without this method
	return json.Unmarshal(data, (*plain)(&m.wireMessage))
}

// toInput turns a Telegram update into a flow input. ok is false for
// updates the flows do not take (group chats, edits, channel posts,
// service messages).
func toInput(u *wireUpdate) (flows.Input, bool) {
	in := flows.Input{UpdateID: u.ID}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil || m.service() {
			return in, false
		}
		in.ChatID = m.Chat.ID
		in.User = user(m.From)
		switch {
		case m.Contact != nil:
			in.Kind = flows.InputContact
			in.Contact = &flows.Contact{Phone: m.Contact.PhoneNumber, FirstName: m.Contact.FirstName, UserID: m.Contact.UserID}
		case m.Text != "":
			if cmd, args, ok := flows.ParseCommand(m.Text); ok {
				in.Kind, in.Command, in.Args = flows.InputCommand, cmd, args
			} else {
				in.Kind = flows.InputText
			}
			in.Text = m.Text
		case len(m.Photo) > 0:
			// Telegram lists the sizes smallest first.
			in.Kind = flows.InputPhoto
			in.Photo = m.Photo[len(m.Photo)-1].FileID
			in.Text = m.Caption
		default:
			in.Kind = flows.InputOther
		}
		return in, true
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in.Kind = flows.InputCallback
		in.User = user(&q.From)
		in.ChatID = q.From.ID
		in.Callback = &flows.Callback{ID: q.ID, Data: q.Data}
		switch msg := &q.Message; {
		case !msg.present:
		case msg.Date != 0:
			if msg.Chat.Type != models.ChatTypePrivate {
				return in, false
			}
			in.ChatID = msg.Chat.ID
			in.Callback.MessageID = int64(msg.ID)
			if k := msg.ReplyMarkup; k != nil {
				for _, row := range k.InlineKeyboard {
					r := make([]flows.Button, 0, len(row))
					for _, b := range row {
						r = append(r, flows.Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
					}
					in.Callback.Keyboard = append(in.Callback.Keyboard, r)
				}
			}
		default: // inaccessible: its chat and id only
			in.ChatID = msg.Chat.ID
			in.Callback.MessageID = int64(msg.ID)
		}
		return in, true
	}
	return in, false
}

func user(u *models.User) flows.User {
	return flows.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}
