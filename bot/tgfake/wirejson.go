package tgfake

import (
	"strconv"
	"unicode/utf8"
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
	b = appendString(b, chatInstance)
	b = append(b, `,"data":`...)
	b = appendString(b, data)
	b = append(b, `,"from":`...)
	b = from.appendJSON(b)
	b = append(b, `,"id":`...)
	b = appendString(b, queryID)
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
	b = appendString(b, u.FirstName)
	b = appendOptString(b, `,"last_name":`, u.LastName)
	b = appendOptString(b, `,"username":`, u.Username)
	b = appendOptString(b, `,"language_code":`, u.LanguageCode)
	return append(b, '}')
}

func (c *wireChat) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"type":`...)
	b = appendString(b, c.Type)
	b = appendOptString(b, `,"first_name":`, c.FirstName)
	b = appendOptString(b, `,"username":`, c.Username)
	return append(b, '}')
}

func (f *wireFile) appendJSON(b []byte) []byte {
	if f == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"file_id":`...)
	b = appendString(b, f.FileID)
	b = append(b, `,"file_unique_id":`...)
	b = appendString(b, f.FileUniqueID)
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
			b = appendString(b, e.Type)
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
		b = appendString(b, c.PhoneNumber)
		b = append(b, `,"first_name":`...)
		b = appendString(b, c.FirstName)
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
				b = appendString(b, *k.CallbackData)
				b = append(b, ',')
			}
			b = append(b, `"text":`...)
			b = appendString(b, k.Text)
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
	return appendString(append(b, key...), s)
}

func appendOptInt(b []byte, key string, n int64) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), n, 10)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as encoding/json does with its HTML escaping on
// (its default): quotes, backslashes, control characters, <, > and &
// escaped, each byte of invalid UTF-8 as \ufffd, U+2028 and U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
