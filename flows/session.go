package flows

import (
	"context"
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

// Enter puts the chat into a flow at a step and asks its question.
func (s *Session) Enter(flow, step string) error {
	s.Conv.Flow, s.Conv.Step = flow, step
	f, ok := s.e.flows[flow]
	if !ok {
		return fmt.Errorf("enter unknown flow %q", flow)
	}
	return f.Ask(s)
}

// Goto moves to another step of the current flow and asks it.
func (s *Session) Goto(step string) error { return s.Enter(s.Conv.Flow, step) }

// Leave ends the current flow; the answers are dropped.
func (s *Session) Leave() { s.Conv.Reset() }

// Data returns an answer stored in the conversation.
func (s *Session) Data(key string) string { return s.Conv.Data[key] }

// SetData stores an answer in the conversation.
func (s *Session) SetData(key, value string) {
	if s.Conv.Data == nil {
		s.Conv.Data = map[string]string{}
	}
	s.Conv.Data[key] = value
}

// cb builds the callback data of a flow button. The engine checks flow and
// step on the tap, so a button from an old message is recognised as stale.
func cb(flow, step, value string) string { return flow + ":" + step + ":" + value }

// action builds the data of a stateless button, valid whatever the chat is
// doing (a language choice, a card refresh).
func action(name, value string) string { return "x:" + name + ":" + value }

// parseCallback splits callback data into its three parts.
func parseCallback(data string) (flow, step, value string) {
	parts := strings.SplitN(data, ":", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}
