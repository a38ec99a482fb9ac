package flows_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// contactWindow reads a customer's stored window ("" for none).
func contactWindow(t *testing.T, h *bottest.Harness, tgID int64) string {
	t.Helper()
	var w string
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT coalesce(contact_from || '-' || contact_to, '')
		FROM customers WHERE telegram_id = $1`, tgID).Scan(&w); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestSettingsPresetsAndAWindowOfOnesOwn: /settings shows "any time" and
// the presets; a preset is saved at the tap and ticked in place; a typed
// window is checked (not a time, too short, all in the quiet hours) and
// saved; "any time" clears it; the export carries it.
func TestSettingsPresetsAndAWindowOfOnesOwn(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges)
	anna := join(t, h, 101, "Anna")
	anna.Note("/settings").Send("/settings")
	if text := anna.Last().Text; !strings.Contains(text, "We may write to you: any time") || !strings.Contains(text, "between 21:00 and 10:00") {
		t.Fatalf("/settings:\n%s", text)
	}
	settingsID := anna.Last().ID
	anna.Tap("🌆 Evening 18:00–21:00")
	if w := contactWindow(t, h, 101); w != "1080-1260" {
		t.Fatalf("evening saved as %q", w)
	}
	if m := anna.Last(); m.ID != settingsID || !strings.Contains(m.Text, "We may write to you: 18:00–21:00 (your store's time)") || !hasButton(anna, "✅ 🌆 Evening 18:00–21:00") {
		t.Fatalf("the preset is not shown in place:\n%s", anna.Transcript())
	}

	anna.Note("a window of her own").Tap("✏️ Other time…").
		Send("after lunch").
		Send("10:00-10:30").
		Send("22-09")
	for _, want := range []string{"I didn't understand the time", "at least an hour", "We never write between 21:00 and 10:00"} {
		if !strings.Contains(anna.Transcript(), want) {
			t.Fatalf("no %q:\n%s", want, anna.Transcript())
		}
	}
	if w := contactWindow(t, h, 101); w != "1080-1260" {
		t.Fatalf("bad input changed the window to %q", w)
	}
	anna.Send("с 10 до 20")
	if w := contactWindow(t, h, 101); w != "600-1200" {
		t.Fatalf("typed window saved as %q", w)
	}
	if text := anna.Last().Text; !strings.Contains(text, "Saved: we will write to you 10:00–20:00") {
		t.Fatalf("not confirmed:\n%s", anna.Transcript())
	}
	anna.Note("a forged preset").
		Callback(anna.Last().ID, "x:settings:w:night", "a preset that does not exist")
	if w := contactWindow(t, h, 101); w != "600-1200" {
		t.Fatalf("a forged preset changed the window to %q", w)
	}
	anna.Send("/privacy").Tap("📦 Download my data")
	var export struct {
		Profile struct {
			Window string `json:"contact_window"`
		} `json:"profile"`
	}
	if doc := anna.Last().Document; doc == nil || json.Unmarshal(doc.Data, &export) != nil || export.Profile.Window != "10:00-20:00" {
		t.Fatalf("the export lacks the window: %+v", anna.Last())
	}
	anna.Send("/settings").Tap("🕐 Any time")
	if w := contactWindow(t, h, 101); w != "" {
		t.Fatalf("any time stored as %q", w)
	}
	bottest.Golden(t, "settings", anna.Transcript())
}

// TestSettingsBackAndLanguage: Back returns to the presets without a
// change; the language button offers the languages.
func TestSettingsBackAndLanguage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := join(t, h, 101, "Anna")
	anna.Send("/settings").Tap("✏️ Other time…").Tap("↩ Back")
	if !hasButton(anna, "🌅 Morning 09:00–12:00") || contactWindow(t, h, 101) != "" {
		t.Fatalf("Back:\n%s", anna.Transcript())
	}
	anna.Send("hello")
	if strings.Contains(anna.Last().Text, "didn't understand the time") {
		t.Fatal("the flow went on after Back")
	}
	anna.Send("/settings").Tap("🌐 Language").Tap("🇷🇺 Русский").Send("/settings")
	if !strings.Contains(anna.Last().Text, "Мы можем писать вам: в любое время") {
		t.Fatalf("after the language change:\n%s", anna.Transcript())
	}
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/settings")
	if strings.Contains(bob.Transcript(), "We may write to you") {
		t.Fatalf("a stranger saw the settings:\n%s", bob.Transcript())
	}
}

// TestNudgeWaitsForTheCustomersWindow: Anna chose evenings; her win-back
// falls due at 15:00 Moscow time and goes out at 18:00, not before.
func TestNudgeWaitsForTheCustomersWindow(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	anna.Send("/settings").Tap("🌆 Evening 18:00–21:00")
	buy(t, anna, cashier)
	h.Clock.Advance(time.Hour)
	runNudges(t, h)                              // the welcome (a service message) waits too
	h.Clock.Advance(30*24*time.Hour - time.Hour) // 22 December, 15:00 in Moscow
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v, want the win-back recorded", rep)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	var sendAt time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT send_at FROM nudges WHERE rule = 'winback'`).Scan(&sendAt); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 22, 18, 0, 0, 0, moscow); !sendAt.Equal(want) {
		t.Fatalf("send at %s, want %s", sendAt.In(moscow), want)
	}
	h.Clock.Advance(3*time.Hour - time.Minute)
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatal("sent before the customer's window")
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	if got(anna.Sync(), "We miss you") != 1 {
		t.Fatalf("not sent when the window opened:\n%s", anna.Transcript())
	}
}

