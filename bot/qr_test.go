package bot

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
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

// cardLink is a card QR's text as the bot makes it, for a bot name of 15
// chars (the playground's) and a shop's two-millionth card.
func cardLink(t testing.TB) string {
	s, err := domain.NewCardSigner([]byte("0123456789abcdef-qr-test"), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return flows.CardLink("loyaltydemo_bot", s.Token(2_000_000, time.Now()))
}

// TestCardQRIsVersion4: the card's link fits a 33-module QR at level M
// (62 bytes). One more byte makes it a 37-module one: finer to scan across
// a counter and 1.8 times the CPU to draw, on the bot's most frequent
// answer (see domain.CardSigner.Token).
func TestCardQRIsVersion4(t *testing.T) {
	link := cardLink(t)
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	if q.VersionNumber > 4 {
		t.Fatalf("%q (%d bytes) is a version %d QR, want 4", link, len(link), q.VersionNumber)
	}
}

func BenchmarkQR(b *testing.B) {
	link := cardLink(b)
	for range b.N {
		if _, err := QR(link); err != nil {
			b.Fatal(err)
		}
	}
}
