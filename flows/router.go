package flows

import (
	"errors"
	"regexp"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// route decides who handles an input: global commands and stateless
// buttons first, then the chat's current flow, then a friendly hint.
func (e *Engine) route(s *Session) error {
	if s.Data(domain.ConvCustomerErased) != "" {
		// The customer a step of theirs was about erased their data
		// meanwhile, which ended the step: words, a photo or a tap meant
		// for it are answered that nothing of it went or was kept; a
		// command or a stateless button goes on as usual.
		delete(s.Conv.Data, domain.ConvCustomerErased)
		switch {
		case s.Conv.Flow != "", s.In.Kind == InputCommand:
		case s.In.Kind == InputCallback:
			if _, _, _, _, stateless := parseAction(s.In.Callback.Data); !stateless {
				s.Send(Reply{EditMessageID: s.In.Callback.MessageID, Inline: [][]Button{}})
				s.Say("common.step_customer_erased", nil)
				return nil
			}
		default:
			s.Say("common.step_customer_erased", nil)
			return nil
		}
	}
	switch s.In.Kind {
	case InputCommand:
		return e.command(s)
	case InputCallback:
		return e.callback(s)
	}
	if f, ok := registry.flows[s.Conv.Flow]; ok {
		if taken, err := codeWordInFlow(s, f); taken || err != nil {
			return err
		}
		return f.Handle(s)
	}
	if !s.Customer.Member() && !s.Staff.CanCheckout() {
		// Someone who writes anything before joining is welcomed in; a
		// code word they wrote gives its points with the card. (Staff
		// writing outside a step get the hint: their words are meant for
		// a step that ended, say a reply to a customer who erased their
		// data meanwhile, not a wish to join; /start joins them.)
		p, err := codeWordOfNewcomer(s)
		if err != nil {
			return err
		}
		return startOnboarding(s, p)
	}
	text := strings.TrimSpace(s.In.Text)
	if s.In.Kind == InputText && text != "" && s.Customer.Member() {
		if used, err := useCodeWord(s, text); used || err != nil {
			return err
		}
	}
	if !s.Staff.CanCheckout() && (s.In.Kind == InputText && text != "" || s.In.Kind == InputPhoto) {
		// Words (or a photo: "do you have this?") outside any step are
		// most often a question to the shop.
		return startInquiry(s, text, s.In.Photo)
	}
	if !s.Staff.CanCheckout() && s.In.Kind == InputOther {
		// A voice note, a sticker, a file: the shop cannot be given it,
		// and the member is told how to ask instead.
		s.Say("inquiry.text_only", nil)
		return nil
	}
	s.Say("common.hint", nil)
	return nil
}

// command runs a registered command. A command in the middle of a flow
// does its job and then asks the pending question again.
func (e *Engine) command(s *Session) error {
	if c, ok := registry.commands[s.In.Command]; ok {
		return c.run(s)
	}
	s.Say("common.unknown_command", nil)
	return e.resume(s)
}

// help lists what the person can do; staff hear about their commands too.
func help(s *Session) error {
	ids := helpMessages(s.Staff)
	// As in the menu: a command the business does not offer (one
	// language, a game switched off) has no line.
	text := func(id string) string {
		return strings.TrimRight(helpLine.ReplaceAllStringFunc(s.T(id, nil), func(line string) string {
			if m := helpLine.FindStringSubmatch(line); !s.e.isOffered(m[1]) {
				return ""
			}
			return line
		}), "\n")
	}
	s.Send(Reply{Text: text(ids[0]) + "\n\n" + text(ids[1])})
	if len(ids) > 2 {
		var staff []string
		for _, id := range ids[2:] {
			staff = append(staff, text(id))
		}
		s.Send(Reply{Text: strings.Join(staff, "\n\n")})
	}
	return s.e.resume(s)
}

// helpLine is a line of /help that names a command.
var helpLine = regexp.MustCompile(`(?m)^/([a-z]+) .*(?:\n|$)`)

// helpMessages are the messages /help sends st (nil: a customer): the
// customer's two, then the staff part of their role, which lists the
// commands of their menus (staffMenus).
func helpMessages(st *domain.Staff) []string {
	ids := []string{"help.text", "help.games"}
	switch {
	case st.CanManage() && st.Role == domain.RoleOwner:
		ids = append(ids, "help.manager", "help.owner")
	case st.CanManage():
		ids = append(ids, "help.manager")
	case st.CanCheckout():
		ids = append(ids, "help.cashier")
	}
	return ids
}

func init() {
	registerCommand("start", MenuCustomer, 70, func(s *Session) error { return s.e.start(s) })
	registerCommand("help", MenuCustomer, 50, help)
}

// resume asks the pending question of the current flow again, if any.
// Staff are offered a card of their own only "if you would like one":
// a joining they left open is not asked again after each of their
// commands (its buttons still work, and /start offers it again).
func (e *Engine) resume(s *Session) error {
	if s.Conv.Flow == flowOnboarding && s.Staff.CanCheckout() {
		return nil
	}
	if f, ok := registry.flows[s.Conv.Flow]; ok {
		return f.Ask(s)
	}
	return nil
}

// start handles /start with an optional deep-link payload.
func (e *Engine) start(s *Session) error {
	p, err := domain.ParseStartPayload(s.In.Args)
	if err != nil {
		p = domain.StartPayload{} // a mangled link is a plain /start
	}
	switch p.Kind {
	case domain.StartCard:
		// Only staff may act on a card. Anyone else learns nothing about
		// its owner, not even whether the code is genuine.
		if s.Staff.CanCheckout() {
			return startCheckout(s, "c_"+p.Value)
		}
		s.Say("card.scan.not_staff", nil)
		return e.resume(s)
	case domain.StartInvite:
		return acceptInvite(s, p.Value)
	case domain.StartWaitlist:
		return openWaitlist(s, p)
	case domain.StartCardMove:
		return claimCardMove(s, p.Value)
	case domain.StartReferral:
		if p, err = openReferral(s, p); err != nil {
			return err
		}
	case domain.StartCodeWord:
		if p, err = openCodeWord(s, p); err != nil {
			return err
		}
		if p.Kind == domain.StartCodeWord && s.Customer.Member() {
			return e.resume(s) // said what the word gave
		}
	}
	midStep := s.Conv.Flow != "" && s.Conv.Flow != flowOnboarding
	if s.Customer.Member() {
		// A plain /start (Telegram's Restart, a tap on the menu) or a
		// register poster (s_) in the middle of a step shows the card
		// and asks the step again: a cashier's checkout, a profile half
		// answered, a rating's comment are not lost.
		if err := showCard(s, "card.welcome_back"); err != nil {
			return err
		}
		if midStep {
			return e.resume(s)
		}
		return nil
	}
	if s.Conv.Flow == flowOnboarding {
		if p.Kind == domain.StartStore && s.Data("store") == "" {
			rememberStore(s, p.Value)
		}
		if p.Kind == domain.StartCodeWord {
			if err := rememberCodeWord(s, p.Value); err != nil {
				return err
			}
		}
		s.Say("onboarding.resume", nil)
		// Asked for, staff included: resume leaves their joining be.
		return onboarding{}.Ask(s)
	}
	if s.Staff.CanCheckout() && (p.Kind == domain.StartNone || midStep && p.Kind == domain.StartStore) {
		// Staff who are no members yet (an owner's first /start, a
		// cashier's client restarted) hear first that the bot knows
		// them; the card of their own follows, theirs to take or not.
		// Half way through a step, a link (the register's poster
		// scanned by mistake) does not swap it for joining.
		st := s.Staff
		welcome := "staff.start.not_member"
		if st.Role == domain.RoleOwner || st.Role == domain.RoleManager {
			welcome += "." + string(st.Role) // where they start: /staff, /stats, /help
		}
		s.Say(welcome, map[string]any{"Role": s.T("role."+string(st.Role), nil), "Store": s.storeName(st.ShopID)})
		if midStep {
			return e.resume(s) // a checkout half way stays
		}
	}
	return startOnboarding(s, p)
}

// callback handles a button tap. Callback data comes from the person's
// client and proves nothing: a stateless action runs only with the MAC
// the bot gave it for this chat, and then still checks that the person
// may do it now; a flow button runs only while the chat is at the flow,
// step and nonce that showed it. Anything else is stale: a toast, the
// dead buttons taken away, and the pending question asked again.
func (e *Engine) callback(s *Session) error {
	data := s.In.Callback.Data
	if name, value, mac, signed, ok := parseAction(data); ok {
		return e.action(s, name, value, mac, signed)
	}
	flow, step, nonce, _ := parseCallback(data)
	f, ok := registry.flows[flow]
	if !ok || s.Conv.Flow != flow || s.Conv.Step != step || nonce == "" || nonce != s.Data(nonceKey) {
		s.Toast("error.stale_button")
		// Take the dead buttons away so they are not tapped again.
		s.Send(Reply{EditMessageID: s.In.Callback.MessageID, Inline: [][]Button{}})
		return e.resume(s)
	}
	return f.Handle(s)
}

// action runs a registered stateless button whose MAC is the one the bot
// signed it with for this chat (SignButtons); each action then checks its
// own right (only a member refreshes a card or opens a section that
// applies to them, only a manager cancels a purchase of their store).
// A button without a MAC comes from a message sent before buttons were
// signed: only a view action (registerViewAction), which shows the person
// their own things, takes it. A missing or wrong MAC is a stale button:
// a toast, and nothing happens.
func (e *Engine) action(s *Session, name, value, mac, signed string) error {
	a, ok := registry.actions[name]
	switch {
	case !ok:
	case mac == "" && a.view:
		return a.run(s, value)
	case mac != "" && e.Signer.VerifyButtonMAC(s.In.ChatID, signed, mac):
		return a.run(s, value)
	}
	s.Toast("error.stale_button")
	return nil
}

// DeepLink is the t.me link that opens the bot with /start payload: a
// card, a store's poster, an invitation, a code word…
func DeepLink(botUsername, payload string) string {
	return "https://t.me/" + botUsername + "?start=" + payload
}

// noPayload is a plain /start.
var noPayload = domain.StartPayload{}

// isNotFound is a small helper for optional lookups.
func isNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }
