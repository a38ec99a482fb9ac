package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// FuzzStatsView: a /stats button's data comes from the client. Whatever
// arrives, parsing never panics, what it accepts has a period that starts
// before it ends, and it round-trips as the buttons write it.
func FuzzStatsView(f *testing.F) {
	for _, seed := range []string{"k.30.", "s.t.central", "c.7.river", "k.c2026030120260331.", "k.c2026033120260301.",
		"k.c20260231.", "z.30.", "k.30", "", "k.d09g709gp.", "k.d09gp09g7.", "s.d0000zzzz.central", "k.dZZZZ0000."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, ok := parseStatsView(in)
		if !ok {
			return
		}
		if v.String() != in {
			t.Fatalf("parseStatsView(%q) = %+v: does not round-trip", in, v)
		}
		p, err := v.dates(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), time.UTC)
		if err != nil || !p.From.Before(p.To) {
			t.Fatalf("parseStatsView(%q) accepted a period %v – %v (%v)", in, p.From, p.To, err)
		}
	})
}

// FuzzStatsDates: typed dates give a custom period whose first day is
// not after its last, or an error; never a panic.
func FuzzStatsDates(f *testing.F) {
	for _, seed := range []string{"01.03.2026 31.03.2026", "01.03.2026 - 31.03.2026", "2026-03-01..2026-03-31",
		"31.03.2026 01.03.2026", "yesterday", "1.1.26 – 2.1.26", "01.01.1999 31.01.1999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := parseStatsDates(in, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
		if err != nil {
			return
		}
		v, ok := parseStatsView("k." + p + ".")
		if !ok {
			t.Fatalf("parseStatsDates(%q) = %q, which no button takes", in, p)
		}
		// The button shows the days typed.
		f := strings.Fields(dateSeparators.Replace(in))
		now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		from, _ := domain.ParseDate(f[0], now)
		last, _ := domain.ParseDate(f[1], now)
		got, err := v.dates(now, time.UTC)
		if err != nil || !got.From.Equal(from) || !got.To.Equal(last.AddDate(0, 0, 1)) {
			t.Fatalf("parseStatsDates(%q) = %q: %v – %v, want %v – %v", in, p, got.From, got.To, from, last.AddDate(0, 0, 1))
		}
	})
}
