package tgfake

import (
	"strconv"

	"github.com/loyaltybot/loyaltybot/bot/internal/jsonstr"
)

// The messages the fake answers with and the updates it queues are
// written by hand, byte for byte as encoding/json writes them (struct
// fields in order, map keys sorted, its escaping): the load run shares the
// cores with the bot, and encoding/json's reflection was about a sixth of
// the load's CPU. TestWireJSONIsEncodingJSON and FuzzWireJSON compare the
// two.

// appendMessageUpdate appends the update of a person's message.
func appendMessageUpdate(b []byte, id int64, w *wireMessage) []byte {
	b = append(b, `{"message":`...)
	b = w.appendJSON(b)
	return appendUpdateID(b, id)
}

// appendCallbackUpdate appends the update of a button tap (its keys
// sorted, as encoding/json writes the map the fake used to build).
func appendCallbackUpdate(b []byte, id int64, queryID string, from *wireUser, m *wireMessage, chatInstance, data string) []byte {
	b = append(b, `{"callback_query":{"chat_instance":`...)
	b = jsonstr.Append(b, chatInstance)
	b = append(b, `,"data":`...)
	b = jsonstr.Append(b, data)
	b = append(b, `,"from":`...)
	b = from.appendJSON(b)
	b = append(b, `,"id":`...)
	b = jsonstr.Append(b, queryID)
	b = append(b, `,"message":`...)
	b = m.appendJSON(b)
	b = append(b, '}')
	return appendUpdateID(b, id)
}

func appendUpdateID(b []byte, id int64) []byte {
	b = append(b, `,"update_id":`...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, '}')
}

func (u *wireUser) appendJSON(b []byte) []byte {
	if u == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, `,"is_bot":`...)
	b = strconv.AppendBool(b, u.IsBot)
	b = append(b, `,"first_name":`...)
	b = jsonstr.Append(b, u.FirstName)
	b = appendOptString(b, `,"last_name":`, u.LastName)
	b = appendOptString(b, `,"username":`, u.Username)
	b = appendOptString(b, `,"language_code":`, u.LanguageCode)
	return append(b, '}')
}

func (c *wireChat) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"type":`...)
	b = jsonstr.Append(b, c.Type)
	b = appendOptString(b, `,"first_name":`, c.FirstName)
	b = appendOptString(b, `,"username":`, c.Username)
	return append(b, '}')
}

func (f *wireFile) appendJSON(b []byte) []byte {
	if f == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"file_id":`...)
	b = jsonstr.Append(b, f.FileID)
	b = append(b, `,"file_unique_id":`...)
	b = jsonstr.Append(b, f.FileUniqueID)
	b = appendOptInt(b, `,"width":`, int64(f.Width))
	b = appendOptInt(b, `,"height":`, int64(f.Height))
	b = appendOptInt(b, `,"file_size":`, int64(f.FileSize))
	b = appendOptString(b, `,"file_name":`, f.FileName)
	b = appendOptString(b, `,"mime_type":`, f.MimeType)
	b = appendOptString(b, `,"type":`, f.Type)
	b = appendOptString(b, `,"emoji":`, f.Emoji)
	if f.IsAnimated != nil {
		b = append(b, `,"is_animated":`...)
		b = strconv.AppendBool(b, *f.IsAnimated)
	}
	if f.IsVideo != nil {
		b = append(b, `,"is_video":`...)
		b = strconv.AppendBool(b, *f.IsVideo)
	}
	return append(b, '}')
}

func (m *wireMessage) appendJSON(b []byte) []byte {
	b = append(b, `{"message_id":`...)
	b = strconv.AppendInt(b, int64(m.MessageID), 10)
	if m.From != nil {
		b = append(b, `,"from":`...)
		b = m.From.appendJSON(b)
	}
	b = append(b, `,"chat":`...)
	b = m.Chat.appendJSON(b)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, m.Date, 10)
	b = appendOptInt(b, `,"edit_date":`, m.EditDate)
	b = appendOptString(b, `,"text":`, m.Text)
	if len(m.Entities) > 0 {
		b = append(b, `,"entities":[`...)
		for i, e := range m.Entities {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = jsonstr.Append(b, e.Type)
			b = append(b, `,"offset":`...)
			b = strconv.AppendInt(b, int64(e.Offset), 10)
			b = append(b, `,"length":`...)
			b = strconv.AppendInt(b, int64(e.Length), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendOptString(b, `,"caption":`, m.Caption)
	if len(m.Photo) > 0 {
		b = append(b, `,"photo":[`...)
		for i := range m.Photo {
			if i > 0 {
				b = append(b, ',')
			}
			b = m.Photo[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if m.Document != nil {
		b = append(b, `,"document":`...)
		b = m.Document.appendJSON(b)
	}
	if m.Sticker != nil {
		b = append(b, `,"sticker":`...)
		b = m.Sticker.appendJSON(b)
	}
	if c := m.Contact; c != nil {
		b = append(b, `,"contact":{"phone_number":`...)
		b = jsonstr.Append(b, c.PhoneNumber)
		b = append(b, `,"first_name":`...)
		b = jsonstr.Append(b, c.FirstName)
		b = appendOptInt(b, `,"user_id":`, c.UserID)
		b = append(b, '}')
	}
	if k := m.ReplyMarkup; k != nil {
		b = append(b, `,"reply_markup":{"inline_keyboard":`...)
		b = appendRows(b, k.InlineKeyboard)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendRows(b []byte, rows [][]wireButton) []byte {
	if rows == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		if row == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, k := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if k.CallbackData != nil {
				b = append(b, `"callback_data":`...)
				b = jsonstr.Append(b, *k.CallbackData)
				b = append(b, ',')
			}
			b = append(b, `"text":`...)
			b = jsonstr.Append(b, k.Text)
			b = appendOptString(b, `,"url":`, k.URL)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return jsonstr.Append(append(b, key...), s)
}

func appendOptInt(b []byte, key string, n int64) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), n, 10)
}
