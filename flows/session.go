package flows

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Session is the context of one input: the transaction, the locked
// conversation, the customer (nil before consent) and the replies so far.
type Session struct {
	Ctx      context.Context
	Tx       domain.Tx
	Conv     *domain.Conversation
	Customer *domain.Customer
	// Staff is the person's staff record, nil when they are not staff;
	// check Staff.Active() before trusting it (revoked records are kept).
	Staff *domain.Staff
	In    Input
	Lang  string

	e            *Engine
	replies      []Reply
	callbackText string
	loc          *i18n.Localizer
	notes        []string // reward notes said on top of the next message
}

// T translates a message id. data may be nil; a "Count" key selects the
// plural form.
func (s *Session) T(id string, data map[string]any) string {
	return s.e.translate(s.loc, id, data)
}

// SetLang switches the session language (after /language).
func (s *Session) SetLang(lang string) {
	s.Lang = lang
	s.loc = s.e.localizer(lang)
}

// Send adds a reply to the current chat.
func (s *Session) Send(r Reply) {
	if r.ChatID == 0 {
		r.ChatID = s.In.ChatID
	}
	s.replies = append(s.replies, r)
}

// Say sends a plain message.
func (s *Session) Say(id string, data map[string]any) { s.Send(Reply{Text: s.T(id, data)}) }

// Toast sets the short text shown when the callback is answered.
func (s *Session) Toast(id string) { s.callbackText = s.T(id, nil) }

// Edit replaces the tapped message's text and buttons: step-by-step flows
// edit in place rather than posting a message per tap.
func (s *Session) Edit(r Reply) {
	if s.In.Callback != nil && s.In.Callback.MessageID != 0 {
		r.EditMessageID = s.In.Callback.MessageID
	}
	s.Send(r)
}

// Enter puts the chat into a flow at a step and asks its question. Each
// entry draws a new nonce for the step's buttons (see cb), so a button of
// an earlier run of the flow, or of an earlier visit to the same step,
// is refused as stale instead of acting on the current one.
func (s *Session) Enter(flow, step string) error {
	s.Conv.Flow, s.Conv.Step = flow, step
	s.SetData(nonceKey, newNonce())
	f, ok := registry.flows[flow]
	if !ok {
		return fmt.Errorf("enter unknown flow %q", flow)
	}
	return f.Ask(s)
}

// Goto moves to another step of the current flow and asks it.
func (s *Session) Goto(step string) error { return s.Enter(s.Conv.Flow, step) }

// Leave ends the current flow; the answers are dropped.
func (s *Session) Leave() { s.Conv.Reset() }

// leftStaffFlow is the prologue of a staff flow's every step: someone who
// may no longer do it (allowed false: revoked, or their role changed half
// way) leaves it told refused, and a tap on its Cancel button leaves it
// with cancelled in place of the question. It reports whether the update
// was answered so.
func (s *Session) leftStaffFlow(allowed bool, refused, cancelled string) bool {
	switch {
	case !allowed:
		s.Leave()
		s.Say(refused, nil)
	case s.In.Kind == InputCallback && s.tapValue() == "cancel":
		s.Leave()
		s.Edit(Reply{Text: s.T(cancelled, nil)})
	default:
		return false
	}
	return true
}

// Data returns an answer stored in the conversation.
func (s *Session) Data(key string) string { return s.Conv.Data[key] }

// SetData stores an answer in the conversation.
func (s *Session) SetData(key, value string) {
	if s.Conv.Data == nil {
		s.Conv.Data = map[string]string{}
	}
	s.Conv.Data[key] = value
}

// nonceKey is the conversation data key of the nonce the buttons of the
// current step carry.
const nonceKey = "nonce"

// maxCallbackData is the most bytes Telegram takes as a button's callback
// data; a longer one fails the whole message.
const maxCallbackData = 64

