package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

func withRuShop(b *domain.Business) {
	b.Owners = []int64{ownerID}
	b.DefaultLanguage = "ru"
	b.Feedback.Goodwill = 21
	withTopics(b)
}

// tapLike taps the first button of the last message whose label starts with prefix.
func tapLike(t *testing.T, c *bottest.Chat, prefix string) *bottest.Chat {
	t.Helper()
	for _, b := range c.Last().Buttons() {
		if strings.HasPrefix(b, prefix) {
			return c.Tap(b)
		}
	}
	for _, b := range c.KeyboardLabels() {
		if strings.HasPrefix(b, prefix) {
			return c.Tap(b)
		}
	}
	ms := c.U.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		for _, b := range ms[i].Buttons() {
			if strings.HasPrefix(b, prefix) {
				return c.TapOld(ms[i].ID, b)
			}
		}
	}
	t.Fatalf("no button like %q in %q:\n%s", prefix, c.Last().Buttons(), c.Transcript())
	return c
}

func ruHire(t *testing.T, h *bottest.Harness, owner *bottest.Chat, label string, id int64, name string) *bottest.Chat {
	t.Helper()
	owner.Send("/staff").Tap(label).Tap("Central")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link:\n%s", owner.Transcript())
	}
	c := h.Chat(id, name, "ru")
	c.Send("/start " + m[1])
	return c
}

