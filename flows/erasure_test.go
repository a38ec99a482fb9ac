package flows_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// findEverywhere searches every column of every table, cast to text, for
// s (case-insensitive) and names the columns holding it with a count.
func findEverywhere(t *testing.T, h *bottest.Harness, s string) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := h.DB.Pool().Query(ctx, `SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`)
	type col struct{ Table, Column string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("only %d columns found: the search would prove nothing", len(cols))
	}
	var found []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s::text ILIKE '%%' || $1 || '%%'`,
			pgx.Identifier{c.Table}.Sanitize(), pgx.Identifier{c.Column}.Sanitize())
		if err := h.DB.Pool().QueryRow(ctx, q, s).Scan(&n); err != nil {
			t.Fatalf("search %s.%s: %v", c.Table, c.Column, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c.Table, c.Column, n))
		}
	}
	found = append(found, findInEncodedJSON(t, h, s)...)
	return append(found, findInBytes(t, h, s)...)
}

// findInBytes looks into bytea columns as the bytes they hold (a dead
// letter keeps an update's raw bytes), where ::text shows only hex.
func findInBytes(t *testing.T, h *bottest.Harness, s string) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := h.DB.Pool().Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'bytea'`)
	type col struct{ Table, Column string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, c := range cols {
		rows, _ := h.DB.Pool().Query(ctx, fmt.Sprintf(`SELECT %s FROM %s`,
			pgx.Identifier{c.Column}.Sanitize(), pgx.Identifier{c.Table}.Sanitize()))
		values, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if strings.Contains(strings.ToLower(string(v)), strings.ToLower(s)) {
				found = append(found, fmt.Sprintf("%s.%s (bytes)", c.Table, c.Column))
				break
			}
		}
	}
	return found
}

