package main

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/locales"
)

// FuzzLoadBusiness: whatever a config file holds, loading it gives a
// valid business or an error naming the problem; it never panics.
func FuzzLoadBusiness(f *testing.F) {
	f.Add(string(exampleConfig))
	f.Add("name = \"x\"\n[nudges.rules.a]\nkind = \"holiday\"\ndate = \"13-45\"\n")
	f.Add("[nudges]\nquiet_hours = \"25:00-01:00\"\n")
	f.Add("[[stores]]\ncode = \"\"\n")
	langs := locales.Languages()
	f.Fuzz(func(t *testing.T, data string) {
		b, err := loadBusiness([]byte(data), "fuzz", langs)
		if err == nil && b.Validate(langs) != nil {
			t.Fatal("loaded a config that does not validate")
		}
	})
}
