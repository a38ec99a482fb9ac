package flows

import (
	"context"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"

	"github.com/loyaltybot/loyaltybot/domain"
)

// ReferralLink is a member's personal invite link (DESIGN §3: r_<code>).
func ReferralLink(botUsername, code string) string {
	return DeepLink(botUsername, domain.StartReferral.Prefix()+code)
}

// inviteCommand is /invite: the member's link as text and as a QR to
// show a friend's phone camera, what it pays, a share button and how
// many friends came so far.
func inviteCommand(s *Session) error {
	cfg := s.e.Business.Gamification.Referral
	if !cfg.Enabled {
		s.Say("invite.disabled", nil)
		return s.e.resume(s)
	}
	code, err := s.e.Service.InviteCode(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	stats, err := s.e.Service.ReferralStats(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	link := ReferralLink(s.e.BotUsername, code)
	text := s.T("invite.text", map[string]any{"Business": s.e.Business.Name, "Bonus": s.points(cfg.ReferrerBonus),
		"FriendBonus": s.points(cfg.FriendBonus), "Link": link})
	if stats.Joined > 0 {
		text += "\n\n" + s.T("invite.stats", map[string]any{"Joined": stats.Joined, "Bought": stats.Bought})
	}
	share := "https://t.me/share/url?url=" + url.QueryEscape(link) + "&text=" +
		url.QueryEscape(s.T("invite.share_text", map[string]any{"Business": s.e.Business.Name, "Bonus": s.points(cfg.FriendBonus)}))
	s.Send(Reply{QR: link, Text: text, Inline: [][]Button{{{Text: s.T("invite.share", nil), URL: share}}}})
	return s.e.resume(s)
}

// openReferral handles /start r_<code>. A newcomer hears who invited them
// and what the friend's link brings, and joins as usual with the code
// remembered; a member learns the link is not for them (their own, or
// they are a member already). An unknown code, or referrals switched
// off, is a plain /start: the payload it returns says which.
func openReferral(s *Session, p domain.StartPayload) (domain.StartPayload, error) {
	ref, err := s.e.Service.FindReferrer(s.Ctx, s.Tx, p.Value)
	if errors.Is(err, domain.ErrNotFound) {
		return noPayload, nil
	}
	if err != nil {
		return noPayload, err
	}
	referrer := ref.Customer
	if s.Customer.Member() {
		if referrer.ID == s.Customer.ID {
			s.Say("invite.own_link", nil)
		} else {
			s.Say("invite.already_member", nil)
		}
		return noPayload, nil
	}
	s.Say("invite.greeting", map[string]any{"Name": referrer.FirstName, "Business": s.e.Business.Name,
		"Bonus": s.points(s.e.Business.Gamification.Referral.FriendBonus)})
	if s.Conv.Flow != flowOnboarding || s.Data("referral") == "" {
		// The member it names now: their code goes should they erase
		// their data before the newcomer finishes joining, the promise
		// just made does not (startOnboarding keeps it with the code).
		s.SetData("referrer", strconv.FormatInt(referrer.ID, 10))
		s.SetData("referrer_phone", hex.EncodeToString(ref.PhoneHash))
	}
	if s.Conv.Flow == flowOnboarding && s.Data("referral") == "" {
		s.SetData("referral", p.Value)
	}
	return p, nil
}

// sayReferral tells a new member what the friend's link will bring.
func sayReferral(s *Session, o domain.ReferralOutcome) {
	switch o {
	case domain.ReferralPending:
		if s.e.Business.Gamification.Referral.FriendBonus == 0 {
			return
		}
		s.Say("invite.pending", map[string]any{"Bonus": s.points(s.e.Business.Gamification.Referral.FriendBonus)})
	case domain.ReferralRefused:
		s.Say("invite.refused", nil)
	}
}

// notifyReferral tells both sides of a completed referral about their
// points. The member who invited is not told who bought what.
func (e *Engine) notifyReferral(ctx context.Context, tx domain.Tx, ev domain.ReferralCompleted) error {
	say := func(c *domain.Customer, id string, bonus int64) error {
		if c == nil || bonus <= 0 || c.ChatID == 0 || c.Unreachable || c.Erased {
			return nil
		}
		loc := e.localizer(e.Business.Language(c.Language, ""))
		return e.queue(ctx, tx, Reply{ChatID: c.ChatID,
			Text: e.translate(loc, id, map[string]any{"Bonus": e.points(loc, bonus)})})
	}
	if err := say(ev.Friend, "invite.friend_paid", ev.FriendBonus); err != nil {
		return err
	}
	return say(ev.Referrer, "invite.referrer_paid", ev.ReferrerBonus)
}

// notifyReferralVoided tells each side whose bonus was taken back that
// the purchase which paid it was returned. The member who invited is not
// told who returned what.
func (e *Engine) notifyReferralVoided(ctx context.Context, tx domain.Tx, ev domain.ReferralVoided) error {
	say := func(c *domain.Customer, id string, taken int64) error {
		if c == nil || taken <= 0 || c.ChatID == 0 || c.Unreachable || c.Erased {
			return nil
		}
		loc := e.localizer(e.Business.Language(c.Language, ""))
		return e.queue(ctx, tx, Reply{ChatID: c.ChatID,
			Text: e.translate(loc, id, map[string]any{"Bonus": e.points(loc, taken)})})
	}
	if err := say(ev.Friend, "invite.friend_voided", ev.FriendTaken); err != nil {
		return err
	}
	return say(ev.Referrer, "invite.referrer_voided", ev.ReferrerTaken)
}

func init() {
	registerCommand("invite", MenuCustomer, 86, membersOnly(inviteCommand))
}
