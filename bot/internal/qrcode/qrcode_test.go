package qrcode

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	upstream "github.com/skip2/go-qrcode"
)

// sameAsGoQRCode fails unless content at level draws the very bitmap
// go-qrcode draws, or both refuse it.
func sameAsGoQRCode(t *testing.T, content string, level RecoveryLevel) {
	t.Helper()
	want, werr := upstream.New(content, upstream.RecoveryLevel(level))
	got, gerr := New(content, level)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q level %d: error %v, go-qrcode's %v", content, level, gerr, werr)
	}
	if werr != nil {
		return
	}
	if got.VersionNumber != want.VersionNumber {
		t.Fatalf("%q level %d: version %d, go-qrcode's %d", content, level, got.VersionNumber, want.VersionNumber)
	}
	g, w := got.Bitmap(), want.Bitmap()
	if len(g) != len(w) {
		t.Fatalf("%q level %d: %d rows, go-qrcode's %d", content, level, len(g), len(w))
	}
	for y := range w {
		if len(g[y]) != len(w[y]) {
			t.Fatalf("%q level %d: row %d has %d modules, go-qrcode's %d", content, level, y, len(g[y]), len(w[y]))
		}
		for x := range w[y] {
			if g[y][x] != w[y][x] {
				t.Fatalf("%q level %d (version %d): module (%d, %d) differs from go-qrcode's", content, level, want.VersionNumber, x, y)
			}
		}
	}
}

// TestBitmapIsGoQRCodes draws what the bot draws (card, referral and
// invite links) and a spread of contents over every version, mode mix and
// level, and compares each bitmap with go-qrcode's, module by module.
func TestBitmapIsGoQRCodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabets := []string{
		"0123456789",
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:",
		"abcdefghijklmnopqrstuvwxyz0123456789-_",
		"abcXYZ019 $:%/_-~?=&#",
		"привет мир 0123 ABC",
	}
	var contents []string
	for _, bot := range []string{"shop_loyalty_bot", "a_bot", "LoyaltyBotForTheCornerCoffeeShop_bot"} {
		for _, p := range []string{"c_", "r_", "i_", "s_"} {
			for range 8 {
				contents = append(contents, "https://t.me/"+bot+"?start="+p+randomFrom(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 16+rng.IntN(12)))
			}
		}
	}
	for _, n := range []int{1, 2, 3, 7, 14, 17, 20, 25, 32, 41, 47, 53, 62, 77, 78, 100, 127, 154, 200, 271, 300, 400, 600, 900, 1200, 1700, 2300} {
		for _, a := range alphabets {
			contents = append(contents, randomFrom(rng, a, n))
		}
	}
	contents = append(contents, "", strings.Repeat("9", 7089), strings.Repeat("9", 7090), strings.Repeat("x", 2953), strings.Repeat("x", 2954))
	levels := []RecoveryLevel{Low, Medium, High, Highest}
	versions := map[int]bool{}
	for i, c := range contents {
		level := levels[i%len(levels)]
		if strings.HasPrefix(c, "https://") {
			level = Medium // the bot's level
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { sameAsGoQRCode(t, c, level) })
		if q, err := New(c, level); err == nil {
			versions[q.VersionNumber] = true
		}
	}
	if len(versions) < 30 {
		t.Fatalf("the contents cover %d versions of 40; the comparison needs more of them", len(versions))
	}
}

func randomFrom(rng *rand.Rand, alphabet string, n int) string {
	r := []rune(alphabet)
	var b strings.Builder
	for range n {
		b.WriteRune(r[rng.IntN(len(r))])
	}
	return b.String()
}

// FuzzBitmapIsGoQRCodes compares any content at any level with
// go-qrcode's bitmap.
func FuzzBitmapIsGoQRCodes(f *testing.F) {
	f.Add("https://t.me/shop_loyalty_bot?start=c_AQKq3mZxY0b1-Rt_9sPw", uint8(1))
	f.Add("0123456789012345678901234567890123456789", uint8(0))
	f.Add("HELLO WORLD 1234 hello", uint8(3))
	f.Add("\x00\xff€", uint8(2))
	f.Fuzz(func(t *testing.T, content string, level uint8) {
		if len(content) > 600 { // larger versions: slow for both, covered above
			return
		}
		sameAsGoQRCode(t, content, RecoveryLevel(level%4))
	})
}

func BenchmarkNew(b *testing.B) {
	const link = "https://t.me/shop_loyalty_bot?start=c_AQKq3mZxY0b1-Rt_9sPwQ1"
	b.Run("fork", func(b *testing.B) {
		for range b.N {
			q, _ := New(link, Medium)
			q.Bitmap()
		}
	})
	b.Run("go-qrcode", func(b *testing.B) {
		for range b.N {
			q, _ := upstream.New(link, upstream.Medium)
			q.Bitmap()
		}
	})
}
