package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestDatesTypedAsPeopleWriteThem: a birthday typed with an Uzbek month
// in the Cyrillic script ("12 апрел 1990") and a date typed with slashes
// ("12/03/2015", day first as with dots) are read; a plain date in the
// year 9999 is refused in the customer's language, like a birthday more
// than 120 years ago.
func TestDatesTypedAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	tx := func(en string) map[string]string {
		return map[string]string{"en": en, "ru": en + " (ru)", "uz": en + " (uz)"}
	}
	h := bottest.New(t, withUzbek, withPresets("basic"), func(b *domain.Business) {
		b.Questionnaire.Sections = append(b.Questionnaire.Sections,
			domain.Section{ID: "home", Title: tx("Home"), Offer: domain.OfferJoin, Bonus: 10})
		b.Questionnaire.Questions = append(b.Questionnaire.Questions,
			domain.Question{ID: "moved", Type: domain.QuestionDate, Section: "home", Reward: 1, Fact: "moved", Text: tx("When did you move here?")})
	})
	fact := func(name string) string {
		var v string
		_ = h.DB.Pool().QueryRow(t.Context(), `SELECT value FROM facts WHERE name = $1`, name).Scan(&v)
		return v
	}

	dilnoza := h.Chat(150, "Dilnoza", "uz")
	dilnoza.Send("/start s_central").Tap("✅ Roziman").ShareContact("+998901234567").Tap("Dilnoza").Tap("Yoʻq, rahmat").
		Send("/profile").Tap("📝 Siz haqingizda (+105 ballgacha)").
		Send("12 апрел 1990")
	if got := fact("birthday"); got != "1990-04-12" {
		t.Fatalf("birthday %q after “12 апрел 1990”:\n%s", got, dilnoza.Transcript())
	}

	vera := h.Chat(151, "Вера", "ru")
	vera.Send("/start s_central").Tap("✅ Согласен(на)").ShareContact("+79990000151").Tap("Вера").Tap("Нет, спасибо").
		Send("/profile").Tap("📝 Home (ru) (до +11 баллов)").
		Send("12.03.9999")
	if !strings.Contains(vera.Transcript(), "Это больше чем через 10 лет") || fact("moved") != "" {
		t.Fatalf("the year 9999 is not refused:\n%s", vera.Transcript())
	}
	vera.Send("12/03/2015")
	if got := fact("moved"); got != "2015-03-12" {
		t.Fatalf("date %q after “12/03/2015”:\n%s", got, vera.Transcript())
	}
}

// TestDatesTypedWithSpacesOrTheYearFirst: a birthday typed "1990 yil 12
// mart" (the Uzbek year first, "yil" a word of its own) and one typed
// "12, 03, 1990" (a space after each comma) are read as the dates they
// are, not refused as unreadable.
func TestDatesTypedWithSpacesOrTheYearFirst(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withUzbek, withPresets("basic"))
	birthday := func(id int64) string {
		var v string
		_ = h.DB.Pool().QueryRow(t.Context(), `SELECT f.value FROM facts f JOIN customers c ON c.id = f.customer_id
			WHERE c.telegram_id = $1 AND f.name = 'birthday'`, id).Scan(&v)
		return v
	}
	dilnoza := h.Chat(150, "Dilnoza", "uz")
	dilnoza.Send("/start s_central").Tap("✅ Roziman").ShareContact("+998901234567").Tap("Dilnoza").Tap("Yoʻq, rahmat").
		Send("/profile").Tap("📝 Siz haqingizda (+105 ballgacha)").
		Send("1990 yil 12 mart")
	if got := birthday(150); got != "1990-03-12" {
		t.Fatalf("birthday %q after “1990 yil 12 mart”:\n%s", got, dilnoza.Transcript())
	}
	vera := h.Chat(151, "Вера", "ru")
	vera.Send("/start s_central").Tap("✅ Согласен(на)").ShareContact("+79990000151").Tap("Вера").Tap("Нет, спасибо").
		Send("/profile").Tap("📝 О вас (до +105 баллов)").
		Send("12, 03, 1990")
	if got := birthday(151); got != "1990-03-12" {
		t.Fatalf("birthday %q after “12, 03, 1990”:\n%s", got, vera.Transcript())
	}
}

// TestDatesTypedWithSpacesOrMonthFirst: a birthday typed with a space
// after each dot ("12. 03. 1990", as phones' keyboards put it) or around
// the dashes ("12 - 03 - 1990") is read as the date it is, and an
// American date ("03/25/1990": no month 25, so the month comes first) is
// 25 March, not "no such day".
func TestDatesTypedWithSpacesOrMonthFirst(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("basic"))
	birthday := func(id int64) string {
		var v string
		_ = h.DB.Pool().QueryRow(t.Context(), `SELECT f.value FROM facts f JOIN customers c ON c.id = f.customer_id
			WHERE c.telegram_id = $1 AND f.name = 'birthday'`, id).Scan(&v)
		return v
	}
	for i, tt := range []struct{ in, want string }{
		{"12. 03. 1990", "1990-03-12"},
		{"12 .03.1990", "1990-03-12"},
		{"12 - 03 - 1990", "1990-03-12"},
		{"03/25/1990", "1990-03-25"},
	} {
		id := int64(160 + i)
		anna := join(t, h, id, "Anna")
		anna.Send("/profile").Tap("📝 About you (up to +105 points)").Send(tt.in)
		if got := birthday(id); got != tt.want {
			t.Errorf("birthday %q after “%s”, want %s:\n%s", got, tt.in, tt.want, anna.Transcript())
		}
	}
}
