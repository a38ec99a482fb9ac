package bot

import (
	"encoding/json"
	"testing"
)

// TestStripNUL: only the escape of U+0000 goes; an escaped backslash
// followed by the letters u0000 is text and stays.
func TestStripNUL(t *testing.T) {
	for in, want := range map[string]string{
		`{"text": "a\u0000b"}`:       `{"text": "ab"}`,
		`{"text": "\u0000\u0000"}`:   `{"text": ""}`,
		`{"text": "a\\u0000b"}`:      `{"text": "a\\u0000b"}`,
		`{"text": "a\\\u0000b"}`:     `{"text": "a\\b"}`,
		`{"text": "\"\u0000\u00e9"}`: `{"text": "\"\u00e9"}`,
		`{"text": "plain"}`:          `{"text": "plain"}`,
	} {
		got := string(stripNUL([]byte(in)))
		if got != want {
			t.Errorf("stripNUL(%s) = %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("stripNUL(%s) = %s: not JSON any more", in, got)
		}
	}
}