// TestRussianJourney is a week of a Russian shop as its owner lives it:
// staff hired, ten customers joining, purchases, a low rating answered, a
// question, a broadcast, a promotion, a return, the weekly report, /stats
// and the exports, all read in Russian. Russian declines names and the
// bot cannot: a name stands after a noun that takes the case ("от
// клиента Богдан", never "от Богдан"). A shop that names no tiers has
// the built-in one, named in Russian for Russian readers too. The weekly
// report and /stats round the same average receipt the same way.
func TestRussianJourney(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withRuShop)
	owner := h.Chat(ownerID, "Ольга", "ru")
	owner.Send("/start").Send("/help")
	cashier := ruHire(t, h, owner, "➕ Пригласить кассира", 901, "Борис")
	manager := ruHire(t, h, owner, "➕ Пригласить менеджера", 902, "Мила")
	cashier.Send("/help")
	cashier.Send("/myqr")
	manager.Send("/help")
	owner.Send("/myqr")
	if len(owner.Last().Buttons()) > 0 {
		owner.Tap("Central")
	}

	var cs []*bottest.Chat
	names := []string{"Анна", "Богдан", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Зоя", "Иван", "Кира"}
	for i, n := range names {
		c := h.Chat(int64(101+i), n, "ru")
		cs = append(cs, c)
		c.Send("/start s_central").Tap("✅ Согласен(на)")
		phone := "+7999000010" + itoa(int64(i))
		if i%2 == 0 {
			c.ShareContact(phone)
		} else {
			c.Send("8 999 000-01-0" + itoa(int64(i)))
		}
		if i == 0 {
			c.Send("0") // nothing
		}
		tapLike(t, c, n)
		if i%3 == 0 {
			c.Tap("Нет, спасибо")
		} else {
			c.Tap("Да, присылайте")
		}
		c.Send("/card").Send("/balance")
		h.Clock.Advance(7 * time.Hour)
	}
	// Ivan joins again from a second account with the same phone.
	ivan2 := h.Chat(201, "Иван", "ru")
	cs = append(cs, ivan2)
	ivan2.Send("/start").Tap("✅ Согласен(на)").Send("+7 999 000-01-08")

	// purchases
	for i, c := range cs[:8] {
		scan(t, c, cashier)
		amt := []string{"1000", "250", "12 345,50", "99", "2100", "1000", "5000", "1500"}[i]
		cashier.Send(amt)
		if i%2 == 1 {
			tapLike(t, cashier, "➖")
		} else if i != 3 {
			tapLike(t, cashier, "➕")
		}
		tapLike(t, cashier, "✅")
		c.Sync()
		h.Clock.Advance(3 * time.Hour)
	}
	cs[0].Send("/balance")
	if got := cs[0].Last().Text; !strings.Contains(got, "Ваш уровень: Базовый — 3 %") {
		t.Errorf("the built-in tier in Russian:\n%s", got)
	}

	// low rating
	cs[1].Send("/feedback").Tap("2⭐").Send("Кофе был холодный")
	owner.Sync()
	if got := owner.Last().Text + lastTexts(owner, 2); !strings.Contains(got, "Низкая оценка ★★☆☆☆ от клиента Богдан") {
		t.Errorf("the low-rating alert:\n%s", got)
	}
	tapLike(t, owner, "↩️")
	if got := owner.Last().Text; !strings.HasPrefix(got, "Напишите ответ для клиента Богдан:") {
		t.Errorf("the reply prompt: %q", got)
	}
	owner.Send("Простите! Следующий кофе за наш счёт.")
	cs[1].Sync()
	tapLike(t, owner, "🎁")
	cs[1].Sync()
	tapLike(t, owner, "✅")

	// question
	cs[2].Send("Есть ли у вас овсяное молоко?").Tap("✉️ Отправить")
	manager.Sync()
	owner.Sync()
	if got := owner.Last().Text; !strings.HasPrefix(got, "✉️ Вопрос от клиента Вера\n") {
		t.Errorf("the question alert:\n%s", got)
	}
	tapLike(t, owner, "↩️").Send("Да, конечно!")
	cs[2].Sync()

	// erasure
	cs[9].Send("/privacy")
	cs[9].Tap("🗑 Удалить мои данные").Tap("Да, удалить мои данные")

	// broadcast to a topic
	owner.Send("/broadcast").Send("Осенняя распродажа: −20 % на всё")
	tapLike(t, owner, "📣")
	tapLike(t, owner, "✅")
	h.Settle()
	if len(owner.Last().Buttons()) > 0 {
		tapLike(t, owner, "📊")
	}
	for _, c := range cs {
		c.Sync()
	}

	// promotion
	owner.Send("/promo")
	tapLike(t, owner, "🔥").Send("×2").Tap("Central").Tap("▶ Сейчас").Send("21:00")
	owner.Send("Дождливый день")
	tapLike(t, owner, "🔥")
	owner.Send("/offers")
	scan(t, cs[5], cashier)
	cashier.Send("1000")
	tapLike(t, cashier, "➕")
	tapLike(t, cashier, "✅")
	cs[5].Sync()

	// a return
	h.Clock.Advance(24 * time.Hour)
	scan(t, cs[6], manager)
	tapLike(t, manager, "↩ Возврат")
	tapLike(t, manager, "2")
	manager.Send("1000")
	if got := manager.Last().Text; !strings.Contains(got, "↩ Вернуть 1 000 ₽ из чека клиента Жанна от") {
		t.Errorf("the return's confirmation:\n%s", got)
	}
	tapLike(t, manager, "✅")
	cs[6].Sync()
	owner.Sync()

	// a week: weekly report
	for h.Clock.Now().Weekday() != time.Monday || h.Clock.Now().Hour() < 9 {
		h.Clock.Advance(time.Hour)
	}
	if _, err := h.Engine.SendWeeklyReport(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	owner.Sync()
	weekly := owner.Last().Caption
	if !strings.Contains(weekly, "📊 Неделя 23.11–29.11") || !strings.Contains(weekly, "средний чек 2 588,28 ₽") {
		t.Errorf("the weekly report (23 294,50 ₽ over 9 receipts):\n%s", weekly)
	}
	owner.Send("/stats")
	if got := lastTexts(owner, 2); !strings.Contains(got, "Выручка через программу: 23 294,50 ₽, средний чек 2 588,28 ₽") {
		t.Errorf("/stats for the month:\n%s", got)
	}
	for _, l := range []string{"7 дней", "🧑‍💼", "🗓"} {
		for _, b := range owner.Last().Buttons() {
			if strings.Contains(b, l) {
				owner.Tap(b)
				break
			}
		}
	}
	owner.Send("/export")
	tapLike(t, owner, "👥")
	if d := owner.Last().Document; d != nil {
		owner.Note("CSV %s:\n%s", d.FileName, d.Data)
	}
	owner.Send("/export")
	tapLike(t, owner, "🧾")
	if d := owner.Last().Document; d != nil {
		owner.Note("CSV %s:\n%s", d.FileName, d.Data)
	}
	owner.Send("/today").Send("/customer +79990000106")
	cashier.Send("/today")
}
