package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxButtonRunes is about what a full-width inline button shows on a
// phone before Telegram cuts it with "…".
const maxButtonRunes = 40

// TestButtonLabelsFit finds the message ids the flows put on an inline
// button (Button{Text: ...T("id")...}) and fails when a label, with each
// field taken as 8 characters, is longer than maxButtonRunes.
func TestButtonLabelsFit(t *testing.T) {
	call := regexp.MustCompile(`Text:\s*[\w.]*(?:\.T|translate)\((?:[^,"]*,\s*)?"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\.?)"`)
	field := regexp.MustCompile(`\{\{[^}]*\}\}`)
	ids := map[string]string{}
	for _, dir := range []string{"../flows", "../bot"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s := string(src)
			for _, m := range call.FindAllStringSubmatchIndex(s, -1) {
				before := s[max(0, m[0]-300):m[0]]
				if strings.LastIndex(before, "Button{") > strings.LastIndex(before, "Reply{") {
					ids[s[m[2]:m[3]]] = p
				}
			}
		}
	}
	if len(ids) < 50 {
		t.Fatalf("only %d button labels found: the scan is broken", len(ids))
	}
	for _, l := range Languages() {
		msgs := load(t, l)
		for id, where := range ids {
			for mid, m := range msgs {
				if mid != id && !(strings.HasSuffix(id, ".") && strings.HasPrefix(mid, id)) {
					continue
				}
				for form, text := range m {
					shown := field.ReplaceAllString(text, "12345678")
					if n := utf8.RuneCountInString(shown); n > maxButtonRunes {
						t.Errorf("%s %q/%s (%s): button label of %d characters: %q", l, mid, form, where, n, text)
					}
				}
			}
		}
	}
}

// TestUzbekApostrophes: Uzbek Latin writes oʻ, gʻ with U+02BB and the
// tutuq belgisi with U+02BC, as the rest of uz.toml does; a typed ' ‘ ’ `
// inside a word makes the same word look and search differently.
func TestUzbekApostrophes(t *testing.T) {
	bad := regexp.MustCompile("\\pL['‘’`]\\pL")
	for id, m := range load(t, "uz") {
		for form, text := range m {
			if hits := bad.FindAllString(text, -1); hits != nil {
				t.Errorf("uz %q/%s: %q use a quote mark for ʻ/ʼ", id, form, hits)
			}
		}
	}
}
