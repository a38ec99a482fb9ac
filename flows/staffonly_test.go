package flows_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
	"github.com/loyaltybot/loyaltybot/locales"
)

// staffTables are what only staff (or the POS) change, each read as a
// digest of its rows; customers, cards, ledger and feedback are read
// without the attackers' own rows ($1), which their own commands may
// well change.
var staffTables = map[string]string{
	"staff":            `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM staff t`,
	"invites":          `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM invites t`,
	"api_keys":         `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM api_keys t`,
	"purchases":        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM purchases t`,
	"ledger":           `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ledger t WHERE t.card_id NOT IN (SELECT k.id FROM cards k JOIN customers c ON c.id = k.customer_id WHERE c.telegram_id = ANY($1))`,
	"cards":            `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM cards t WHERE t.customer_id NOT IN (SELECT id FROM customers WHERE telegram_id = ANY($1))`,
	"audit_log":        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM audit_log t`,
	"staff_notes":      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM staff_notes t`,
	"broadcasts":       `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM broadcasts t`,
	"stores":           `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM stores t`,
	"live_promotions":  `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM live_promotions t`,
	"purchase_returns": `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM purchase_returns t`,
	"feedback":         `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM feedback t WHERE t.customer_id NOT IN (SELECT id FROM customers WHERE telegram_id = ANY($1))`,
	"customers":        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM customers t WHERE t.telegram_id <> ALL($1)`,
	// A message to the victim's chat is something done to them.
	"outbox to Vera": `SELECT md5(coalesce(string_agg(t.payload::text, '|' ORDER BY t.id), '')) FROM outbox t WHERE t.chat_id = 101`,
}

// staffScreens are the English texts of the staff areas of the locales
// (their first line up to the first template field, where that is long
// enough to tell): a line of a customer's chat that starts with one is a
// staff screen reached.
func staffScreens(t *testing.T) map[string]string {
	t.Helper()
	raw, err := locales.File("en")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]map[string]string
	if err := toml.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	staffAreas := []string{"staff.", "stats.", "kpi.", "chart.", "export.", "alert.", "note.",
		"audit.", "report.", "myqr.", "checkout.", "broadcast.", "customer.", "relay.", "adjust.", "move.created", "move.opened", "promo."}
	// Shown to customers too: what a customer hears about their own
	// purchase, a poll they answer, a relayed answer, a refused link,
	// and the refusals themselves.
	customerSide := []string{"checkout.customer.", "adjust.customer.", "broadcast.poll.thanks", "broadcast.poll.closed", "relay.to_customer",
		"card.scan.not_staff",
		"staff.only", "staff.manager_only", "staff.revoked", "checkout.cancel_purchase.not_found"}
	out := map[string]string{}
	for id, forms := range msgs {
		staff := false
		for _, a := range staffAreas {
			staff = staff || strings.HasPrefix(id, a)
		}
		for _, c := range customerSide {
			staff = staff && !strings.HasPrefix(id, c)
		}
		if !staff {
			continue
		}
		for _, text := range forms {
			text, _, _ = strings.Cut(text, "{{")
			text, _, _ = strings.Cut(text, "\n")
			if text = strings.TrimSpace(text); len([]rune(text)) >= 10 {
				out[text] = id
			}
		}
	}
	return out
}

