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
	b, _, err := loadFiles()
	return b, err
}

// loadFiles reads every message file into a bundle, as go-i18n parses them.
func loadFiles() (*i18n.Bundle, []*i18n.MessageFile, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var mfs []*i18n.MessageFile
	for _, lang := range Languages() {
		mf, err := b.LoadMessageFileFS(files, lang+".toml")
		if err != nil {
			return nil, nil, fmt.Errorf("locales: %s: %w", lang, err)
		}
		mfs = append(mfs, mf)
	}
	return b, mfs, nil
}

// Plurals returns the ids of the messages that have plural forms (zero,
// one, two, few, many) in some language, as go-i18n read them. The others
// take a count as plain data: asked for a plural form they lack, go-i18n
// falls back to "other" but reports an error, and the engine then had to
// ask again. The files are embedded, so the set is made once.
var Plurals = sync.OnceValues(func() (map[string]bool, error) {
	_, mfs, err := loadFiles()
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, mf := range mfs {
		for _, m := range mf.Messages {
			if m.Zero+m.One+m.Two+m.Few+m.Many != "" {
				ids[m.ID] = true
			}
		}
	}
	return ids, nil
})

// File returns the raw message file of a language (for tests).
func File(lang string) ([]byte, error) { return files.ReadFile(lang + ".toml") }
