package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// FuzzParseCallback: callback data comes from the client and proves
// nothing. Whatever arrives, parsing never panics, a flow button's parts
// come back as they were built, a stateless action is told from a flow
// button by its prefix alone, and a signed action verifies for the chat
// it was signed for and for no other chat, name or value.
func FuzzParseCallback(f *testing.F) {
	f.Add("checkout", "confirm", "n0nce", "yes", int64(42))
	f.Add("x", "nudge", "", "12.no", int64(-100))
	f.Add("", "", "", "", int64(0))
	f.Add("profile", "q.coffee_milk", "abc", "later:again", int64(7))
	f.Add("xAbCdEfGh", "card", "", "show", int64(9))
	signer, err := domain.NewCardSigner([]byte("fuzz-secret-fuzz-secret"), time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	e := &Engine{Config: Config{Signer: signer}}
	f.Fuzz(func(t *testing.T, flow, step, nonce, value string, chat int64) {
		parseCallback(value) // arbitrary data must not panic
		parseAction(value)
		for _, s := range []string{flow, step, nonce} {
			if strings.Contains(s, ":") {
				return // not what cb builds
			}
		}
		data := flow + ":" + step + ":" + nonce + ":" + value
		gf, gs, gn, gv := parseCallback(data)
		if gf != flow || gs != step || gn != nonce || gv != value {
			t.Fatalf("parseCallback(%q) = %q %q %q %q", data, gf, gs, gn, gv)
		}
		if _, _, _, _, ok := parseAction(data); ok && !strings.HasPrefix(flow, "x") {
			t.Fatalf("flow button %q parsed as an action", data)
		}

		// A stateless button named step with the value, as sent to chat.
		name := step
		r := e.SignButtons(Reply{ChatID: chat, Inline: [][]Button{{{Data: action(name, value)}}}})
		sent := r.Inline[0][0].Data
		if len(sent) != len(action(name, value))+actionMACLen {
			t.Fatalf("signed %q is %d bytes", sent, len(sent))
		}
		gn2, gv2, mac, signed, ok := parseAction(sent)
		if !ok || gn2 != name || gv2 != value || mac == "" || signed != name+":"+value {
			t.Fatalf("parseAction(%q) = %q %q %q %q %v", sent, gn2, gv2, mac, signed, ok)
		}
		if !signer.VerifyButtonMAC(chat, signed, mac) {
			t.Fatalf("%q does not verify for its own chat %d", sent, chat)
		}
		if signer.VerifyButtonMAC(chat+1, signed, mac) {
			t.Fatalf("%q verifies for chat %d too", sent, chat+1)
		}
		if signer.VerifyButtonMAC(chat, signed+"1", mac) {
			t.Fatalf("%q verifies with its value changed", sent)
		}
		un, uv, umac, _, ok := parseAction(action(name, value))
		if !ok || un != name || uv != value || umac != "" {
			t.Fatalf("unsigned %q parsed as %q %q mac %q", action(name, value), un, uv, umac)
		}
	})
}
