package bot

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image/png"
	"io"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
	qrcode "github.com/skip2/go-qrcode"
)

// TestQRIsTheLibrarysPicture: the PNG QR writes shows, pixel for pixel,
// what go-qrcode's own image of the same text shows (the upstream module's,
// not internal/qrcode's fork).
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

// FuzzQRPNG draws random module bitmaps at random sizes: the PNG decodes
// (image/png checks every chunk's CRC), its zlib stream inflates to exactly
// the rows expected, filter byte and all, and its Adler-32 holds (zlib
// checks it at the end of the stream).
func FuzzQRPNG(f *testing.F) {
	f.Add(uint8(0), uint16(512), []byte("a card"))
	f.Add(uint8(12), uint16(41), []byte{0xff, 0, 0x55})
	f.Add(uint8(36), uint16(600), []byte{})
	f.Fuzz(func(t *testing.T, extra uint8, size uint16, seed []byte) {
		n := 21 + int(extra)%40
		bitmap := make([][]bool, n)
		for y := range bitmap {
			bitmap[y] = make([]bool, n)
			for x := range bitmap[y] {
				if len(seed) > 0 {
					i := (y*n + x) % (8 * len(seed))
					bitmap[y][x] = seed[i/8]>>(i%8)&1 == 1
				}
			}
		}
		b := qrPNG(bitmap, int(size)%700)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("n=%d size=%d: %v", n, size, err)
		}
		side := img.Bounds().Dx()
		if side != max(int(size)%700, n) || img.Bounds().Dy() != side {
			t.Fatalf("n=%d size=%d: bounds %v", n, size, img.Bounds())
		}
		per := float64(n) / float64(side)
		stride := (side + 7) / 8
		want := make([]byte, 0, side*(stride+1))
		for y := range side {
			row := make([]byte, stride+1)
			for x := range side {
				dark := bitmap[int(float64(y)*per)][int(float64(x)*per)]
				if g, _, _, _ := img.At(x, y).RGBA(); (g == 0) != dark {
					t.Fatalf("n=%d size=%d: pixel (%d, %d) grey %d, module dark %v", n, size, x, y, g, dark)
				}
				if !dark {
					row[1+x/8] |= 0x80 >> (x % 8)
				}
			}
			want = append(want, row...)
		}
		// The IDAT chunk starts after the signature (8) and IHDR (25).
		idat := b[8+25:]
		l := binary.BigEndian.Uint32(idat)
		zr, err := zlib.NewReader(bytes.NewReader(idat[8 : 8+l]))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("n=%d size=%d: inflate: %v", n, size, err)
		}
		if !bytes.Equal(raw, want) {
			t.Fatalf("n=%d size=%d: %d bytes inflated, want %d (or different)", n, size, len(raw), len(want))
		}
	})
}

// TestDeflaterCopies: a row and any number of copies of it inflate back to
// the row repeated, whatever rest is left after the 258-byte copies (a copy
// is 3 bytes at least).
func TestDeflaterCopies(t *testing.T) {
	for _, rowLen := range []int{4, 5, 65, 70, 258, 259} {
		row := make([]byte, rowLen)
		for i := range row {
			row[i] = byte(i*37 + rowLen)
		}
		for k := range 40 {
			var z deflater
			z.out = []byte{0x78, 0x01}
			z.adlerA = 1
			z.bits(3, 3)
			z.literals(row)
			z.copies(k, rowLen, row)
			z.code(256)
			z.flush()
			z.out = binary.BigEndian.AppendUint32(z.out, uint32(z.adlerB<<16|z.adlerA))
			zr, err := zlib.NewReader(bytes.NewReader(z.out))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("row of %d, %d copies: %v", rowLen, k, err)
			}
			if want := bytes.Repeat(row, k+1); !bytes.Equal(got, want) {
				t.Fatalf("row of %d, %d copies: %d bytes back, want %d", rowLen, k, len(got), len(want))
			}
		}
	}
}