// newNonce draws 6 characters that tell one entry of a step from another.
// They guard against mix-ups, not attackers: the chat's own person taps.
func newNonce() string {
	b := make([]byte, 4)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cb builds the callback data of a flow button: "flow:step:nonce:value".
// The engine runs the tap only while the chat is at that flow and step
// and the step's nonce is the same (router.go), so Confirm of checkout A
// never confirms checkout B. The longest data, a questionnaire button
// ("profile:q.<32-char id>:<nonce>:later"), is 55 bytes of Telegram's 64
// (TestLongestButtonsFitTelegram).
func (s *Session) cb(flow, step, value string) string {
	if s.Data(nonceKey) == "" {
		// A conversation saved before nonces existed.
		s.SetData(nonceKey, newNonce())
	}
	return flow + ":" + step + ":" + s.Data(nonceKey) + ":" + value
}

// action builds the data of a stateless button, valid whatever the chat is
// doing (a language choice, a card refresh): "x:<name>:<value>". This is
// how it is stored in the outbox; the bot signs it for the chat it goes
// to as it sends it (SignButtons), because only then is the chat certain
// (a broadcast's rows are made in SQL, one payload for many chats).
func action(name, value string) string { return "x:" + name + ":" + value }

// actionMACLen is the MAC a sent stateless button carries.
const actionMACLen = domain.ButtonMACLen

// tappedKeyboardWithout is the keyboard of the message tapped
// (Callback.Keyboard) without the buttons drop says, and without the rows
// left empty: what an edit of only some of its buttons leaves in place.
func (s *Session) tappedKeyboardWithout(drop func(Button) bool) [][]Button {
	if s.In.Callback == nil {
		return nil
	}
	var rows [][]Button
	for _, row := range s.In.Callback.Keyboard {
		var kept []Button
		for _, b := range row {
			if !drop(b) {
				kept = append(kept, b)
			}
		}
		if len(kept) > 0 {
			rows = append(rows, kept)
		}
	}
	return rows
}

// SignButtons signs every stateless button of r for the chat r goes to:
// "x:<name>:<value>" becomes "x<mac>:<name>:<value>", the MAC over the
// chat, name and value (domain.CardSigner.ButtonMAC). The router runs an
// action only when the MAC matches the chat the tap comes from, so data
// the bot never sent to that chat (another chat's button, a tampered
// value) does nothing. Flow buttons are left alone: they are bound to the
// conversation's step and nonce already.
func (e *Engine) SignButtons(r Reply) Reply {
	if len(r.Inline) == 0 {
		return r
	}
	rows := make([][]Button, len(r.Inline))
	for i, row := range r.Inline {
		rows[i] = make([]Button, len(row))
		for j, b := range row {
			if rest, ok := strings.CutPrefix(b.Data, "x:"); ok {
				b.Data = "x" + e.Signer.ButtonMAC(r.ChatID, rest) + ":" + rest
			}
			rows[i][j] = b
		}
	}
	r.Inline = rows
	return r
}

// parseCallback splits the data of a flow button (see cb).
func parseCallback(data string) (flow, step, nonce, value string) {
	parts := strings.SplitN(data, ":", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2], parts[3]
}

// parseAction splits the data of a stateless button: signed
// ("x<mac>:<name>:<value>") or, from a message sent before buttons were
// signed, unsigned ("x:<name>:<value>", mac empty). signed is what the
// MAC covers. ok is false for a flow button (no flow name starts with
// "x", registerFlow sees to it).
func parseAction(data string) (name, value, mac, signed string, ok bool) {
	rest, ok := strings.CutPrefix(data, "x:")
	if !ok {
		if len(data) < 2+actionMACLen || data[0] != 'x' || data[1+actionMACLen] != ':' {
			return "", "", "", "", false
		}
		mac, rest = data[1:1+actionMACLen], data[2+actionMACLen:]
	}
	name, value, _ = strings.Cut(rest, ":")
	return name, value, mac, rest, true
}

// tapValue is the value of the flow button tapped.
func (s *Session) tapValue() string {
	if s.In.Callback == nil {
		return ""
	}
	_, _, _, v := parseCallback(s.In.Callback.Data)
	return v
}
