package main

import (
	"strings"
	"testing"
)

// The memory verdict is the live heap's: an RSS that rises with the
// garbage between collections is not a leak, a live heap that climbs is.
func TestMemoryVerdictFollowsTheLiveHeap(t *testing.T) {
	const mb = 1 << 20
	run := func(rss, live func(i int) uint64) string {
		var r chatReport
		for i := range 9 {
			r.Samples = append(r.Samples, chatSample{RSS: rss(i), Heap: 40 * mb, Live: live(i)})
		}
		return r.memory()
	}
	swinging := func(i int) uint64 { return uint64(100+2*i) * mb } // +5.6 % from the middle third to the last: GROWING by RSS
	steady := func(int) uint64 { return 13 * mb }
	climbing := func(i int) uint64 { return uint64(13+i) * mb }

	if got := run(swinging, steady); !strings.Contains(got, ": flat;") || !strings.Contains(got, "RSS 108.0 → 114.0 MiB (+5.6 %)") {
		t.Errorf("RSS swinging over a steady live heap: %s", got)
	}
	if got := run(steady, climbing); !strings.Contains(got, "GROWING") {
		t.Errorf("a live heap climbing by a MiB a sample: %s", got)
	}
	// Less than a MiB of growth is noise in a small heap, whatever the percentage.
	small := func(i int) uint64 { return 4*mb + uint64(i)*100<<10 }
	if got := run(steady, small); strings.Contains(got, "GROWING") {
		t.Errorf("a few hundred KiB: %s", got)
	}
}
