package flows

import (
	"encoding/json"
	"reflect"
	"testing"
)

// replyOf builds a reply from fuzzed parts: shape picks which fields are
// set, and how (nil, empty or full slices; a document, an export, a
// command menu), the texts go everywhere a reply has text.
func replyOf(shape uint16, chat, edit int64, text, data, url string, png []byte) Reply {
	r := Reply{ChatID: chat, Text: text, EditMessageID: edit, Pre: shape&1 != 0, RemoveKeyboard: shape&2 != 0}
	switch shape >> 2 & 3 {
	case 1:
		r.Inline = [][]Button{}
	case 2:
		r.Inline = [][]Button{{{Text: text, Data: data}, {Text: data, URL: url}}, nil, {}}
	case 3:
		r.Inline = [][]Button{{{Text: url}}}
	}
	switch shape >> 4 & 3 {
	case 1:
		r.Keyboard = [][]KeyButton{}
	case 2:
		r.Keyboard = [][]KeyButton{{{Text: data, Contact: true}, {Text: text}}, nil}
	}
	switch shape >> 6 & 7 {
	case 1:
		r.QR = data
	case 2:
		r.Photo = url
	case 3:
		r.PNG = png
	case 4:
		r.Document = &Document{Name: text, Data: png}
	case 5:
		r.Export = &ExportDoc{}
	case 6:
		cmds := []Command{{Name: data, Description: text}}
		if shape&512 != 0 {
			cmds = nil
		}
		r.ChatCommands = &cmds
	}
	return r
}

// FuzzReplyDecodesAsItself: a reply that says it decodes as itself does
// (the sender then takes it as the worker wrote it instead of decoding
// its outbox row): whatever its texts (not valid UTF-8 ones among them,
// which the round trip changes) and slices (nil, empty, full).
func FuzzReplyDecodesAsItself(f *testing.F) {
	f.Add(uint16(0), int64(501), int64(0), "Hello", "x:card:1", "https://t.me/shop_bot?start=c_1", []byte(nil))
	f.Add(uint16(2|2<<2|2<<4), int64(-100123), int64(42), "a <b> & \u2028 🎉", "cb:checkout:n1:ok", "", []byte{})
	f.Add(uint16(3<<6), int64(7), int64(0), "caption", "data", "url", []byte("\x89PNG"))
	f.Add(uint16(0), int64(7), int64(0), "bad \xff text", "d", "u", []byte{})
	f.Add(uint16(2<<2), int64(7), int64(0), "t", "d", "u\xc3", []byte{})
	f.Add(uint16(1<<4), int64(7), int64(0), "t", "d", "u", []byte{})
	f.Add(uint16(1<<6), int64(7), int64(0), "t", "c_\x80", "u", []byte{})
	f.Add(uint16(3<<6), int64(7), int64(0), "t", "d", "u", []byte{})
	f.Add(uint16(1<<2), int64(7), int64(0), "t", "d", "u", []byte{})
	f.Add(uint16(6<<6|512), int64(7), int64(0), "", "", "", []byte(nil))
	f.Add(uint16(1<<4|1<<6), int64(7), int64(0), "t", "\xed\xa0\x80", "", []byte{})
	f.Fuzz(func(t *testing.T, shape uint16, chat, edit int64, text, data, url string, png []byte) {
		r := replyOf(shape, chat, edit, text, data, url, png)
		payload, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Reply
		if err := json.Unmarshal(payload, &back); err != nil {
			t.Fatal(err)
		}
		if r.decodesAsItself() && !reflect.DeepEqual(back, r) {
			t.Fatalf("%+v says it decodes as itself, decodes as %+v", r, back)
		}
	})
}

// TestRepliesDecodeAsThemselves: what the flows say nearly always
// decodes as itself, so the sender seldom decodes a held reply.
func TestRepliesDecodeAsThemselves(t *testing.T) {
	for _, r := range []Reply{
		{ChatID: 1, Text: "Hi"},
		{ChatID: 1, Text: "Card", QR: "https://t.me/b?start=c_x", Inline: [][]Button{{{Text: "↻", Data: "x:card:r"}}}},
		{ChatID: 1, Text: "Phone?", Keyboard: [][]KeyButton{{{Text: "📱", Contact: true}}}},
		{ChatID: 1, EditMessageID: 9, Text: "Done", Pre: true},
		{ChatID: 1, RemoveKeyboard: true, Text: "ok"},
	} {
		if !r.decodesAsItself() {
			t.Errorf("%+v: decoded again", r)
		}
	}
	for _, r := range []Reply{
		{ChatID: 1, Text: "\xff"},
		{ChatID: 1, Inline: [][]Button{}},
		{ChatID: 1, Keyboard: [][]KeyButton{{{Text: "\xc3"}}}},
		{ChatID: 1, Inline: [][]Button{{{Text: "a", URL: "\xe2\x82"}}}},
		{ChatID: 1, Document: &Document{Name: "a.csv"}},
		{ChatID: 1, ChatCommands: &[]Command{}},
	} {
		if r.decodesAsItself() {
			t.Errorf("%+v: taken as itself", r)
		}
	}
}
