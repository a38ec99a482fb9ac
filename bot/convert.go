// Package bot is the Telegram adapter: updates in (long polling or webhook,
// stored before they are handled), flow replies out (rendered to Bot API
// calls by a sender that honours rate limits, 429 retry_after and 403).
// It holds no business rules.
package bot

import (
	"encoding/json"
	"errors"

	"github.com/go-telegram/bot/models"

	"github.com/loyaltybot/loyaltybot/flows"
)

// updateHead is the part of an update needed to store and route it
// without decoding the whole thing.
type updateHead struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		Chat struct {
			ID int64 `json:"id"`
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

// toInput turns a Telegram update into a flow input. ok is false for
// updates the flows do not take (group chats, edits, channel posts).
func toInput(u *models.Update) (flows.Input, bool) {
	in := flows.Input{UpdateID: u.ID}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
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
		if msg := q.Message.Message; msg != nil {
			if msg.Chat.Type != models.ChatTypePrivate {
				return in, false
			}
			in.ChatID = msg.Chat.ID
			in.Callback.MessageID = int64(msg.ID)
		} else if im := q.Message.InaccessibleMessage; im != nil {
			in.ChatID = im.Chat.ID
			in.Callback.MessageID = int64(im.MessageID)
		}
		return in, true
	}
	return in, false
}

func user(u *models.User) flows.User {
	return flows.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}
