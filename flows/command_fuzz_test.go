package flows

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParseCommand: whatever a client sends, a command read from it is
// one lower-case word without "@" or spaces, its arguments trimmed, and
// written back as "/cmd args" it reads as itself.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/card", "/start@ShopBot join-12", "/scan\n1234 5678", "/scan\t1", "/card\u00a0",
		"\u200b/card", " /help", "/", "/@bot", "hello", "/Scan 1\n2", "//x", "/\u2028x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, args, ok := ParseCommand(text)
		if !ok {
			if cmd != "" || args != "" {
				t.Fatalf("%q: not a command, yet %q %q", text, cmd, args)
			}
			return
		}
		if cmd == "" || strings.ContainsFunc(cmd, unicode.IsSpace) || strings.Contains(cmd, "@") {
			t.Fatalf("%q: command %q", text, cmd)
		}
		if cmd != strings.ToLower(cmd) {
			t.Fatalf("%q: command %q not lower-case", text, cmd)
		}
		if args != strings.TrimSpace(args) {
			t.Fatalf("%q: arguments %q not trimmed", text, args)
		}
		again := "/" + cmd
		if args != "" {
			again += " " + args
		}
		if c2, a2, ok2 := ParseCommand(again); !ok2 || c2 != cmd || a2 != args {
			t.Fatalf("%q read as %q %q; written back %q reads %q %q %v", text, cmd, args, again, c2, a2, ok2)
		}
	})
}
