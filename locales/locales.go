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

// File returns the raw message file of a language (for tests).
func File(lang string) ([]byte, error) { return files.ReadFile(lang + ".toml") }
