package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Moving a card to a new Telegram account (domain.MakeCardMove): the
// customer card's "📲 New Telegram" button gives an owner or a manager a
// one-time link and its QR; the customer opens it in the new account.

// CardMoveLink is the deep link that moves a card to whoever opens it.
func CardMoveLink(botUsername, token string) string {
	return DeepLink(botUsername, domain.StartCardMove.Prefix()+token)
}

// cardMoveAction makes the link for the customer of the card's button
// ("c<customer id>").
func cardMoveAction(s *Session, value string) error {
	idText, ok := strings.CutPrefix(value, "c")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	token, c, err := s.e.Service.MakeCardMove(s.Ctx, s.Tx, s.Staff, id)
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	link := CardMoveLink(s.e.BotUsername, token)
	s.Send(Reply{QR: link, Text: s.T("move.created", map[string]any{"Name": c.FirstName, "Link": link,
		"Hours": int(domain.CardMoveTTL / time.Hour)})})
	return nil
}

// claimCardMove is an m_ link opened: the card comes to this account.
func claimCardMove(s *Session, token string) error {
	c, err := s.e.Service.ClaimCardMove(s.Ctx, s.Tx, token, s.In.User.ID, s.In.ChatID, s.Customer)
	var v *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrCardMoveYours):
		s.Say("move.yours", nil)
		return s.e.resume(s)
	case errors.Is(err, domain.ErrNotFound):
		s.Say("move.invalid", nil)
		return s.e.resume(s)
	case errors.As(err, &v):
		s.Say(v.Reason, nil)
		return s.e.resume(s)
	case err != nil:
		return err
	}
	s.Customer = c
	// What a newcomer had begun (joining, erasing it) was about the row
	// just erased; a staff member's step half way (a checkout) is their
	// work, and is asked again after the card, as /start does.
	midStep := s.Staff.CanCheckout() && s.Conv.Flow != "" && s.Conv.Flow != flowOnboarding && s.Conv.Flow != flowPrivacy
	if !midStep {
		s.Conv.Reset()
	}
	if c.Language != "" {
		s.SetData("lang", c.Language)
		s.SetLang(c.Language)
	}
	s.Say("move.done", map[string]any{"Business": s.e.Business.Name})
	if err := showCard(s, ""); err != nil || !midStep {
		return err
	}
	return s.e.resume(s)
}

// notifyCardMoved tells the account the card left, in case it was not
// them, and the staff member who made the link.
func (e *Engine) notifyCardMoved(ctx context.Context, tx domain.Tx, ev domain.CardMoved) error {
	c := ev.Customer
	lang := e.Business.Language(c.Language, "")
	if ev.OldChatID != 0 {
		err := e.queue(ctx, tx, Reply{ChatID: ev.OldChatID, Text: e.translate(e.localizer(lang), "move.old_account",
			map[string]any{"Business": e.Business.Name})})
		if err != nil {
			return err
		}
	}
	if ev.By == nil || ev.By.ChatID == 0 {
		return nil
	}
	return e.queue(ctx, tx, Reply{ChatID: ev.By.ChatID, Text: e.translate(e.localizer(e.staffLang(ctx, tx, ev.By)),
		"move.opened", map[string]any{"Name": c.FirstName, "ID": c.ID}), About: c.ID})
}

func init() {
	registerAction("cardmove", cardMoveAction)
}
