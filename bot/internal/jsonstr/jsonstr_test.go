package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppend: any string is written as encoding/json writes it.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{
		"", "Маша", "a \"quoted\" \\ back", "<b>&amp;</b>", "line\nbreak\ttab\r\b\f",
		"\x00\x01\x1f\x7f", "bad \xff\xfe utf8 \xe2\x82", "sep \u2028 and \u2029", "emoji 🎉✅",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Append([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("%q: got %s, want x%s", s, got, want)
		}
	})
}
