package bot

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/loyaltybot/loyaltybot/flows"
)

// TestFitText: a text past Telegram's limit is cut to it, "…" last, at a
// character (a surrogate pair counts two); one within it is left alone.
func TestFitText(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int
	}{
		{strings.Repeat("a", 5000), 4096},
		{strings.Repeat("я", 5000), 4096},
		{strings.Repeat("😀", 3000), 4096},
		{strings.Repeat("x", 1023) + "😀", 1024},
		{strings.Repeat("b", 4096), 4096},
		{"short", 1024},
	} {
		got := fitText(tt.in, tt.limit)
		units := len(utf16.Encode([]rune(got)))
		if units > tt.limit || !strings.HasPrefix(tt.in, strings.TrimSuffix(got, "…")) {
			t.Errorf("%.10q… to %d: %d units, %.10q…", tt.in, tt.limit, units, got)
		}
		if fits := len(utf16.Encode([]rune(tt.in))) <= tt.limit; fits != (got == tt.in) {
			t.Errorf("%.10q… to %d: changed %v", tt.in, tt.limit, got != tt.in)
		}
	}
	if textLimit(flows.Reply{Text: "x", PNG: []byte{1}}) != maxCaption || textLimit(flows.Reply{Text: "x"}) != maxMessageText {
		t.Error("a chart's caption is not held to 1,024")
	}
}
