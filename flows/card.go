package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// CardLink is the deep link a card QR encodes. Opened by staff it starts a
// checkout; opened by anyone else it reveals nothing.
func CardLink(botUsername, token string) string {
	return DeepLink(botUsername, domain.StartCard.Prefix()+token)
}

// showCard sends the card: a QR of a fresh signed token, with the name,
// balance and the typed code in the caption. intro is an optional message
// id said before it.
func showCard(s *Session, intro string) error {
	now := s.e.Now()
	card, held, err := domain.MemberCard(s.Ctx, s.Tx, &s.e.Business.Program, s.Customer.ID, now)
	if err != nil {
		return fmt.Errorf("show card: %w", err)
	}
	if intro != "" {
		s.Say(intro, map[string]any{"Name": s.Customer.FirstName})
	}
	token := s.e.Signer.Token(card.ID, now)
	caption := s.T("card.caption", map[string]any{
		"Name":    s.Customer.FirstName,
		"Balance": s.num(card.Balance),
		"Count":   card.Balance,
		"Code":    domain.FormatCode(s.e.Signer.Code(card.Number, now)),
		"Minutes": int(s.e.Signer.TTL() / time.Minute),
	}) + s.welcomeWaitsLine(held) + s.cardPrizeLine(card.Balance) + s.cardPromotionLine()
	stamps, err := s.cardStampLine(card.ID)
	if err != nil {
		return err
	}
	caption += stamps
	s.Send(Reply{
		QR:     CardLink(s.e.BotUsername, token),
		Text:   caption,
		Inline: [][]Button{{{Text: s.T("card.refresh", nil), Data: action("card", "refresh")}}},
	})
	return nil
}

// cardPromotionLine tells a customer showing the card that a promotion
// runs now at their store (the one they joined at, or a shop's only
// store; nothing for a member of a chain who joined without a store's
// poster): the points of this purchase will be multiplied.
func (s *Session) cardPromotionLine() string {
	shop, err := s.memberStore()
	if err != nil || shop == 0 {
		return ""
	}
	p, err := s.e.Service.PromotionAt(s.Ctx, s.Tx, shop, domain.AnyAmount)
	if err != nil || p == nil {
		return "" // a line of the caption is not worth failing the card for
	}
	data := map[string]any{"Title": p.TitleIn(s.Lang, s.e.Business.DefaultLanguage), "Multiplier": p.Multiplier}
	if p.MinAmount > 0 {
		data["Amount"] = s.e.money(p.MinAmount, s.Lang)
		return "\n" + s.T("card.promotion.min", data)
	}
	return "\n" + s.T("card.promotion", data)
}

// memberStore is the store the member's promotions are told for: the one
// they joined at, or a shop's only store; 0 for a member of a chain who
// joined without a store's poster.
func (s *Session) memberStore() (int64, error) {
	if shop := s.Customer.JoinedStoreID; shop != 0 || len(s.e.Business.Stores) != 1 {
		return shop, nil
	}
	return s.e.Service.ShopIDByCode(s.Ctx, s.Tx, s.e.Business.Stores[0].Code)
}

// welcomeWaitsLine tells a member whose welcome bonus is held for their
// next purchase (a typed phone, or the first purchase cancelled) that it
// waits, beside a balance that does not count it yet ("" when none is).
func (s *Session) welcomeWaitsLine(held int64) string {
	if held <= 0 {
		return ""
	}
	return "\n" + s.T("card.welcome_held", map[string]any{"Points": s.num(held), "Count": held})
}

// showBalance sends the balance and the last ten ledger rows in words.
func showBalance(s *Session) error {
	card, err := s.Tx.FindCardByCustomer(s.Ctx, s.Customer.ID)
	if err != nil {
		return fmt.Errorf("show balance: %w", err)
	}
	// The quote first: it writes off points past their expiry, which the
	// balance and the rows below then show.
	q, err := domain.QuoteCard(s.Ctx, s.Tx, &s.e.Business.Program, card.ID, 0, s.e.Now())
	if err != nil {
		return err
	}
	card = q.Card
	entries, err := s.Tx.ListLedger(s.Ctx, card.ID, 10)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(s.T("balance.header", map[string]any{"Balance": s.num(card.Balance), "Count": card.Balance}))
	b.WriteString(s.welcomeWaitsLine(q.Held))
	b.WriteString("\n" + s.T("balance.tier", map[string]any{"Tier": q.Tier.NameIn(s.Lang), "Rate": percent(q.Tier.EarnBP, s.Lang)}))
	if q.HasNext {
		b.WriteString("\n" + s.T("balance.next_tier", map[string]any{
			"Tier": q.Next.NameIn(s.Lang), "Rate": percent(q.Next.EarnBP, s.Lang), "Amount": s.e.money(q.ToNext, s.Lang),
		}))
	}
	if len(entries) == 0 {
		b.WriteString("\n\n" + s.T("balance.empty", nil))
	} else {
		b.WriteString("\n\n" + s.T("balance.history", nil))
		loc := s.e.location(s)
		for _, e := range entries {
			b.WriteString("\n" + s.ledgerLine(e, loc))
		}
	}
	s.Send(Reply{Text: b.String()})
	return nil
}

// ledgerLine says one ledger row in plain words: "22.11 +100 welcome bonus".
func (s *Session) ledgerLine(e domain.LedgerEntry, loc *time.Location) string {
	sign := "+"
	if e.Amount < 0 {
		sign = "−"
	}
	amount := e.Amount
	if amount < 0 {
		amount = -amount
	}
	what := s.T("ledger.kind."+string(e.Kind), nil)
	if e.Kind == domain.LedgerPrize {
		// The row's reason is the prize's id: name the prize.
		id := "ledger.kind.prize"
		if e.Amount > 0 {
			id = "ledger.kind.prize_back"
		}
		what = s.T(id, map[string]any{"Title": s.prizeTitle(e.Reason)})
	}
	if e.Kind == domain.LedgerCodeWord {
		what = s.T("ledger.kind.code_word", map[string]any{"Title": e.Reason}) // the word
	}
	line := s.T("balance.line", map[string]any{
		"Date":   e.CreatedAt.In(loc).Format("02.01.2006"),
		"Sign":   sign,
		"Amount": s.num(amount),
		"What":   what,
	})
	if !e.ExpiresAt.IsZero() && e.Amount > 0 {
		line += " " + s.T("balance.expires", map[string]any{"Date": e.ExpiresAt.In(loc).Format("02.01.2006")})
	}
	return line
}

// location is the time zone dates are shown in: the customer's store,
// else the first store of the business.
func (e *Engine) location(s *Session) *time.Location {
	tz := ""
	if s.Customer != nil && s.Customer.JoinedStoreID != 0 {
		if shop, err := s.Tx.FindShopByID(s.Ctx, s.Customer.JoinedStoreID); err == nil {
			tz = shop.TimeZone
		}
	}
	if tz == "" && len(e.Business.Stores) > 0 {
		tz = e.Business.Stores[0].TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

func init() {
	registerCommand("card", MenuCustomer, 10, membersOnly(func(s *Session) error { return showCard(s, "") }))
	registerCommand("balance", MenuCustomer, 20, membersOnly(showBalance))
	registerViewAction("card", func(s *Session, _ string) error {
		if !s.Customer.Member() {
			s.Toast("error.stale_button")
			return nil
		}
		return showCard(s, "")
	})
	readsAlong("card", "card", domain.ReadLivePromotions|domain.ReadCardExpiry) // the caption's promotion line, the balance
}
