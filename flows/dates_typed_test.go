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
