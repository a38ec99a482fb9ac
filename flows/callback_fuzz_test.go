package flows

import (
	"strings"
	"testing"
)

// FuzzParseCallback: callback data comes from the client and proves
// nothing. Whatever arrives, parsing never panics, a flow button's parts
// come back as they were built, and a stateless action is told from a flow
// button by its prefix alone.
func FuzzParseCallback(f *testing.F) {
	f.Add("checkout", "confirm", "n0nce", "yes")
	f.Add("x", "nudge", "", "12.no")
	f.Add("", "", "", "")
	f.Add("profile", "q.coffee_milk", "abc", "later:again")
	f.Fuzz(func(t *testing.T, flow, step, nonce, value string) {
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
		name, v, ok := parseAction(data)
		if ok != strings.HasPrefix(data, "x:") {
			t.Fatalf("parseAction(%q) ok=%v", data, ok)
		}
		if ok && "x:"+name+":"+v != data && "x:"+name != data {
			t.Fatalf("parseAction(%q) = %q %q", data, name, v)
		}
		parseCallback(value) // arbitrary data must not panic either
		parseAction(value)
	})
}
