package main

import (
	"testing"
	"time"
)

// TestLatencyQuantilesAreWithinABucket checks the load report's fixed-size
// histogram against exact quantiles: each within 2 % above the true one,
// the maximum exact, whatever the number of samples.
func TestLatencyQuantilesAreWithinABucket(t *testing.T) {
	var l latencies
	if pct(l, .5) != 0 {
		t.Errorf("an empty histogram's median is %v, want 0", pct(l, .5))
	}
	for i := 1; i <= 10_000; i++ { // 1 ms … 10 s, evenly
		l.add(time.Duration(i) * time.Millisecond)
	}
	l.add(10 * time.Microsecond) // below the first bucket
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{.5, 5000 * time.Millisecond}, {.95, 9500 * time.Millisecond}, {.99, 9900 * time.Millisecond}} {
		got := pct(l, c.q)
		if got < c.want-time.Millisecond || float64(got) > float64(c.want)*1.021 {
			t.Errorf("p%v = %v, want %v (at most 2 %% above)", c.q*100, got, c.want)
		}
	}
	if got := pct(l, 1); got != 10*time.Second {
		t.Errorf("max = %v, want 10s", got)
	}
	if l.n != 10_001 {
		t.Errorf("n = %d, want 10001", l.n)
	}
}