// findInEncodedJSON looks into the base64 strings of every jsonb column (a
// document in the outbox is base64 inside the payload), where ILIKE
// cannot see.
func findInEncodedJSON(t *testing.T, h *bottest.Harness, s string) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := h.DB.Pool().Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'jsonb'`)
	type col struct{ Table, Column string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, c := range cols {
		rows, _ := h.DB.Pool().Query(ctx, fmt.Sprintf(`SELECT %s::text FROM %s`,
			pgx.Identifier{c.Column}.Sanitize(), pgx.Identifier{c.Table}.Sanitize()))
		values, err := pgx.CollectRows(rows, pgx.RowTo[*string])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			var doc any
			if v == nil || json.Unmarshal([]byte(*v), &doc) != nil {
				continue
			}
			if encodedContains(doc, strings.ToLower(s)) {
				found = append(found, fmt.Sprintf("%s.%s (base64)", c.Table, c.Column))
				break
			}
		}
	}
	return found
}

func encodedContains(v any, s string) bool {
	switch v := v.(type) {
	case string:
		b, err := base64.StdEncoding.DecodeString(v)
		return err == nil && strings.Contains(strings.ToLower(string(b)), s)
	case []any:
		for _, x := range v {
			if encodedContains(x, s) {
				return true
			}
		}
	case map[string]any:
		for _, x := range v {
			if encodedContains(x, s) {
				return true
			}
		}
	}
	return false
}

func TestErasureLeavesNoCopyAnywhere(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("basic"))
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	z := h.Chat(160, "Zinaida", "en")
	z.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000160").Tap("Zinaida").Tap("Yes, please")
	scan(t, z, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	z.Sync().
		Tap("📝 About you (up to +105 points)").
		Send("14.03.1990").Send("zina.secret@example.org").Tap("Female").Send("Moscow")
	// Copies wait in every corner: the cashier's screen named her, the
	// stored updates hold her contact, the outbox her export.
	if found := findEverywhere(t, h, "Zinaida"); len(found) == 0 {
		t.Fatal("the search finds nothing even before erasure: it cannot prove anything")
	}

	z.Send("/privacy").Tap("📦 Download my data")
	// A document travels base64 inside a JSON payload, where ILIKE is
	// blind: the search decodes such strings too.
	if !encodedContains(map[string]any{"document": map[string]any{
		"data": base64.StdEncoding.EncodeToString([]byte(`{"phone": "+79990000160"}`))}}, "9990000160") {
		t.Fatal("the search does not see into a base64 document: it cannot prove anything")
	}
	doc := z.Last().Document
	if doc == nil {
		t.Fatalf("no export: %+v", z.Last())
	}
	var export struct {
		Facts    map[string]string `json:"facts"`
		Sections []struct {
			Section     string  `json:"section"`
			Title       string  `json:"title"`
			OfferedAt   string  `json:"offered_at"`
			CompletedAt *string `json:"completed_at"`
		} `json:"profile_sections"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatal(err)
	}
	if export.Facts["birthday"] != "1990-03-14" || export.Facts["gender"] != "female" {
		t.Errorf("export facts %v, want the birthday and gender facts", export.Facts)
	}
	if len(export.Sections) != 1 || export.Sections[0].Section != "basic" || export.Sections[0].Title != "About you" ||
		export.Sections[0].OfferedAt == "" || export.Sections[0].CompletedAt == nil {
		t.Errorf("export sections %+v, want the completed basic section", export.Sections)
	}

	// Updates set aside keep their raw bytes: one of hers, and one from
	// the cashier's chat showing her name.
	for _, u := range []domain.RawUpdate{
		{UpdateID: 900001, ChatID: 160, Payload: []byte(`{"update_id":900001,"message":{"chat":{"id":160},"from":{"id":160,"first_name":"Zinaida"},"text":"hi\u0000"}}`)},
		{UpdateID: 900002, ChatID: 961, Payload: []byte(`{"update_id":900002,"callback_query":{"from":{"id":961},"message":{"text":"Zinaida \u00b7 receipt 500 RUB"}}}`)},
	} {
		if _, err := h.DB.DeadLetterUpdate(context.Background(), u, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// A point correction's reason, typed by the owner, names her too.
	owner.Send("/customer +79990000160").Tap("± Points").Send("+10").Send("birthday gift for Zinaida").Tap("✅ Confirm")
	// Her number typed as people type it: at /customer, and at the
	// register without her card.
	owner.Send("/customer 8 (999) 000-01-60")
	owner.Send("/scan").Send("+7 999 000 01 60").Tap("✖ Cancel")
	// A question to the shop with her email in it, answered.
	z.Send("Do you deliver? Write to zina.secret@example.org").Tap("✉️ Send")
	owner.Tap("↩️ Reply").Send("We do!")
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE text LIKE '%zina.secret%'`); n != 1 {
		t.Fatalf("the question is not kept:\n%s", z.Transcript())
	}
	// Staff half way through a step about her when she erases: the
	// cashier's note (her name in its prompt), the owner's correction
	// (a reason naming her).
	cashier.Tap("🗒 Add a note")
	owner.Send("/customer +79990000160").Tap("± Points").Send("+5").Send("sorry, Zinaida")
	if n := countRows(t, h, `SELECT count(*) FROM conversations WHERE chat_id IN (961, $1) AND flow <> ''`, ownerID); n != 2 {
		t.Fatalf("%d staff steps pending, want the note and the correction:\n%s\n%s", n, cashier.Transcript(), owner.Transcript())
	}
	_, zcard := customer(t, h, 160)
	z.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Settle()
	if !strings.Contains(z.Last().Text, "personal data is erased") {
		t.Fatalf("no confirmation: %q", z.Last().Text)
	}
	for _, secret := range []string{"Zinaida", "9990000160", "(999) 000-01-60", "999 000 01 60", "zina.secret@example.org", "1990-03-14"} {
		if found := findEverywhere(t, h, secret); len(found) > 0 {
			t.Errorf("%q is still stored after erasure in %v", secret, found)
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM conversations WHERE chat_id = 160`); n != 0 {
		t.Error("the erased customer's conversation row is left")
	}
	// The note the cashier was about to write is not kept, and they
	// hear why, not "I didn't catch that".
	cashier.Send("Zinaida likes oat milk")
	if got := cashier.Last().Text; !strings.Contains(got, "deleted their data meanwhile") {
		t.Errorf("the cashier's note after the erasure:\n%s", cashier.Transcript())
	}
	// (The cashier's own update stays in the intake's log, as every
	// update does until it is pruned.)
	if found := findEverywhere(t, h, "oat milk"); len(found) != 1 || !strings.HasPrefix(found[0], "updates.payload") {
		t.Errorf("the note is stored after the erasure in %v", found)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 160`); n != 1 {
		t.Errorf("%d outbox rows to her chat, want only the confirmation", n)
	}
	// Her card keeps the correction's points and who made it, not why.
	owner.Send("/customer " + zcard.Number)
	if got := owner.Last().Text; !strings.Contains(got, "± Point corrections:\n• 22.11.2026 +10 · Olga") || strings.Contains(got, "birthday gift") {
		t.Errorf("the erased customer's card and her correction:\n%s", got)
	}
	// What the shop keeps is anonymous and still adds up.
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Error("the anonymous purchase must stay")
	}
}

func TestRejoiningAfterErasureWithANewTypedPhoneGetsNoSecondBonus(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := join(t, h, 162, "Mila")
	if got := balance(t, h, 162); got != 100 {
		t.Fatalf("first join balance %d, want the welcome bonus", got)
	}
	c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	for i, phone := range []string{"+7 999 111-22-33", "+7 999 111-22-44"} {
		c.Note("erased; joining again with a new typed number").
			Send("/start").Tap("✅ I agree").Send(phone).Tap("Mila").Tap("No, thanks")
		if got := balance(t, h, 162); got != 0 {
			t.Fatalf("re-join %d: balance %d, want 0 (one welcome bonus per Telegram account)", i+1, got)
		}
		if !strings.Contains(c.Transcript(), "already received the welcome bonus") {
			t.Fatalf("not told why there is no bonus:\n%s", c.Transcript())
		}
		if n := countRows(t, h, `SELECT count(*) FROM held_welcome`); n != 0 {
			t.Fatalf("re-join %d: a welcome bonus is held for the first purchase, want none", i+1)
		}
		c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'welcome'`); n != 1 {
		t.Fatalf("%d welcome bonuses, want 1", n)
	}
}

