package flows

import (
	"context"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// maxNextBadges is how many badges within reach /badges names.
const maxNextBadges = 10

// showBadges is /badges: the badges earned, newest first, and the next
// ones within reach with the progress towards each ("3 of 5 visits").
func showBadges(s *Session) error {
	g := &s.e.Business.Gamification
	if !g.HasBadges() {
		s.Say("badges.none_configured", nil)
		return s.e.resume(s)
	}
	board, err := s.e.Service.Badges(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	if len(board.Earned) == 0 && !s.e.Service.OffersBadges() {
		// Only badges nobody can earn here (invites off, no birthday
		// asked): nothing to show, nothing to hint at.
		s.Say("badges.none_configured", nil)
		return s.e.resume(s)
	}
	loc := s.e.location(s)
	var b strings.Builder
	if len(board.Earned) == 0 {
		b.WriteString(s.T("badges.header_empty", nil))
	} else {
		b.WriteString(s.T("badges.header", map[string]any{"N": len(board.Earned)}))
		for _, a := range board.Earned {
			badge, _ := g.Badge(a.Badge)
			b.WriteString("\n" + s.T("badges.earned_line", map[string]any{
				"Emoji": badge.Emoji, "Title": s.e.badgeTitle(s.loc, s.Lang, badge, a.Occurrence),
				"Date": a.At.In(loc).Format("02.01.2006")}))
		}
	}
	if len(board.Next) > 0 {
		b.WriteString("\n\n" + s.T("badges.next", nil))
		for i, st := range board.Next {
			if i == maxNextBadges {
				break
			}
			b.WriteString("\n" + s.badgeStepLine(st))
		}
	}
	s.Send(Reply{Text: b.String()})
	return s.e.resume(s)
}

// badgeStepLine says how far a badge is: "🛍 5 visits — 3 of 5 visits".
func (s *Session) badgeStepLine(st domain.BadgeStep) string {
	b := st.Badge
	var progress string
	switch {
	case st.Total > 1:
		progress = s.T("badges.progress", map[string]any{"N": st.N, "Total": st.Total,
			"Unit": s.T("badges.unit."+string(b.Kind), map[string]any{"Count": st.Total})})
	case b.Kind == domain.BadgeBiggestReceipt && st.BestAmount > 0:
		data := map[string]any{"Store": s.storeName(st.ShopID), "Amount": s.e.money(st.BestAmount, s.Lang),
			"Top": s.e.money(st.ShopTop, s.Lang)}
		if st.BestAmount >= st.ShopTop {
			progress = s.T("badges.receipt.lead", data)
		} else {
			progress = s.T("badges.receipt.behind", data)
		}
	case b.Kind == domain.BadgeBirthdayVisit && st.Birthday != "":
		// The day it counts next: 1 March for 29 February in a common year.
		d, ok := domain.NextBirthday(st.Birthday, s.e.Now().In(s.e.location(s)))
		if !ok {
			progress = s.T("badges.how.birthday_visit", nil)
			break
		}
		progress = s.T("badges.birthday.on", map[string]any{"Date": d.Format("02.01")})
	default:
		progress = s.T("badges.how."+string(b.Kind), nil)
	}
	return s.T("badges.next_line", map[string]any{"Emoji": b.Emoji, "Title": s.e.badgeTitle(s.loc, s.Lang, b, ""),
		"Progress": progress})
}

// badgeTitle is a badge's name in lang: the owner's title, else its
// kind's ("5 visits"); a monthly one names its store and month.
func (e *Engine) badgeTitle(loc *i18n.Localizer, lang string, b domain.Badge, occ string) string {
	title := e.textIn(b.Title, lang)
	if title == "" {
		title = e.translate(loc, "badges.kind."+string(b.Kind), map[string]any{"Count": b.Count})
	}
	if code, month, ok := domain.ParseMonthOccurrence(occ); ok {
		store := e.storeNameByCode(code)
		if store == "" {
			store = code
		}
		title += " " + e.translate(loc, "badges.month", map[string]any{"Store": store, "Month": e.monthOf(loc, month)})
	}
	return title
}

// announceBadge tells the customer about a badge they just earned, with
// the points it brought and a way to see the others.
func (e *Engine) announceBadge(ctx context.Context, tx domain.Tx, ev domain.BadgeEarned) error {
	r, loc, ok := e.badgeNotice(ev.Customer, ev.Badge, ev.Occurrence, ev.Points, "badges.announce", "badges.announce.points")
	if !ok {
		return nil
	}
	r.Inline = [][]Button{{{Text: e.translate(loc, "badges.button", nil), Data: action("badges", "show")}}}
	return e.queue(ctx, tx, r)
}

// badgeTakenBack tells the customer a badge went with the purchase that
// earned it (cancelled or returned in full), or with a friend's voided
// referral (without naming the friend), and its points.
func (e *Engine) badgeTakenBack(ctx context.Context, tx domain.Tx, ev domain.BadgeTakenBack) error {
	id := "badges.taken_back"
	if ev.Referral {
		id = "badges.taken_back.referral"
	}
	r, _, ok := e.badgeNotice(ev.Customer, ev.Badge, ev.Occurrence, ev.Points, id, "badges.taken_back.points")
	if !ok {
		return nil
	}
	return e.queue(ctx, tx, r)
}

// badgeNotice writes a message about a badge to its customer, in their
// language: id with the badge's emoji and title, then pointsID with its
// points when there are any. ok is false when the customer cannot be
// written to.
func (e *Engine) badgeNotice(c *domain.Customer, b domain.Badge, occ string, points int64, id, pointsID string) (Reply, *i18n.Localizer, bool) {
	if c == nil || c.ChatID == 0 || c.Unreachable || c.Erased {
		return Reply{}, nil, false
	}
	lang := e.Business.Language(c.Language, "")
	loc := e.localizer(lang)
	text := e.translate(loc, id, map[string]any{"Emoji": b.Emoji, "Title": e.badgeTitle(loc, lang, b, occ)})
	if points > 0 {
		text += "\n" + e.translate(loc, pointsID, map[string]any{"Points": e.points(loc, points)})
	}
	return Reply{ChatID: c.ChatID, Text: text}, loc, true
}

// points says a number of points in words: "1 point", "120 points".
func (e *Engine) points(loc *i18n.Localizer, n int64) string {
	return e.translate(loc, "games.points", map[string]any{"Count": n})
}

// points is Engine.points in the session's language.
func (s *Session) points(n int64) string { return s.e.points(s.loc, n) }

func init() {
	registerCommand("badges", MenuCustomer, 82, membersOnly(showBadges))
	registerViewAction("badges", func(s *Session, _ string) error {
		if !s.Customer.Member() {
			s.Toast("error.stale_button")
			return nil
		}
		return showBadges(s)
	})
}
