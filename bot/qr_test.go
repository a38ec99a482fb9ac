package bot

import (
	"bytes"
	"image/png"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// TestQRIsTheLibrarysPicture: the PNG QR writes shows, pixel for pixel,
// what go-qrcode's own image of the same text shows.
func TestQRIsTheLibrarysPicture(t *testing.T) {
	for _, text := range []string{"https://t.me/loyaltytest_bot?start=c_AbCdEfGhIjKlMnOpQrStUvWxYz0123", "x"} {
		b, err := QR(text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		q, err := qrcode.New(text, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		want := q.Image(QRSize)
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%q: bounds %v, want %v", text, got.Bounds(), want.Bounds())
		}
		for y := range QRSize {
			for x := range QRSize {
				g, _, _, _ := got.At(x, y).RGBA()
				w, _, _, _ := want.At(x, y).RGBA()
				if g != w {
					t.Fatalf("%q: pixel (%d, %d) is %d, want %d", text, x, y, g, w)
				}
			}
		}
	}
}

func BenchmarkQR(b *testing.B) {
	for range b.N {
		if _, err := QR("https://t.me/loyaltytest_bot?start=c_AbCdEfGhIjKlMnOpQrStUvWxYz0123"); err != nil {
			b.Fatal(err)
		}
	}
}
