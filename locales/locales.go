// Package locales holds every user-visible string of loyaltybot as go-i18n
// message files, one per language (<lang>.toml), embedded in the binary.
// Message ids read <area>.<step>.<what>.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Languages lists the languages that have a message file, sorted.
func Languages() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Bundle loads every message file. English is the bundle's default, but
// the parity test keeps every language complete, so it is never reached.
func Bundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Languages() {
		if _, err := b.LoadMessageFileFS(files, lang+".toml"); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", lang, err)
		}
	}
	return b, nil
}

// Plurals returns the ids of the messages that have plural forms (zero,
// one, two, few, many) in some language. The others take a count as plain
// data: asked for a plural form they lack, go-i18n falls back to "other"
// but reports an error, and the engine then had to ask again. The files
// are embedded, so the set is read once.
var Plurals = sync.OnceValues(func() (map[string]bool, error) {
	ids := map[string]bool{}
	for _, lang := range Languages() {
		raw, err := files.ReadFile(lang + ".toml")
		if err != nil {
			return nil, err
		}
		var msgs map[string]any
		if err := toml.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", lang, err)
		}
		for id, m := range msgs {
			fields, _ := m.(map[string]any) // a plain string has no forms
			for _, form := range []string{"zero", "one", "two", "few", "many"} {
				if _, ok := fields[form]; ok {
					ids[id] = true
				}
			}
		}
	}
	return ids, nil
})

// File returns the raw message file of a language (for tests).
func File(lang string) ([]byte, error) { return files.ReadFile(lang + ".toml") }
