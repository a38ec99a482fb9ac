package flows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withStoreDetails gives Central an address in two languages, a phone,
// a week with a lunch break on Saturday, a day that differs and a place
// on the map; River is open round the clock and has no place.
func withStoreDetails(b *domain.Business) {
	hours, err := domain.ParseOpeningHours([]string{"mon-fri 08:00-22:00", "sat 10:00-14:00, 15:00-18:00",
		"2026-11-24 12:00-22:00", "01-01 closed"})
	if err != nil {
		panic(err)
	}
	always, err := domain.ParseOpeningHours([]string{"daily 24h"})
	if err != nil {
		panic(err)
	}
	b.Stores[0].Address = map[string]string{"en": "7 Tverskaya St, Moscow", "ru": "Москва, Тверская ул., 7"}
	b.Stores[0].Phone = "+7 495 123-45-67"
	b.Stores[0].Hours = hours
	b.Stores[0].Location = &domain.GeoPoint{LatE6: 55_757_500, LonE6: 37_612_900}
	b.Stores[1].Address = map[string]string{"": "12 Embankment"}
	b.Stores[1].Hours = always
}

// TestStoresTellWhereAndWhen: anyone, a member or someone half way
// through joining, reads where the shops are and whether each is open
// at the store's own time: closed on Sunday and opening tomorrow, about
// to close, the lunch break, a day that differs; the map button sends
// the pin; the question the person was at is asked again after.
func TestStoresTellWhereAndWhen(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withStoreDetails)
	start := h.Clock.Now() // Sunday 22.11.2026, 15:00 in Moscow
	at := func(d time.Duration) { h.Clock.Advance(start.Add(d).Sub(h.Clock.Now())) }

	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start").Note("half way through joining, she asks where the shops are").Send("/stores")
	list := anna.U.Messages()[len(anna.U.Messages())-2]
	for _, want := range []string{"7 Tverskaya St, Moscow\n🔴 Closed, opens tomorrow at 08:00\nMon–Fri 08:00–22:00 · Sat 10:00–14:00, 15:00–18:00 · Sun closed\nSpecial hours: 24.11 12:00–22:00\n☎️ +7 495 123-45-67",
		"🏪 River\n12 Embankment\n🟢 Open 24 hours\nDaily 24 hours"} {
		if !strings.Contains(list.Text, want) {
			t.Fatalf("/stores lacks %q:\n%s", want, anna.Transcript())
		}
	}
	if !strings.Contains(anna.Last().Text, "personal data") {
		t.Fatalf("the consent is not asked again after /stores:\n%s", anna.Transcript())
	}
	anna.Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("Yes, please")

	anna.Note("Monday 21:40 in Moscow")
	at(24*time.Hour + 6*time.Hour + 40*time.Minute)
	anna.Send("/stores")
	if !strings.Contains(anna.Last().Text, "🟡 Open until 22:00: closes in 20 min") {
		t.Fatalf("about to close:\n%s", anna.Last().Text)
	}
	anna.Note("Monday 23:00: closed, and Tuesday differs")
	at(24*time.Hour + 8*time.Hour)
	anna.Send("/stores")
	if !strings.Contains(anna.Last().Text, "🔴 Closed, opens tomorrow at 12:00") {
		t.Fatalf("Tuesday's opening that differs:\n%s", anna.Last().Text)
	}
	anna.Note("Saturday 14:30, the lunch break")
	at(6*24*time.Hour - 30*time.Minute)
	anna.Send("/stores")
	if !strings.Contains(anna.Last().Text, "🔴 Closed, opens at 15:00") {
		t.Fatalf("the lunch break:\n%s", anna.Last().Text)
	}
	anna.Tap("📍 Central on the map")
	if v := anna.Last().Venue; v == nil || v.Title != "Central" || v.Address != "7 Tverskaya St, Moscow" ||
		fmt.Sprintf("%.6f, %.6f", v.Latitude, v.Longitude) != "55.757500, 37.612900" {
		t.Fatalf("the map pin: %+v\n%s", v, anna.Transcript())
	}
	before := len(anna.U.Messages())
	anna.SignedCallback(anna.Last().ID, "x:venue:moon", "the pin of a store no longer in the config")
	if len(anna.U.Messages()) != before {
		t.Fatalf("a store that is gone sent something:\n%s", anna.Transcript())
	}
	bottest.Golden(t, "stores", anna.Transcript())

	boris := h.Chat(102, "Борис", "ru")
	boris.Send("/stores")
	if !strings.Contains(boris.Last().Text, "Москва, Тверская ул., 7\n🔴 Закрыто, откроется в 15:00\nпн–пт 08:00–22:00 · сб 10:00–14:00, 15:00–18:00 · вс выходной") ||
		!strings.Contains(boris.Last().Text, "12 Embankment\n🟢 Открыто круглосуточно") {
		t.Fatalf("/stores in Russian:\n%s", boris.Transcript())
	}
}

// TestStoresByThePage: a chain's list goes six stores a message, the
// arrows turning the page in place; a store with a place but no address
// sends a bare location.
func TestStoresByThePage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) {
		for i := 3; i <= 8; i++ {
			b.Stores = append(b.Stores, domain.StoreConfig{Code: fmt.Sprintf("s%d", i), Name: fmt.Sprintf("Store %d", i), TimeZone: "Europe/Moscow"})
		}
		b.Stores[2].Location = &domain.GeoPoint{LatE6: -33_868_819, LonE6: 151_209_295}
	})
	c := h.Chat(101, "Anna", "en")
	c.Send("/stores")
	first := c.Last()
	if strings.Contains(first.Text, "Store 7") || !strings.Contains(first.Text, "Store 6") ||
		strings.Join(first.Buttons(), "|") != "📍 Store 3 on the map|2/2 ▶" {
		t.Fatalf("the first page: %q %v", first.Text, first.Buttons())
	}
	c.Tap("📍 Store 3 on the map")
	if v := c.Last().Venue; v == nil || v.Title != "" || v.Latitude > -33.86 || v.Longitude < 151.2 {
		t.Fatalf("a place without an address: %+v\n%s", v, c.Transcript())
	}
	c.TapOld(first.ID, "2/2 ▶")
	if page := c.U.Messages()[len(c.U.Messages())-2]; page.ID != first.ID || !strings.Contains(page.Text, "Store 8") || strings.Contains(page.Text, "Store 6") ||
		strings.Join(page.Buttons(), "|") != "◀ 1/2" {
		t.Fatalf("the second page, in place: %q %v\n%s", page.Text, page.Buttons(), c.Transcript())
	}
}

// TestStoresWithoutDetails: a shop that gave no address, hours or phone
// says so rather than listing bare names as if that were all.
func TestStoresWithoutDetails(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(101, "Anna", "en")
	c.Send("/stores")
	if want := "📍 Test Coffee: our shops\n\n🏪 Central\n\n🏪 River\n\nWe have not put our addresses and opening hours here yet: ask at the register."; c.Last().Text != want {
		t.Fatalf("/stores without details: %q", c.Last().Text)
	}
}
