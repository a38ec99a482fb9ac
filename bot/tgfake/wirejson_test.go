package tgfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// wireStrings are texts that exercise every escaping rule.
var wireStrings = []string{
	"", "Маша", "a \"quoted\" \\ back", "<b>&amp;</b>", "line\nbreak\ttab\r\b\f",
	"\x00\x01\x1f\x7f", "bad \xff\xfe utf8 \xe2\x82", "sep \u2028 and \u2029", "emoji 🎉✅", "/start s_1",
}

func randomMessage(r *rand.Rand, str func() string) wireMessage {
	n := func() int64 { return []int64{0, 1, -1, 42, 1 << 40, -1 << 62}[r.IntN(6)] }
	opt := func() bool { return r.IntN(2) == 0 }
	file := func() *wireFile {
		f := &wireFile{FileID: str(), FileUniqueID: str(), Width: int(n()), Height: int(n()), FileSize: int(n()),
			FileName: str(), MimeType: str(), Type: str(), Emoji: str()}
		if opt() {
			v := opt()
			f.IsAnimated = &v
		}
		if opt() {
			v := opt()
			f.IsVideo = &v
		}
		return f
	}
	m := wireMessage{MessageID: int(n()), Chat: wireChat{ID: n(), Type: str(), FirstName: str(), Username: str()},
		Date: n(), EditDate: n(), Text: str(), Caption: str()}
	if opt() {
		m.From = &wireUser{ID: n(), IsBot: opt(), FirstName: str(), LastName: str(), Username: str(), LanguageCode: str()}
	}
	switch r.IntN(3) {
	case 1:
		m.Entities = []wireEntity{}
	case 2:
		m.Entities = []wireEntity{{Type: str(), Offset: int(n()), Length: int(n())}, {Type: str()}}
	}
	switch r.IntN(3) {
	case 1:
		m.Photo = []wireFile{}
	case 2:
		m.Photo = []wireFile{*file(), *file()}
	}
	if opt() {
		m.Document = file()
	}
	if opt() {
		m.Sticker = file()
	}
	if opt() {
		m.Contact = &wireContact{PhoneNumber: str(), FirstName: str(), UserID: n()}
	}
	if opt() {
		k := &wireMarkup{}
		switch r.IntN(4) {
		case 1:
			k.InlineKeyboard = [][]wireButton{}
		case 2:
			k.InlineKeyboard = [][]wireButton{nil, {}}
		case 3:
			data := str()
			k.InlineKeyboard = [][]wireButton{{{CallbackData: &data, Text: str()}, {Text: str(), URL: str()}}, {{Text: str()}}}
		}
		m.ReplyMarkup = k
	}
	return m
}

// checkWireJSON compares what the fake writes by hand with what
// encoding/json writes for the same message: the answer to a send, a
// message's update and a button tap's update.
func checkWireJSON(t *testing.T, m wireMessage, id int64, queryID, data string) {
	t.Helper()
	var answer bytes.Buffer
	if err := json.NewEncoder(&answer).Encode(okAnswer{OK: true, Result: m}); err != nil {
		t.Fatal(err)
	}
	if got := append(m.appendJSON([]byte(`{"ok":true,"result":`)), "}\n"...); !bytes.Equal(got, answer.Bytes()) {
		t.Fatalf("answer:\n got %s\nwant %s", got, answer.Bytes())
	}
	want, err := json.Marshal(map[string]any{"message": m, "update_id": id})
	if err != nil {
		t.Fatal(err)
	}
	if got := appendMessageUpdate(nil, id, &m); !bytes.Equal(got, want) {
		t.Fatalf("message update:\n got %s\nwant %s", got, want)
	}
	from := m.From
	if from == nil {
		from = &wireUser{ID: id, FirstName: queryID}
	}
	ci := fmt.Sprintf("ci%d", id)
	want, err = json.Marshal(map[string]any{"callback_query": map[string]any{
		"id": queryID, "from": from, "message": m, "chat_instance": ci, "data": data,
	}, "update_id": id})
	if err != nil {
		t.Fatal(err)
	}
	if got := appendCallbackUpdate(nil, id, queryID, from, &m, ci, data); !bytes.Equal(got, want) {
		t.Fatalf("callback update:\n got %s\nwant %s", got, want)
	}
}

// TestWireJSONIsEncodingJSON: 3,000 random messages, every optional field
// set and unset, empty and nil lists, texts of every escaping rule, read
// byte for byte as encoding/json writes them.
func TestWireJSONIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string { return wireStrings[r.IntN(len(wireStrings))] }
	for i := range 3000 {
		checkWireJSON(t, randomMessage(r, str), int64(i), str(), str())
	}
}

// FuzzWireJSON: any texts, in every field of a random message.
func FuzzWireJSON(f *testing.F) {
	for i, s := range wireStrings {
		f.Add(s, wireStrings[(i+1)%len(wireStrings)], uint64(i))
	}
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed>>32))
		str := func() string { return []string{a, b, ""}[r.IntN(3)] }
		checkWireJSON(t, randomMessage(r, str), int64(seed>>1), a, b)
	})
}
