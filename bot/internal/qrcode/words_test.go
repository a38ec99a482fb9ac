package qrcode

import (
	"math/rand/v2"
	"testing"
)

// TestWordPenaltyIsThePenalty scores random symbols of every width the
// words take, and symbols with finder-like runs planted in them, both
// ways: as words and as go-qrcode's per-module loops.
func TestWordPenaltyIsThePenalty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 21; n < 64; n += 2 {
		for range 60 {
			s := &symbol{module: make([]bool, n*n), size: n}
			for i := range s.module {
				s.module[i] = rng.IntN(2) == 1
			}
			for range rng.IntN(6) { // a 1:1:3:1:1 run with light beside it, across or down
				x, y, across := rng.IntN(n), rng.IntN(n), rng.IntN(2) == 0
				for k, dark := range []bool{false, false, false, false, true, false, true, true, true, false, true, false, false, false, false} {
					if across && x+k < n {
						s.module[y*n+x+k] = dark
					} else if !across && y+k < n {
						s.module[(y+k)*n+x] = dark
					}
				}
			}
			want := s.penaltyScore(make([]bool, n*n))
			if got := linesOf(s.module, n).penalty(n); got != want {
				t.Fatalf("n=%d: %d as words, %d module by module", n, got, want)
			}
		}
	}
}

// TestFinderLikeIsThePlainWindow: finderLike says whether penalty3's
// register, were it never reset, would match anywhere in the line, which
// is what lets a line without it skip the walk.
func TestFinderLikeIsThePlainWindow(t *testing.T) {
	plain := func(w uint64, n int) bool {
		var window uint64
		for i := range n {
			window = window<<1 | w>>i&1
			if p := window & 0x7ff; p == 0x05d || p == 0x5d0 || i == n-1 && window&0x7f == 0x5d {
				return true
			}
		}
		return false
	}
	for n := 21; n <= 25; n++ {
		for i := range uint64(1 << 18) {
			w := i
			if i >= 1<<16 {
				w = (i * 0x9E3779B97F4A7C15) >> (64 - n)
			}
			if got, want := finderLike(w, n), plain(w, n); got != want {
				t.Fatalf("n=%d line %0*b: finderLike %v, the plain window %v", n, n, w, got, want)
			}
		}
	}
}