// TestNonStaffReachNoStaffAction: a stranger who never joined, a
// joined customer and a manager since revoked try every registered command, every stateless button
// and every deep-link kind, with values that exist in the shop (another
// customer's purchase, feedback, customer id, card token and code, an
// invite someone else used). Buttons are even signed for their own chat,
// as if the bot had once sent them (the MAC stops anything it did not
// send before this). Nothing staff-only may happen: no staff, purchase,
// ledger, audit, note, broadcast, store or other customer's row changes,
// no message to the other customer, no staff screen and none of the
// other customer's data in their chat, no staff command menu. The lists
// come from the registry, so a new command or button is tried as soon as
// it is registered.
func TestNonStaffReachNoStaffAction(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	ctx := context.Background()
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 960, "Boris")
	usedInvite := ""
	for _, m := range owner.U.Messages() {
		if l := linkRe.FindStringSubmatch(m.Caption); l != nil {
			usedInvite = strings.TrimPrefix(l[1], "i_")
		}
	}
	vera := join(t, h, 101, "Vera")
	buy(t, vera, cashier)
	vera.Send("/feedback").Tap("2⭐").Send("The cup was dirty, Vera says")
	owner.Sync()
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start")
	// Max was a manager and is no longer: whatever he was shown then
	// gives him nothing now.
	max := hire(t, h, owner, "manager", 963, "Max")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Max").Tap("Yes, revoke")
	// The staff screens whose buttons' values are tried below.
	_, veraCard := customer(t, h, 101)
	owner.Send("/customer " + veraCard.Number)
	for _, cmd := range []string{"/staff", "/stats", "/chart", "/export", "/codes", "/questions", "/myqr"} {
		owner.Send(cmd)
	}
	cashier.Send("/today")
	owner.Send("/broadcast")
	carl := join(t, h, 171, "Carl")

	var publicID, custID, feedbackID, broadcastID string
	q := func(sql string) string {
		var v string
		if err := h.DB.Pool().QueryRow(ctx, sql).Scan(&v); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return v
	}
	publicID = q(`SELECT public_id FROM purchases LIMIT 1`)
	custID = q(`SELECT id::text FROM customers WHERE telegram_id = 101`)
	feedbackID = q(`SELECT id::text FROM feedback LIMIT 1`)
	broadcastID = q(`SELECT coalesce(max(id), 1)::text FROM broadcasts`)
	_, card := customer(t, h, 101)
	code := h.Signer.Code(card.Number, h.Clock.Now())
	token := h.Signer.Token(card.ID, h.Clock.Now())

	// Values a curious person might put after a command, in a button or
	// a link: real ids of the shop, in the shapes the buttons use.
	values := []string{"", publicID, "p" + publicID, "c" + custID, custID, feedbackID, feedbackID + ".1",
		publicID + ".1", broadcastID, broadcastID + ":0", "central", "central.1", "show", "refresh", "export",
		"marketing_off", "join", "k.30.central", "new", "stop1", "c_" + token, token, code, usedInvite, "i_" + usedInvite, "i_madeup123"}
	// And every value the bot put in a stateless button for the staff,
	// so a new button's values are tried as soon as a staff screen
	// shows it.
	tried := map[string]bool{}
	for _, v := range values {
		tried[v] = true
	}
	for _, staff := range []*bottest.Chat{owner, cashier, max} {
		for _, m := range staff.U.Messages() {
			for _, row := range m.Inline {
				for _, b := range row {
					if !strings.HasPrefix(b.Data, "x") {
						continue // a flow's button
					}
					_, rest, _ := strings.Cut(b.Data, ":")
					if _, v, ok := strings.Cut(rest, ":"); ok && !tried[v] {
						tried[v] = true
						values = append(values, v)
					}
				}
			}
		}
	}
	// Commands read their arguments as a card, a code, a purchase or a
	// customer, when they read any.
	cmdValues := []string{"", publicID, custID, code, "c_" + token, "central"}
	// Whatever the other customer and the staff have that must not show.
	secrets := []string{"Vera", "+79990000101", "79990000101", card.Number, code, token, publicID, "The cup was dirty", "Boris"}
	screens := staffScreens(t)

	attackers := []int64{5001, carl.U.ID, max.U.ID}
	digest := func() map[string]string {
		d := map[string]string{}
		for name, sql := range staffTables {
			var v string
			args := []any{}
			if strings.Contains(sql, "$1") {
				args = append(args, attackers)
			}
			if err := h.DB.Pool().QueryRow(ctx, sql, args...).Scan(&v); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			d[name] = v
		}
		return d
	}
	h.Settle()
	before := digest()

	// The two try at once, in chats of their own (faster, and the shop
	// must hold against both).
	for _, who := range []struct {
		chat *bottest.Chat
		what string
	}{
		{h.Chat(attackers[0], "Mallory", "en"), "stranger"},
		{carl, "customer"},
		{max.Sync(), "revoked manager"},
	} {
		t.Run(who.what, func(t *testing.T) {
			t.Parallel()
			tryEverything(t, h, who.chat, values, cmdValues, publicID, func(tried string, ms []string) {
				t.Helper()
				h.Settle()
				after := digest()
				for name, v := range before {
					if after[name] != v {
						t.Fatalf("%s changed the %s table", tried, name)
					}
				}
				for _, text := range ms {
					for _, s := range secrets {
						if s != "" && strings.Contains(text, s) {
							t.Fatalf("%s showed %q:\n%s", tried, s, text)
						}
					}
					for _, line := range strings.Split(text, "\n") {
						for s, id := range screens {
							if strings.HasPrefix(strings.TrimSpace(line), s) {
								t.Fatalf("%s showed the staff screen %s:\n%s", tried, id, text)
							}
						}
					}
				}
			})
			if who.chat == carl {
				if c, _ := customer(t, h, carl.U.ID); !c.Member() {
					t.Fatal("the customer left the program on the way: the rest was not tried as a member")
				}
			}
		})
	}
}

// tryEverything sends every registered command, deep-link kind,
// stateless button and flow button from c, calling check after each
// with what it tried and the texts c received since the last check.
func tryEverything(t *testing.T, h *bottest.Harness, c *bottest.Chat, values, cmdValues []string, publicID string, check func(tried string, texts []string)) {
	seen := len(c.U.Messages())
	done := func(tried string) {
		t.Helper()
		h.Settle()
		ms := c.U.Messages()
		var texts []string
		for _, m := range ms[seen:] {
			texts = append(texts, m.Text+m.Caption)
		}
		seen = len(ms)
		check(tried, texts)
	}
	for _, cmd := range flows.RegisteredCommands() {
		for _, v := range cmdValues {
			c.U.SendText(strings.TrimSpace("/" + cmd + " " + v))
		}
		done("/" + cmd)
	}
	for _, k := range domain.StartKinds() {
		for _, v := range values {
			c.U.SendText("/start " + k.Prefix() + strings.TrimPrefix(strings.TrimPrefix(v, "c_"), "i_"))
		}
		done("a " + k.String() + " link")
	}
	msg := c.U.Messages()[len(c.U.Messages())-1].ID
	send := func(data string) {
		t.Helper()
		if _, err := c.U.SendCallback(msg, data); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range flows.RegisteredActions() {
		for _, v := range values {
			data := "x:" + name + ":" + v
			if len(data)+domain.ButtonMACLen > 64 {
				continue
			}
			send(h.Engine.SignButtons(flows.Reply{ChatID: c.U.ID, Inline: [][]flows.Button{{{Data: data}}}}).Inline[0][0].Data)
		}
		send("x:" + name + ":" + publicID) // unsigned
		done("the " + name + " button")
	}
	for _, flow := range flows.RegisteredFlows() {
		for _, v := range []string{"yes", "confirm", publicID, "1"} {
			send(fmt.Sprintf("%s:%s::%s", flow, "confirm", v))
		}
		done("a " + flow + " flow button")
	}
	if cmds := h.Fake.Commands(`{"type":"chat","chat_id":`+strconv.FormatInt(c.U.ID, 10)+`}`, ""); len(cmds) != 0 {
		t.Fatalf("got a command menu of their own: %+v", cmds)
	}
}
