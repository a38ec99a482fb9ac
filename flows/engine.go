package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Flow is one conversation. Ask (re)sends the question of the current step:
// on entry, after an interruption and after a stale tap, so nothing is lost.
// Handle takes an input while the chat is in the flow.
type Flow interface {
	Name() string
	Ask(s *Session) error
	Handle(s *Session) error
}

// Config wires an Engine.
type Config struct {
	Store domain.Store
	// Service runs the use cases; the engine adds its reactions to it
	// (give the POS API the same one). nil: one is made from the fields
	// below.
	Service  *domain.Service
	Business *domain.Business
	Signer   *domain.CardSigner
	Bundle   *i18n.Bundle
	// Plurals are the ids of the messages with plural forms
	// (locales.Plurals): only they are given a Count as the count that
	// chooses the form. nil: every message with a Count is tried as a
	// plural first, and asked again without when it has no forms.
	Plurals     map[string]bool
	BotUsername string
	// Salt keys the hash kept of an erased customer's phone.
	Salt   []byte
	Now    func() time.Time // injectable clock; time.Now when nil
	Logger *slog.Logger
}

// Engine routes inputs to flows inside one transaction per input.
type Engine struct {
	Config

	mu    sync.Mutex
	locs  map[string]*i18n.Localizer
	langs map[*i18n.Localizer]string // each of locs' language

	ownTexts sync.Map // ownTextKey → *template.Template: owners' nudge texts, parsed once
}

// NewEngine builds an engine over the flows the flow files registered.
func NewEngine(c Config) *Engine {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Service == nil {
		c.Service = domain.NewService(c.Business, c.Signer, c.Salt, c.Now)
	}
	e := &Engine{Config: c, locs: map[string]*i18n.Localizer{}, langs: map[*i18n.Localizer]string{}}
	c.Service.On(e.react)
	return e
}

// Outcome is what handling an input produced: outbox rows this process
// holds and must send now, and the text for answering a callback query.
type Outcome struct {
	// Outbox holds the replies written, held by this process (see
	// domain.OutboxWriter.Hold) since HeldSince, wall-clock time taken
	// before the transaction began.
	Outbox       []domain.OutMessage
	HeldSince    time.Time
	CallbackText string
	Duplicate    bool // the update was handled before; nothing was done
	// Queued says the update's reactions queued messages for the
	// background sender (another chat's notice, an alert): wake it.
	Queued bool
	// Staff says a staff member wrote the update: the adapter serves
	// their chat's next updates first (bot/lanes.go).
	Staff bool
}

// Handle processes one input: it claims the stored update, locks the
// chat's conversation, runs the flow and writes the replies to the outbox,
// all in one transaction. An internal error rolls everything back; the
// person then gets a polite message and the update is not retried forever.
// The database being away (domain.ErrUnavailable) is not such an error:
// nothing was decided, so Handle returns it untouched for the caller to
// try the same update again once the database is back, instead of telling
// the person something went wrong and dropping what they did.
//
// With ErrUnavailable the Outcome is the attempt's all the same: its
// COMMIT may have reached the server with the answer lost on the way, and
// then the replies it holds are the caller's to send once a retry finds
// the update handled (see bot's process).
func (e *Engine) Handle(ctx context.Context, in Input) (Outcome, error) {
	out, err := e.handle(ctx, in, readsFor(in), e.route)
	if err == nil {
		return out, nil
	}
	if errors.Is(err, domain.ErrUnavailable) {
		return out, err
	}
	e.Logger.Error("handle update", "err", err, "update_id", in.UpdateID, "chat", in.ChatID)
	out, err2 := e.handle(ctx, in, 0, func(s *Session) error {
		s.Say("error.internal", nil)
		return nil
	})
	if err2 != nil {
		return Outcome{}, errors.Join(err, err2)
	}
	return out, err
}

// SlowDown answers the first update of a burst over the adapter's flood
// limit: the update is recorded as handled without running any flow, and
// the person is asked, in their language, to slow down. The rest of the
// burst is dropped by the adapter before it is even stored.
func (e *Engine) SlowDown(ctx context.Context, in Input) (Outcome, error) {
	return e.handle(ctx, in, 0, func(s *Session) error {
		s.Say("error.flood.slow_down", nil)
		return nil
	})
}