func TestTypedPhoneEarnsTheWelcomeBonusWithTheFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 963, "Boris")
	c := h.Chat(163, "Nina", "en")
	c.Send("/start s_central").Tap("✅ I agree").Send("+7 999 000-01-63").Tap("Nina").Tap("No, thanks")
	if got := balance(t, h, 163); got != 0 {
		t.Fatalf("balance %d after joining with a typed phone, want 0 until a purchase", got)
	}
	if !strings.Contains(c.Transcript(), "with your first purchase") {
		t.Fatalf("not told when the bonus comes:\n%s", c.Transcript())
	}
	scan(t, c, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	c.Sync()
	if got := balance(t, h, 163); got != 130 {
		t.Fatalf("balance %d after the first purchase, want 30 earned + 100 welcome", got)
	}
	if !strings.Contains(c.Last().Text, "100 welcome points") {
		t.Fatalf("customer not told about the welcome bonus: %q", c.Last().Text)
	}
	scan(t, c, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	if got := balance(t, h, 163); got != 160 {
		t.Fatalf("balance %d after the second purchase, want 160 (no second welcome)", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'welcome'`); n != 1 {
		t.Fatalf("%d welcome rows, want 1", n)
	}
	// The held bonus is a promo lot like any welcome bonus: spent first.
	if n := countRows(t, h, `SELECT count(*) FROM point_lots WHERE kind = 'promo' AND amount = 100 AND expires_at IS NOT NULL`); n != 1 {
		t.Fatal("the welcome bonus credited at the first purchase is not a promo lot with an expiry")
	}
}

func TestTakenPhoneAnswersPlainlyAndRevealsNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	join(t, h, 164, "Olya") // +79990000164
	c := h.Chat(165, "Pavel", "en")
	c.Send("/start").Tap("✅ I agree").
		Note("a member's number, typed").
		Send("+7 999 000-01-64").
		Note("another number goes through").
		Send("+7 999 000-01-65")
	got := c.Transcript()
	if strings.Contains(got, "went wrong") || strings.Contains(got, "linked") {
		t.Fatalf("a taken number is told apart or breaks the flow:\n%s", got)
	}
	if !strings.Contains(got, "We could not use this number") {
		t.Fatalf("no clear answer to a taken number:\n%s", got)
	}
	c.Tap("Pavel").Tap("No, thanks")
	bottest.Golden(t, "phone_taken", c.Transcript())
	cust, _ := customer(t, h, 165)
	if !cust.Member() || cust.Phone != "+79990000165" {
		t.Fatalf("after a taken number, joining with another: %+v", cust)
	}
}

func TestErasureFindsTheNameEscapedInUpdatesSetAside(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(168, "Зоя", "ru")
	c.Send("/start").Tap("✅ Согласен(на)").ShareContact("+79990000168").Tap("Зоя").Tap("Нет, спасибо")
	// Telegram may escape every non-ASCII character in the JSON it sends.
	for _, u := range []domain.RawUpdate{
		{UpdateID: 900011, ChatID: 961, Payload: []byte(`{"update_id":900011,"message":{"text":"\u0417\u043e\u044f \u00b7 500 RUB"}}`)},
		{UpdateID: 900012, ChatID: 961, Payload: []byte(`{"update_id":900012,"message":{"text":"\u0412\u0435\u0440\u0430 \u00b7 500 RUB"}}`)},
	} {
		if _, err := h.DB.DeadLetterUpdate(context.Background(), u, "test"); err != nil {
			t.Fatal(err)
		}
	}
	c.Send("/privacy").Tap("🗑 Удалить мои данные").Tap("Да, удалить мои данные")
	rows, _ := h.DB.Pool().Query(context.Background(), `SELECT update_id FROM dead_updates ORDER BY 1`)
	left, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != 900012 {
		t.Fatalf("updates set aside after erasure: %v, want only 900012 (another customer's)", left)
	}
}

// TestSharedContactTakesTheNumberFromWhoTypedIt: a typed number proves
// nothing, so someone who typed a stranger's number must not keep the real
// owner out; her own shared contact takes it back. A number that was
// shared stays its owner's whatever anyone types.
func TestSharedContactTakesTheNumberFromWhoTypedIt(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	squatter := h.Chat(171, "Ivan", "en")
	squatter.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-72").Tap("Ivan").Tap("No, thanks")
	owner := h.Chat(172, "Mila", "en")
	owner.Send("/start").Tap("✅ I agree").ShareContact("+79990000172").Tap("Mila").Tap("No, thanks")
	if got := owner.Transcript(); strings.Contains(got, "We could not use this number") {
		t.Fatalf("the owner's own contact was refused:\n%s", got)
	}
	mila, _ := customer(t, h, 172)
	ivan, _ := customer(t, h, 171)
	if !mila.Member() || mila.Phone != "+79990000172" || ivan.Phone != "" {
		t.Fatalf("after the owner shared her contact: Mila %+v, Ivan %+v", mila, ivan)
	}
	if b := balance(t, h, 172); b != h.Biz.WelcomeBonus {
		t.Fatalf("the owner's balance %d, want the welcome bonus %d", b, h.Biz.WelcomeBonus)
	}
	late := h.Chat(173, "Oleg", "en")
	late.Send("/start").Tap("✅ I agree").Send("+7 999 000-01-72")
	if !strings.Contains(late.Transcript(), "We could not use this number") {
		t.Fatalf("a shared number was taken by typing it:\n%s", late.Transcript())
	}
}

// TestConfirmAfterTheCustomerErasedEndsTheCheckout: the customer deletes
// their data while the cashier has their card open; Confirm says the
// customer deleted their data and records nothing (it was an internal
// error on every tap).
func TestConfirmAfterTheCustomerErasedEndsTheCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 941, "Boris")
	anna := join(t, h, 141, "Anna")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15")
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	cashier.Tap("✅ Confirm")
	if got := cashier.Last().Text; !strings.HasPrefix(got, "The customer deleted their data meanwhile") {
		t.Fatalf("Confirm on the card of a customer who erased their data:\n%s", cashier.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 0 {
		t.Fatalf("%d purchases on an erased customer's card", n)
	}
	cashier.Send("hello")
	if got := cashier.Last().Text; !strings.HasPrefix(got, "I didn't catch that") {
		t.Fatalf("the cashier's next words:\n%s", cashier.Transcript())
	}
}

// TestErasureFindsTheTypedPhoneInUpdatesSetAside: a number a cashier
// typed at /scan or /customer ("8 (999) 000-01-69") is the customer's
// phone in another spelling; a staff chat's update holding it that was
// set aside must go with the erasure, as a handled one does.
func TestErasureFindsTheTypedPhoneInUpdatesSetAside(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(169, "Vera", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990000169").Tap("Vera").Tap("No, thanks")
	for _, u := range []domain.RawUpdate{
		{UpdateID: 900021, ChatID: 961, Payload: []byte(`{"update_id":900021,"message":{"chat":{"id":961},"from":{"id":961},"text":"/customer 8 (999) 000-01-69"}}`)},
		{UpdateID: 900022, ChatID: 961, Payload: []byte(`{"update_id":900022,"message":{"chat":{"id":961},"from":{"id":961},"text":"+7 999 000 01 69"}}`)},
		{UpdateID: 900023, ChatID: 961, Payload: []byte(`{"update_id":900023,"message":{"chat":{"id":961},"from":{"id":961},"text":"/customer 8 (999) 000-01-70"}}`)},
	} {
		if _, err := h.DB.DeadLetterUpdate(context.Background(), u, "test"); err != nil {
			t.Fatal(err)
		}
	}
	c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if !strings.Contains(c.Last().Text, "personal data is erased") {
		t.Fatalf("no confirmation:\n%s", c.Transcript())
	}
	rows, _ := h.DB.Pool().Query(context.Background(), `SELECT update_id FROM dead_updates ORDER BY 1`)
	left, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != 900023 {
		t.Fatalf("updates set aside after erasure: %v, want only 900023 (another number)", left)
	}
}
