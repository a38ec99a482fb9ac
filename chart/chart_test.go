package chart

import (
	"bytes"
	"image/png"
	"math"
	"testing"
)

// TestPNGSize: a chart of two panels (bars and a line) decodes as a PNG
// of Width × Height, with Cyrillic titles.
func TestPNGSize(t *testing.T) {
	c := Chart{
		Labels: []string{"02.11", "09.11", "16.11"},
		Panels: []Panel{
			{Title: "Выручка", Series: []Series{{Name: "₽", Values: []float64{1200, 0, 35000.5}, Bars: true}}},
			{Title: "Средний чек", Series: []Series{{Name: "₽", Values: []float64{400, 0, 500}}}},
		},
	}
	b, err := PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != Width || s.Y != Height {
		t.Fatalf("size %v, want %dx%d", s, Width, Height)
	}
	if _, err := PNG(Chart{}); err == nil {
		t.Fatal("an empty chart was drawn")
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1 000", -1234567: "-1 234 567"} {
		if got := Grouped(n, ""); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Grouped(1234567, ","); got != "1,234,567" {
		t.Errorf("Grouped(1234567, \",\") = %q", got)
	}
}

// TestWholeTicks: ticks on a count axis are whole and distinct, about
// four of them, whatever the range.
func TestWholeTicks(t *testing.T) {
	for _, r := range [][2]float64{{0, 1.15}, {0, 3}, {0, 11.5}, {0, 1150}, {0, 123456}} {
		ts := wholeTicks{}.Ticks(r[0], r[1])
		if len(ts) < 2 || len(ts) > 6 {
			t.Errorf("%v: %d ticks", r, len(ts))
		}
		seen := map[string]bool{}
		for _, x := range ts {
			if x.Value != float64(int64(x.Value)) || seen[x.Label] {
				t.Errorf("%v: tick %v %q", r, x.Value, x.Label)
			}
			seen[x.Label] = true
		}
	}
}

// TestPNGLineGaps: a line's NaN (a week nobody rated) is left out, whether
// between values, at the ends, or everywhere (a shop without ratings).
func TestPNGLineGaps(t *testing.T) {
	n := math.NaN()
	for _, vs := range [][]float64{{4.5, n, 5}, {n, 3, n}, {n, n, n}} {
		c := Chart{Labels: []string{"02.11", "09.11", "16.11"},
			Panels: []Panel{{Title: "Stars", Max: 5, Fractions: true, Series: []Series{{Name: "stars", Values: vs}}}}}
		if _, err := PNG(c); err != nil {
			t.Errorf("%v: %v", vs, err)
		}
	}
}