// handle runs fn on in in a transaction that opens the chat, reading
// also along with it (readsFor).
func (e *Engine) handle(ctx context.Context, in Input, also domain.ChatReads, fn func(*Session) error) (Outcome, error) {
	var out Outcome
	var queued *bool
	var held []*domain.OutMessage // written with the commit, which fills in their ids
	err := e.Store.Update(ctx, func(tx domain.Tx) error {
		out = Outcome{HeldSince: time.Now()}
		ctx, queued = withQueueMark(ctx)
		chat, err := tx.OpenChat(ctx, in.ChatID, in.User.ID, also)
		if err != nil {
			return err
		}
		conv, cust := chat.Conversation, chat.Customer
		if (cust != nil && cust.Unreachable) || (chat.Staff != nil && chat.Staff.Unreachable) {
			if err := tx.MarkChatReachable(ctx, in.ChatID); err != nil {
				return err
			}
			if cust != nil {
				cust.Unreachable = false
			}
			if chat.Staff != nil && chat.Staff.Unreachable {
				chat.Staff.Unreachable = false
				// Back after blocking the bot: the alerts they missed.
				if err := e.resendMissedAlerts(ctx, tx, chat.Staff); err != nil {
					return err
				}
			}
		}
		staff, newOwner, err := e.ownerOnFirstContact(ctx, tx, in, chat.Staff)
		if err != nil {
			return err
		}
		s := &Session{Ctx: ctx, Tx: tx, Conv: conv, Customer: cust, Staff: staff, In: in, e: e}
		chosen := conv.Data["lang"]
		if cust != nil {
			chosen = cust.Language
		}
		s.SetLang(e.Business.Language(chosen, in.User.LanguageCode))
		if newOwner {
			menu := e.StaffMenu(s.Lang, staff)
			s.Send(Reply{ChatCommands: &menu})
		}
		if err := safely(fn, s); err != nil {
			return err
		}
		if err := rememberStaffLang(s); err != nil {
			return err
		}
		if err := tx.SaveConversation(ctx, conv); err != nil {
			return err
		}
		held = held[:0]
		for _, r := range s.replies {
			payload, err := r.encode()
			if err != nil {
				return fmt.Errorf("encode reply: %w", err)
			}
			m := &domain.OutMessage{ChatID: r.ChatID, Payload: payload, About: r.About, AlsoAbout: r.AlsoAbout}
			if r.decodesAsItself() {
				r.About, r.AlsoAbout = 0, nil // not in the payload: the decoded reply has none
				m.Decoded = r                 // sent right after commit: not decoded again
			}
			if err := tx.Hold(ctx, m); err != nil {
				return err
			}
			held = append(held, m)
		}
		out.CallbackText = s.callbackText
		out.Staff = s.Staff != nil
		if in.UpdateID != 0 {
			// Claimed last, by the statement that marks it handled, which
			// goes out with COMMIT: no round trip of its own. A duplicate
			// (a redelivery, a replay, another replica's) waited on the
			// conversation's lock; its commit fails and it rolls back.
			if err := tx.FinishUpdate(ctx, in.UpdateID); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, domain.ErrHandledAlready) {
		return Outcome{Duplicate: true}, nil
	}
	// Also when the commit failed: if it landed all the same (its answer
	// lost), the bot finds the rows by their lease (Outbox.Held).
	for _, m := range held {
		out.Outbox = append(out.Outbox, *m)
	}
	if err == nil {
		out.Queued = *queued
	}
	return out, err
}

// rememberStaffLang records the language a staff member was answered in,
// when it changed, for what reaches them later outside their own
// updates (staffLang): an owner who never joined as a customer is
// written to in their Telegram language or their /language choice, as
// the bot answers them, not in the business default.
func rememberStaffLang(s *Session) error {
	st := s.Staff
	if st == nil || st.ID == 0 || st.Language == s.Lang {
		return nil
	}
	if err := s.Tx.SetStaffLanguage(s.Ctx, st.ID, s.Lang); err != nil {
		return err
	}
	if st.Language != "" && st.RevokedAt.IsZero() {
		// Their chat's command menu was written in the old language.
		menu := s.e.StaffMenu(s.Lang, st)
		s.Send(Reply{ChatCommands: &menu})
	}
	st.Language = s.Lang
	return nil
}

// ownerOnFirstContact returns the person's staff record st (nil: none),
// making one for an owner listed by Telegram id in the business config
// on their first contact (then true).
func (e *Engine) ownerOnFirstContact(ctx context.Context, tx domain.Tx, in Input, st *domain.Staff) (*domain.Staff, bool, error) {
	if st != nil || !slices.Contains(e.Business.Owners, in.User.ID) {
		return st, false, nil
	}
	st = &domain.Staff{TelegramID: in.User.ID, ChatID: in.ChatID, FirstName: in.User.FirstName, Role: domain.RoleOwner}
	if err := tx.SaveStaff(ctx, st); err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// countOver999 reports an integer count of four digits or more, the
// counts whose digits are grouped when shown.
func countOver999(v any) (int64, bool) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return 0, false
	}
	return n, n > 999 || n < -999
}

// safely runs a flow step, turning a panic into an error: the transaction
// rolls back, the person gets the polite internal-error message and the
// update is marked handled, instead of a poison update retried forever.
func safely(fn func(*Session) error, s *Session) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in flow %q step %q: %v\n%s", s.Conv.Flow, s.Conv.Step, r, debug.Stack())
		}
	}()
	return fn(s)
}

