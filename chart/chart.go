// Package chart draws the owners' charts as PNG images for the chat, with
// gonum.org/v1/plot: a maintained pure-Go plotting library (no cgo, no
// system fonts: it embeds the Liberation fonts, which have Cyrillic), so
// the same binary draws the same picture on every machine. It knows
// nothing of the business: flows hand it labelled series.
package chart

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The size of every chart in pixels: sharp on a phone, well under
// Telegram's photo limits, and what the tests expect.
const (
	Width  = 1200
	Height = 800
)

// Series is one line (or set of bars) of a panel. Values are drawing
// coordinates: money comes in major units here, for the picture only. A
// line's NaN is a point without a value (a week nobody rated), left out.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	Bars   bool      `json:"bars,omitempty"`
}

// Panel is one plot of a chart, with its own y axis: revenue and the
// average receipt differ by orders of magnitude, so they get a panel each.
type Panel struct {
	Title  string   `json:"title"`
	Series []Series `json:"series"`
	// Max fixes the top of the y axis (5 for stars); 0 fits the data.
	Max float64 `json:"max,omitempty"`
	// Fractions labels the y axis with decimals (an average rating);
	// otherwise ticks fall on whole numbers (counts, money).
	Fractions bool `json:"fractions,omitempty"`
}

// Chart is panels stacked over a shared x axis of labels (weeks).
type Chart struct {
	Labels []string `json:"labels"`
	Panels []Panel  `json:"panels"`
	// Thousands separates the groups of three digits on the y axis as
	// the reader writes them ("," in English); "" is a space.
	Thousands string `json:"thousands,omitempty"`
}

// palette: the series' colours, distinguishable in print and for the
// common colour-blindnesses.
var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}

// The charts use the sans-serif face of the embedded Liberation fonts.
func init() {
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
}

// PNG draws c at Width × Height. Text is drawn with the embedded fonts, so
// a label must keep to letters, digits and common punctuation: a glyph
// they lack (the rouble sign) would show as nothing.
func PNG(c Chart) ([]byte, error) {
	if len(c.Panels) == 0 || len(c.Labels) == 0 {
		return nil, errors.New("chart: nothing to draw")
	}
	canvas := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, Width, Height))))
	dc := draw.New(canvas)
	plots := make([][]*plot.Plot, len(c.Panels))
	for i, p := range c.Panels {
		pl, err := panel(p, c.Labels, c.Thousands)
		if err != nil {
			return nil, err
		}
		plots[i] = []*plot.Plot{pl}
	}
	pad := vg.Points(12)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad * 2}
	for i, cv := range plot.Align(plots, tiles, dc) {
		plots[i][0].Draw(cv[0])
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas.Image()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func panel(p Panel, labels []string, thousands string) (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.Title.TextStyle.Font.Size = vg.Points(15)
	pl.X.Tick.Label.Font.Size = vg.Points(11)
	pl.Y.Tick.Label.Font.Size = vg.Points(11)
	pl.Y.Min = 0
	pl.Y.Tick.Marker = wholeTicks{thousands}
	if p.Fractions {
		pl.Y.Tick.Marker = plot.DefaultTicks{}
	}
	pl.Legend.Top = true
	pl.Legend.Left = true
	pl.Legend.TextStyle.Font.Size = vg.Points(11)
	pl.Add(plotter.NewGrid())
	var bars []*plotter.BarChart
	for i, s := range p.Series {
		if len(s.Values) != len(labels) {
			return nil, errors.New("chart: series " + s.Name + " does not match the labels")
		}
		col := palette[i%len(palette)]
		if s.Bars {
			b, err := plotter.NewBarChart(plotter.Values(s.Values), vg.Points(1))
			if err != nil {
				return nil, err
			}
			b.Color, b.LineStyle.Width = col, 0
			bars = append(bars, b)
			pl.Add(b)
			pl.Legend.Add(s.Name, b)
			continue
		}
		// A NaN is a week without a value (no ratings): the line breaks
		// there instead of dropping to 0.
		var runs []plotter.XYs
		var run plotter.XYs
		for j, v := range s.Values {
			if math.IsNaN(v) {
				if len(run) > 0 {
					runs, run = append(runs, run), nil
				}
				continue
			}
			run = append(run, plotter.XY{X: float64(j), Y: v})
		}
		if len(run) > 0 || len(runs) == 0 {
			runs = append(runs, run)
		}
		for k, xys := range runs {
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = col, vg.Points(2.5)
			pts.Color, pts.Radius = col, vg.Points(3)
			if len(xys) > 0 {
				pl.Add(l, pts)
			}
			if k == 0 {
				pl.Legend.Add(s.Name, l, pts)
			}
		}
	}
	// Bars of one week sit side by side within the week's slot.
	slot := vg.Points(float64(Width) * 0.45 / float64(len(labels)))
	for i, b := range bars {
		w := slot / vg.Length(len(bars))
		b.Width = w
		b.Offset = w*vg.Length(i) - slot/2 + w/2
	}
	pl.NominalX(labels...)
	// Every week has its place, drawn or not (a line left out at the ends).
	pl.X.Min, pl.X.Max = math.Min(pl.X.Min, 0), math.Max(pl.X.Max, float64(len(labels)-1))
	pl.Y.Max = math.Max(pl.Y.Max*1.15, 1) // room for the legend
	if p.Max > 0 {
		pl.Y.Max = p.Max * 1.15
	}
	return pl, nil
}

// wholeTicks labels the y axis at whole numbers in groups of three
// ("12 500" or "12,500", never "1.25e+04" nor "0.5"), about four of
// them; sep separates the groups ("": a space).
type wholeTicks struct{ sep string }

// Ticks implements plot.Ticker.
func (t wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, m := range []float64{1, 2, 5, 10} {
		if s := m * math.Pow(10, math.Floor(math.Log10(math.Max((hi-lo)/4, 1)))); s >= (hi-lo)/5 {
			step = s
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: Grouped(int64(math.Round(v)), t.sep)})
	}
	return ts
}

// Grouped writes n with sep between groups of three digits ("": a
// space).
func Grouped(n int64, sep string) string {
	if sep == "" {
		sep = " "
	}
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, sep...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
