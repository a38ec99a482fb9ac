package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// customer loads a customer by Telegram id straight from the database.
func customer(t *testing.T, h *bottest.Harness, tgID int64) (*domain.Customer, *domain.Card) {
	t.Helper()
	var c *domain.Customer
	var card *domain.Card
	err := h.DB.Update(context.Background(), func(tx domain.Tx) error {
		var err error
		if c, err = tx.FindCustomerByTelegramID(context.Background(), tgID); err != nil {
			return err
		}
		card, err = tx.FindCardByCustomer(context.Background(), c.ID)
		if err != nil && err != domain.ErrNotFound {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("customer %d: %v", tgID, err)
	}
	return c, card
}

func TestOnboardingAtStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(101, "Anna", "en")
	c.Send("/start s_central").
		Tap("✅ I agree").
		Tap("📱 Share my phone number").
		Tap("Anna").
		Tap("Yes, please")
	bottest.Golden(t, "onboarding_at_store", c.Transcript())

	cust, card := customer(t, h, 101)
	if !cust.Member() || cust.Phone == "" || !cust.Marketing || cust.JoinedStoreID == 0 {
		t.Fatalf("customer after onboarding: %+v", cust)
	}
	if card == nil || card.Balance != 100 {
		t.Fatalf("card after onboarding: %+v, want balance 100", card)
	}
	photo, ok := c.LastPhoto()
	if !ok {
		t.Fatal("no card QR shown after joining at a store")
	}
	link, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(link, "https://t.me/"+bottest.BotUsername+"?start=c_")
	if !ok {
		t.Fatalf("QR encodes %q, want the card deep link", link)
	}
	id, err := h.Signer.VerifyToken(token, h.Clock.Now())
	if err != nil || id != card.ID {
		t.Fatalf("QR token verifies to card %d, %v; want card %d", id, err, card.ID)
	}
}

func TestOnboardingPlainStartTypedPhoneAndName(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(102, "Bob", "en")
	c.Send("/start").
		Tap("✅ I agree").
		Note("a typed phone that is not a phone, then a valid one").
		Send("call me maybe").
		Send("12345").
		Send("8 (999) 555-12-34").
		Note("a typed name instead of the suggested one").
		Send("  Robert   ").
		Tap("No, thanks")
	bottest.Golden(t, "onboarding_plain", c.Transcript())
	cust, card := customer(t, h, 102)
	if cust.Phone != "+79995551234" || cust.FirstName != "Robert" || cust.Marketing || cust.JoinedStoreID != 0 {
		t.Fatalf("customer: %+v", cust)
	}
	// A typed number is not verified: the bonus waits for a purchase.
	if card.Balance != 0 || countRows(t, h, `SELECT count(*) FROM held_welcome WHERE card_id = $1 AND points = 100`, card.ID) != 1 {
		t.Fatalf("balance %d and no held bonus, want 0 and 100 held for the first purchase", card.Balance)
	}
}

func TestConsentRefusedStoresNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(103, "Vera", "ru")
	c.Send("/start").Tap("Нет, спасибо")
	var n int
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d customers stored after a refused consent", n)
	}
	c.Note("they change their mind").Tap("Я передумал(а) — согласен(на)")
	bottest.Golden(t, "consent_refused", c.Transcript())
	cust, _ := customer(t, h, 103)
	if cust.Member() {
		t.Fatal("a member before the phone step")
	}
}

func TestForeignContactRefused(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(104, "Gleb", "en")
	c.Send("/start").Tap("✅ I agree").
		ShareForeignContact("+79990000001").
		ShareContact("+79990000002")
	bottest.Golden(t, "foreign_contact", c.Transcript())
	cust, _ := customer(t, h, 104)
	if cust.Phone != "+79990000002" {
		t.Fatalf("phone %q, want the own contact's", cust.Phone)
	}
}

func TestUnexpectedInputLosesNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(105, "Dana", "en")
	c.Send("/start s_river")
	consentMsg := c.Last().ID
	c.Note("text and a sticker where a button is expected").
		Send("hello?").
		Sticker().
		Tap("✅ I agree").
		Note("the consent buttons are stale now").
		TapOld(consentMsg, "No, thanks").
		Note("a second /start, /help and an unknown command mid-flow").
		Send("/start").
		Send("/help").
		Send("/whatever").
		Note("a sticker at the phone step, /card before joining").
		Sticker().
		Send("/card").
		ShareContact("+447700900123").
		Tap("Dana").
		Note("text at the marketing step").
		Send("yes").
		Tap("Yes, please")
	bottest.Golden(t, "unexpected_input", c.Transcript())
	cust, card := customer(t, h, 105)
	if !cust.Member() || card.Balance != 100 || cust.JoinedStoreID == 0 {
		t.Fatalf("after interruptions: %+v %+v", cust, card)
	}
}

func TestMemberRestartGetsCardNotOnboarding(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := join(t, h, 106, "Egor")
	c.Note("joined; now /start again, /card, /balance").
		Send("/start").
		Send("/card").
		Send("/balance").
		Send("what is this?")
	bottest.Golden(t, "member_restart", c.Transcript())
	// No second welcome bonus for a second /start.
	_, card := customer(t, h, 106)
	if card.Balance != 100 {
		t.Fatalf("balance %d after re-/start, want 100", card.Balance)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(107, "Zoya", "de") // not offered: the default (en) is used
	c.Send("/start").
		Send("/language").
		Tap("🇷🇺 Русский").
		Tap("✅ Согласен(на)")
	bottest.Golden(t, "language", c.Transcript())
	cust, _ := customer(t, h, 107)
	if cust.Language != "ru" {
		t.Fatalf("language %q, want ru", cust.Language)
	}
}

func TestCardLinkOpenedByNonStaffRevealsNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	join(t, h, 108, "Inna")
	_, card := customer(t, h, 108)
	token := h.Signer.Token(card.ID, h.Clock.Now())
	stranger := h.Chat(109, "Stranger", "en")
	stranger.Send("/start c_" + token)
	got := stranger.Transcript()
	if strings.Contains(got, "Inna") || strings.Contains(got, "100") {
		t.Fatalf("a stranger learned about the card owner:\n%s", got)
	}
	bottest.Golden(t, "card_link_stranger", got)
}

// join runs a whole onboarding for a new user and returns the chat.
func join(t *testing.T, h *bottest.Harness, id int64, name string) *bottest.Chat {
	t.Helper()
	c := h.Chat(id, name, "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+7999" + strings.Repeat("0", 7-len(itoa(id))) + itoa(id)).Tap(name).Tap("No, thanks")
	cust, _ := customer(t, h, id)
	if !cust.Member() {
		t.Fatalf("join %d failed:\n%s", id, c.Transcript())
	}
	return c
}

func itoa(n int64) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestNoWelcomeBonusPromisesNone: welcome_bonus = 0 (a shop with no
// joining gift) must not greet every newcomer with "get 0 points".
func TestNoWelcomeBonusPromisesNone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.WelcomeBonus = 0 })
	c := h.Chat(101, "Anna", "en")
	c.Send("/start s_central").Tap("✅ I agree").Tap("📱 Share my phone number").Tap("Anna").Tap("Yes, please")
	if tr := c.Transcript(); strings.Contains(tr, "get 0 points") || !strings.Contains(tr, "Earn points on every purchase") {
		t.Fatalf("the greeting without a welcome bonus:\n%s", tr)
	}
}