func (e *Engine) localizer(lang string) *i18n.Localizer {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.locs[lang]
	if !ok {
		l = i18n.NewLocalizer(e.Bundle, lang)
		e.locs[lang], e.langs[l] = l, lang
	}
	return l
}

// langOf is the language a localizer of e.localizer writes.
func (e *Engine) langOf(l *i18n.Localizer) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.langs[l]
}

// monthOf names a month as people of the localizer's language do:
// "December 2026", "декабрь 2026".
func (e *Engine) monthOf(l *i18n.Localizer, t time.Time) string {
	return e.translate(l, "month."+strconv.Itoa(int(t.Month())), map[string]any{"Year": t.Year()})
}

// num writes a count or an amount of points with its digits grouped as
// lang groups them ("12 345" in Russian, "12,345" in English).
func (e *Engine) num(n int64, lang string) string { return domain.FormatCount(n, lang) }

// num is Engine.num in the session's language.
func (s *Session) num(n int64) string { return domain.FormatCount(n, s.Lang) }

// translate never fails in front of a person: a missing message (which the
// locale tests prevent) shows its id and is logged. Count, the number a
// message's plural form agrees with, is shown with its digits grouped
// ("12 345 баллов"), while the form is chosen by the number itself.
func (e *Engine) translate(l *i18n.Localizer, id string, data map[string]any) string {
	switch id {
	case "onboarding.phone.ask", "error.phone.invalid", "customer.ask":
		// A number of the shop's country for the example, whichever
		// flow says the message.
		data = maps.Clone(data)
		if data == nil {
			data = map[string]any{}
		}
		data["Example"] = cmp.Or(e.Business.PhoneExample, "+7 912 345-67-89")
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: messageTemplates}
	if n, ok := data["Count"]; ok && (e.Plurals == nil || e.Plurals[id]) {
		cfg.PluralCount = n
	}
	if big, ok := countOver999(data["Count"]); ok {
		shown := maps.Clone(data)
		shown["Count"] = e.num(big, e.langOf(l))
		cfg.TemplateData = shown
	}
	text, err := l.Localize(cfg)
	if err != nil && cfg.PluralCount != nil {
		// A message without plural forms takes Count as plain data.
		cfg.PluralCount = nil
		text, err = l.Localize(cfg)
	}
	if err != nil {
		e.Logger.Error("translate", "id", id, "err", err)
		return id
	}
	return text
}