// TestFeedbackRequestWaitsForTheCustomersWindow: Anna chose mornings; her
// visit at 15:00 is asked about at 09:00 the next day, not at 17:00.
func TestFeedbackRequestWaitsForTheCustomersWindow(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/settings").Tap("🌅 Morning 09:00–12:00")
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour)
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	var due time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT due_at FROM feedback_requests`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, moscow); !due.Equal(want) {
		t.Fatalf("request due %s, want %s", due.In(moscow), want)
	}
	if got(anna.Sync(), "How was your visit to") != 0 {
		t.Fatal("asked outside the customer's window")
	}
}

// TestSettingsWindowAsPeopleTypeIt: "с 10 по 20" and "from 10 till 20"
// are windows, and "00:00-24:00" is the whole day (any time), not "too
// short a time".
func TestSettingsWindowAsPeopleTypeIt(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := join(t, h, 101, "Anna")
	anna.Send("/settings").Tap("✏️ Other time…").Send("с 10 по 20")
	if w := contactWindow(t, h, 101); w != "600-1200" {
		t.Fatalf("window %q after “с 10 по 20”:\n%s", w, anna.Transcript())
	}
	anna.Send("/settings").Tap("✏️ Other time…").Send("from 9 till 18")
	if w := contactWindow(t, h, 101); w != "540-1080" {
		t.Fatalf("window %q after “from 9 till 18”:\n%s", w, anna.Transcript())
	}
	anna.Send("/settings").Tap("✏️ Other time…").Send("00:00-24:00")
	if strings.Contains(anna.Transcript(), "too short") || strings.Contains(anna.Transcript(), "didn't understand") {
		t.Fatalf("a window typed as people say it was refused:\n%s", anna.Transcript())
	}
	if w := contactWindow(t, h, 101); w != "" {
		t.Fatalf("the whole day stored as %q, want any time", w)
	}
}

// TestSettingsWindowInRussianAndUzbek: the windows an Uzbek and a Russian
// customer type as they say them are saved ("soat 10 dan 20 gacha",
// "19dan keyin", "с 10 до 20 часов"), and what is no time is refused in
// their language.
func TestSettingsWindowInRussianAndUzbek(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withUzbek)
	dilnoza := h.Chat(150, "Dilnoza", "uz")
	dilnoza.Send("/start s_central").Tap("✅ Roziman").ShareContact("+998901234567").Tap("Dilnoza").Tap("Ha, albatta")
	for _, tc := range []struct{ typed, want string }{
		{"soat 10 dan 20 gacha", "600-1200"},
		{"10-20 gacha", "600-1200"},
		{"19dan keyin", "1140-0"},
	} {
		dilnoza.Send("/settings").Tap("✏️ Boshqa vaqt…").Send(tc.typed)
		if w := contactWindow(t, h, 150); w != tc.want {
			t.Fatalf("%q saved as %q, want %q:\n%s", tc.typed, w, tc.want, dilnoza.Transcript())
		}
	}
	dilnoza.Send("/settings").Tap("✏️ Boshqa vaqt…").Send("kechqurun")
	if !strings.Contains(dilnoza.Last().Text, "Vaqtni tushunmadim") {
		t.Fatalf("no refusal in Uzbek:\n%s", dilnoza.Transcript())
	}

	vera := h.Chat(151, "Вера", "ru")
	vera.Send("/start s_central").Tap("✅ Согласен(на)").ShareContact("+79990000151").Tap("Вера").Tap("Нет, спасибо")
	for _, tc := range []struct{ typed, want string }{
		{"с 10 до 20 часов", "600-1200"},
		{"с 9 утра до 6 вечера", "540-1080"},
		{"после 19", "1140-0"},
		{"до 12", "0-720"},
	} {
		vera.Send("/settings").Tap("✏️ Другое время…").Send(tc.typed)
		if w := contactWindow(t, h, 151); w != tc.want {
			t.Fatalf("%q saved as %q, want %q:\n%s", tc.typed, w, tc.want, vera.Transcript())
		}
	}
}

// TestSettingsWindowOnATwelveHourClock: "с 9 до 5" from a shop's
// customer is 09:00-17:00, not a night from 9 in the morning to 5 the
// next; a night typed on a 24-hour clock ("с 22 до 7") stays a night.
func TestSettingsWindowOnATwelveHourClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	vera := h.Chat(151, "Вера", "ru")
	vera.Send("/start s_central").Tap("✅ Согласен(на)").ShareContact("+79990000151").Tap("Вера").Tap("Нет, спасибо")
	for _, tc := range []struct{ typed, want, shown string }{
		{"с 9 до 5", "540-1020", "09:00–17:00"},
		{"8-6", "480-1080", "08:00–18:00"},
		{"с 22 до 7", "1320-420", "22:00–07:00"},
	} {
		vera.Send("/settings").Tap("✏️ Другое время…").Send(tc.typed)
		if w := contactWindow(t, h, 151); w != tc.want || !strings.Contains(vera.Last().Text, tc.shown) {
			t.Fatalf("%q saved as %q, want %q (%s):\n%s", tc.typed, w, tc.want, tc.shown, vera.Transcript())
		}
	}
}

// TestSettingsWindowNineToNine: "с 9 до 9", as shops write their hours,
// is 09:00-21:00 on the 12-hour clock "с 9 до 5" is read on, not "the
// same time twice"; "9pm-9" stays a night.
func TestSettingsWindowNineToNine(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	vera := h.Chat(152, "Вера", "ru")
	vera.Send("/start s_central").Tap("✅ Согласен(на)").ShareContact("+79990000152").Tap("Вера").Tap("Нет, спасибо")
	for _, tc := range []struct{ typed, want, shown string }{
		{"с 9 до 9", "540-1260", "09:00–21:00"},
		{"8-8", "480-1200", "08:00–20:00"},
		{"9pm-9", "1260-540", "21:00–09:00"},
	} {
		vera.Send("/settings").Tap("✏️ Другое время…").Send(tc.typed)
		if w := contactWindow(t, h, 152); w != tc.want || !strings.Contains(vera.Last().Text, tc.shown) {
			t.Fatalf("%q saved as %q, want %q (%s):\n%s", tc.typed, w, tc.want, tc.shown, vera.Transcript())
		}
	}
}

// TestWaitingNudgeFollowsAChangedWindow: Anna chose evenings; her win-back
// falls due at 15:00 and waits for 18:00. At 16:00 she changes her window
// to mornings: the waiting nudge does not go out at 18:00, outside the
// window she now has, but at 10:00 the next morning (her window within
// the shop's quiet hours, 21:00-10:00), and its record says so.
func TestWaitingNudgeFollowsAChangedWindow(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	anna.Send("/settings").Tap("🌆 Evening 18:00–21:00")
	buy(t, anna, cashier)
	h.Clock.Advance(time.Hour)
	runNudges(t, h)
	h.Clock.Advance(30*24*time.Hour - time.Hour) // 22 December, 15:00 in Moscow
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v, want the win-back recorded", rep)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	h.Clock.Advance(time.Hour) // 16:00
	anna.Send("/settings").Tap("🌅 Morning 09:00–12:00")
	h.Clock.Advance(2 * time.Hour) // 18:00, the old window's start
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatalf("sent at 18:00, outside the morning window she chose:\n%s", anna.Transcript())
	}
	var sendAt time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT send_at FROM nudges WHERE rule = 'winback'`).Scan(&sendAt); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 23, 10, 0, 0, 0, moscow); !sendAt.Equal(want) {
		t.Fatalf("recorded as sent at %s, want %s", sendAt.In(moscow), want)
	}
	h.Clock.Advance(16*time.Hour - time.Minute) // 09:59 the next day
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatal("sent before the new window opened")
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	if got(anna.Sync(), "We miss you") != 1 {
		t.Fatalf("not sent when the new window opened:\n%s", anna.Transcript())
	}
}

