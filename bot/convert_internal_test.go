package bot

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/loyaltybot/loyaltybot/flows"
)

// inputOfModel is toInput as it read go-telegram/bot's models.Update
// before the bot decoded only the fields it takes: the oracle the lean
// decoding is held to.
func inputOfModel(u *models.Update) (flows.Input, bool) {
	in := flows.Input{UpdateID: u.ID}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil || m.PinnedMessage != nil ||
			m.MessageAutoDeleteTimerChanged != nil || m.ChatBackgroundSet != nil || m.WriteAccessAllowed != nil ||
			m.ConnectedWebsite != "" || m.ForumTopicCreated != nil || m.ForumTopicEdited != nil ||
			m.ForumTopicClosed != nil || m.ForumTopicReopened != nil {
			return in, false // a service message
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
			if k := msg.ReplyMarkup; k != nil {
				for _, row := range k.InlineKeyboard {
					r := make([]flows.Button, 0, len(row))
					for _, b := range row {
						r = append(r, flows.Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
					}
					in.Callback.Keyboard = append(in.Callback.Keyboard, r)
				}
			}
		} else if im := q.Message.InaccessibleMessage; im != nil {
			in.ChatID = im.Chat.ID
			in.Callback.MessageID = int64(im.MessageID)
		}
		return in, true
	}
	return in, false
}

// memberChange is what process reads of a my_chat_member update.
type memberChange struct {
	chat    int64
	blocked bool
}

// FuzzWireUpdate: whatever update go-telegram/bot's models decode, the
// lean decoding decodes too, into the same flow input, and the same block
// or unblock. (Where the models fail, as on a field of the wrong type the
// flows never read, the lean decoding may take the update.)
func FuzzWireUpdate(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":5,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"is_bot":false,"first_name":"Anna","last_name":"K","username":"anna","language_code":"ru"},"text":"/start s_main"}}`,
		`{"update_id":2,"message":{"message_id":6,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"text":"hello"}}`,
		`{"update_id":3,"message":{"message_id":7,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"contact":{"phone_number":"+79001234567","first_name":"Anna","user_id":101}}}`,
		`{"update_id":4,"message":{"message_id":8,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"photo":[{"file_id":"small","width":90},{"file_id":"big","width":800}],"caption":"receipt"}}`,
		`{"update_id":5,"message":{"message_id":9,"date":1700000000,"chat":{"id":-100,"type":"group"},"from":{"id":101,"first_name":"Anna"},"text":"hi"}}`,
		`{"update_id":6,"message":{"message_id":9,"date":1700000000,"chat":{"id":101,"type":"private"},"text":"no sender"}}`,
		`{"update_id":7,"message":{"message_id":10,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"sticker":{"file_id":"s"}}}`,
		`{"update_id":8,"callback_query":{"id":"q1","from":{"id":101,"first_name":"Anna"},"message":{"message_id":11,"date":1700000000,"chat":{"id":101,"type":"private"},"text":"Pick"},"chat_instance":"ci","data":"x:topics:1"}}`,
		`{"update_id":19,"callback_query":{"id":"q6","from":{"id":101,"first_name":"Anna"},"message":{"message_id":14,"date":1700000000,"chat":{"id":101,"type":"private"},"text":"Poll","reply_markup":{"inline_keyboard":[[{"text":"Friday","callback_data":"xab:poll:1:0"}],[{"text":"Map","url":"https://example.org"}],[]]}},"data":"xab:topics:off:sales"}}`,
		`{"update_id":9,"callback_query":{"id":"q2","from":{"id":101,"first_name":"Anna"},"message":{"message_id":12,"date":0,"chat":{"id":101,"type":"private"}},"data":"old"}}`,
		`{"update_id":10,"callback_query":{"id":"q3","from":{"id":101,"first_name":"Anna"},"data":"no message"}}`,
		`{"update_id":11,"callback_query":{"id":"q4","from":{"id":101,"first_name":"Anna"},"message":null,"data":"null message"}}`,
		`{"update_id":12,"callback_query":{"id":"q5","from":{"id":101,"first_name":"Anna"},"message":{"message_id":13,"date":5,"chat":{"id":-5,"type":"supergroup"}},"data":"group"}}`,
		`{"update_id":13,"my_chat_member":{"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"date":1700000000,"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"bot"}},"new_chat_member":{"status":"kicked","user":{"id":1,"is_bot":true,"first_name":"bot"},"until_date":0}}}`,
		`{"update_id":14,"my_chat_member":{"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"date":1700000000,"old_chat_member":{"status":"kicked","user":{"id":1,"is_bot":true,"first_name":"bot"}},"new_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"bot"}}}}`,
		`{"update_id":15,"my_chat_member":{"chat":{"id":-7,"type":"group"},"from":{"id":101,"first_name":"Anna"},"date":1,"new_chat_member":{"status":"left","user":{"id":1,"is_bot":true,"first_name":"bot"}}}}`,
		`{"update_id":20,"message":{"message_id":15,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"pinned_message":{"message_id":11,"date":1700000000,"chat":{"id":101,"type":"private"},"text":"card"}}}`,
		`{"update_id":21,"message":{"message_id":16,"date":1700000000,"chat":{"id":101,"type":"private"},"from":{"id":101,"first_name":"Anna"},"message_auto_delete_timer_changed":{"message_auto_delete_time":86400}}}`,
		`{"update_id":16,"edited_message":{"message_id":5,"date":1,"chat":{"id":101,"type":"private"},"text":"edit"}}`,
		`{"update_id":17,"Message":{"message_id":5,"date":1,"chat":{"id":101,"type":"private"},"from":{"id":101},"TEXT":"case"}}`,
		`{"update_id":18,"message":{"message_id":5,"date":1,"chat":{"id":101,"type":"private"},"from":{"id":101},"text":"a","text":"b"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var full models.Update
		if json.Unmarshal(data, &full) != nil {
			return
		}
		var lean wireUpdate
		err := json.Unmarshal(data, &lean)
		var m *models.ChatMemberUpdated
		if err == nil && lean.MyChatMember != nil {
			err = json.Unmarshal(*lean.MyChatMember, &m)
		}
		if err != nil {
			t.Fatalf("the models decode %s, the lean decoding fails: %v", data, err)
		}
		var wantMember, gotMember *memberChange
		if c := full.MyChatMember; c != nil && c.Chat.Type == models.ChatTypePrivate {
			wantMember = &memberChange{c.Chat.ID, c.NewChatMember.Type == models.ChatMemberTypeBanned}
		}
		if m != nil && m.Chat.Type == models.ChatTypePrivate {
			gotMember = &memberChange{m.Chat.ID, m.NewChatMember.Type == models.ChatMemberTypeBanned}
		}
		if !reflect.DeepEqual(gotMember, wantMember) {
			t.Fatalf("%s: block/unblock %+v, want %+v", data, gotMember, wantMember)
		}
		if wantMember != nil {
			return // handled as a block or unblock, before any input
		}
		want, wantOK := inputOfModel(&full)
		got, gotOK := toInput(&lean)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %v %+v\nwant %v %+v", data, gotOK, got, wantOK, want)
		}
	})
}
