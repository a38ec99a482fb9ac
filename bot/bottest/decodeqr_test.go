package bottest

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/bot"
)

// TestDecodeQRReadsTheBotsPictures: links whose version 4 codes zxing's
// finder-pattern search misread (a referral test failed now and then with
// random codes; zbarimg reads all of them) come back whole.
func TestDecodeQRReadsTheBotsPictures(t *testing.T) {
	for _, payload := range []string{"r_es6teuqdbn", "r_ish6n9hm47", "r_gd69t2bzau", "r_aaaaaaaaaa"} {
		link := "https://t.me/loyaltytest_bot?start=" + payload
		png, err := bot.QR(link)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := DecodeQR(png); err != nil || got != link {
			t.Errorf("DecodeQR(QR(%q)) = %q, %v", link, got, err)
		}
	}
	if _, err := DecodeQR(nil); err == nil {
		t.Error("DecodeQR(nil): no error")
	}
}