// TestWaitingFeedbackRequestFollowsAChangedWindow: Anna chose evenings;
// her visit at 15:00 is asked about at 18:00. At 17:30 she changes her
// window to mornings: the request waiting in the outbox does not go out
// at 18:00, in the window she gave up, but at 09:00 the next morning, and
// its record says so. Bob chose mornings; his request waits for 09:00
// until at 18:30 he switches to evenings: it goes at once, the new window
// being open and the visit's two hours long past.
func TestWaitingFeedbackRequestFollowsAChangedWindow(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/settings").Tap("🌆 Evening 18:00–21:00")
	bob := join(t, h, 102, "Bob")
	bob.Send("/settings").Tap("🌅 Morning 09:00–12:00")
	buy(t, anna, cashier)
	buy(t, bob, cashier)
	h.Clock.Advance(2 * time.Hour) // 17:00
	if n := runFeedbackJob(t, h); n != 2 {
		t.Fatalf("the job queued %d requests, want 2", n)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	dueOf := func(chatID int64) time.Time {
		t.Helper()
		var due time.Time
		if err := h.DB.Pool().QueryRow(t.Context(), `SELECT r.due_at FROM feedback_requests r
			JOIN customers c ON c.id = r.customer_id WHERE c.chat_id = $1`, chatID).Scan(&due); err != nil {
			t.Fatal(err)
		}
		return due
	}
	h.Clock.Advance(30 * time.Minute) // 17:30
	anna.Send("/settings").Tap("🌅 Morning 09:00–12:00")
	h.Clock.Advance(30 * time.Minute) // 18:00, her old window's start
	h.Settle()
	if got(anna.Sync(), "How was your visit to") != 0 {
		t.Fatalf("asked at 18:00, outside the morning window she chose:\n%s", anna.Transcript())
	}
	if due, want := dueOf(101), time.Date(2026, 11, 23, 9, 0, 0, 0, moscow); !due.Equal(want) {
		t.Fatalf("Anna's request due %s, want %s", due.In(moscow), want)
	}
	h.Clock.Advance(30 * time.Minute) // 18:30
	bob.Send("/settings").Tap("🌆 Evening 18:00–21:00")
	h.Settle()
	if got(bob.Sync(), "How was your visit to") != 1 {
		t.Fatalf("Bob was not asked in the evening window he chose:\n%s", bob.Transcript())
	}
	if due, want := dueOf(102), time.Date(2026, 11, 22, 18, 30, 0, 0, moscow); !due.Equal(want) {
		t.Fatalf("Bob's request due %s, want %s", due.In(moscow), want)
	}
	h.Clock.Advance(14*time.Hour + 29*time.Minute) // 08:59 the next day
	h.Settle()
	if got(anna.Sync(), "How was your visit to") != 0 {
		t.Fatal("Anna asked before her new window opened")
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	if got(anna.Sync(), "How was your visit to") != 1 {
		t.Fatalf("Anna not asked when her new window opened:\n%s", anna.Transcript())
	}
}
