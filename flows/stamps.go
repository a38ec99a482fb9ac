package flows

import (
	"context"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// The stamp card ([stamps], domain.StampsConfig): each purchase is a
// stamp, a prize of [[rewards]] with stamps = N is given for N of them.
// The card and /rewards say how far the next prize is, a purchase's
// message counts the stamp it earned, and the register offers the prize
// once the stamps pay for it (prizes.go).

// stamps says a number of stamps, with the noun's form.
func (e *Engine) stamps(loc *i18n.Localizer, n int) string {
	return e.translate(loc, "stamps.count", map[string]any{"Count": n})
}

// stampLine is the line about a card's stamps: the prize they pay for
// now, to ask for at the register, or how many of how many towards the
// closest ("" without a stamp card or stamp prizes).
func (e *Engine) stampLine(loc *i18n.Localizer, lang string, stamps int) string {
	r, paid, ok := e.Business.Gamification.StampGoal(stamps)
	switch {
	case !ok:
		return ""
	case paid:
		return e.translate(loc, "stamps.paid", map[string]any{"Reward": r.TitleIn(lang), "Have": e.stamps(loc, stamps)})
	}
	return e.translate(loc, "stamps.progress", map[string]any{"Have": stamps, "Need": r.Stamps, "Reward": r.TitleIn(lang)})
}

// cardStampLine is the card caption's stamp line, with its newline.
func (s *Session) cardStampLine(cardID int64) (string, error) {
	if !s.e.Business.Gamification.Stamps.Enabled {
		return "", nil
	}
	n, err := s.e.Service.Stamps(s.Ctx, s.Tx, cardID)
	if err != nil {
		return "", err
	}
	if line := s.e.stampLine(s.loc, s.Lang, n); line != "" {
		return "\n" + line, nil
	}
	return "", nil
}

// purchaseStampLine is the purchase message's line about the stamps it
// earned ("" when it earned none).
func (e *Engine) purchaseStampLine(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult, loc *i18n.Localizer, lang string) (string, error) {
	st := &e.Business.Gamification.Stamps
	p := &r.Purchase
	if !st.Qualifies(p.Amount, p.CreatedAt) || p.Stamps == 0 {
		return "", nil
	}
	n, err := e.Service.Stamps(ctx, tx, p.CardID)
	if err != nil {
		return "", err
	}
	line := e.stampLine(loc, lang, n)
	if line == "" {
		return "", nil
	}
	return e.translate(loc, "stamps.earned", map[string]any{"Stamps": e.stamps(loc, p.Stamps)}) + " " + line, nil
}
