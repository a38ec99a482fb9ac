package domain

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParseCodeWord(t *testing.T) {
	for in, want := range map[string]string{
		"autumn": "AUTUMN", " Autumn! ": "AUTUMN", "#autumn": "AUTUMN", "«осень»": "ОСЕНЬ", "Kuz2026": "KUZ2026",
		"ёлка": "ЁЛКА", "abc": "ABC",
	} {
		if got, err := ParseCodeWord(in); err != nil || got != want {
			t.Errorf("ParseCodeWord(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ab", "12345", "+79990001122", "two words", "a-b-c", "abcdefghijklmnopqrstu",
		"1 500", "/start", "##tag", "e-mail@x.ru"} {
		if got, err := ParseCodeWord(in); err == nil {
			t.Errorf("ParseCodeWord(%q) = %q, want an error", in, got)
		}
	}
	if CodeWordKey("ЁЛКА") != CodeWordKey("елка") {
		t.Error("Ё and Е differ in the key")
	}
	w := &CodeWord{Word: "AUTUMN"}
	if w.StartPayload() != "p_AUTUMN" {
		t.Errorf("link payload %q", w.StartPayload())
	}
	if p, err := ParseStartPayload(w.StartPayload()); err != nil || p.Kind != StartCodeWord || p.Value != "AUTUMN" {
		t.Errorf("the link read back: %+v, %v", p, err)
	}
}

// FuzzParseCodeWord: whatever a customer writes, a word comes back only
// as 3–20 upper-case letters and digits with a letter among them, and it
// reads the same again.
func FuzzParseCodeWord(f *testing.F) {
	for _, s := range []string{"autumn", "#Осень!", "12345", "a b", "ёлка", "\xff", strings.Repeat("я", 21)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseCodeWord(s)
		if err != nil {
			return
		}
		n, letters := utf8.RuneCountInString(w), 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
			} else if !unicode.IsDigit(r) {
				t.Fatalf("%q gave %q with %q", s, w, r)
			}
		}
		if n < MinCodeWordRunes || n > MaxCodeWordRunes || letters == 0 || w != strings.ToUpper(w) {
			t.Fatalf("%q gave %q", s, w)
		}
		if again, err := ParseCodeWord(w); err != nil || again != w {
			t.Fatalf("%q gave %q, which reads as %q, %v", s, w, again, err)
		}
	})
}

// TestCodeWordUzbekApostrophes: the Uzbek oʻ and gʻ come with whichever
// apostrophe the keyboard has; the word an owner started as SOGʻLOM is
// found as "sog'lom", "sog‘lom", "sog’lom", "sogʼlom" and "sog`lom", and
// an owner may type it with a plain apostrophe.
func TestCodeWordUzbekApostrophes(t *testing.T) {
	want, err := ParseCodeWord("Sogʻlom")
	if err != nil {
		t.Fatalf("SOGʻLOM: %v", err)
	}
	for _, in := range []string{"sog'lom", "sog‘lom", "sog’lom", "sogʼlom", "sog`lom", "'sog'lom'", "Sogʻlom!"} {
		got, err := ParseCodeWord(in)
		if err != nil || CodeWordKey(got) != CodeWordKey(want) {
			t.Errorf("ParseCodeWord(%q) = %q, %v; want the key of %q", in, got, err, want)
		}
	}
}
