package flows

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// alertFeedback tells every owner and the store's managers at once about
// a low rating (and about the comment that follows it), with what they
// need to act: the visit (or that the rating is of the store in general),
// the customer's history, and the buttons Reply, Give N points and
// Resolved. A good rating waits for the digest.
func (e *Engine) alertFeedback(ctx context.Context, tx domain.Tx, ev domain.FeedbackGiven) error {
	cfg, f := e.Business.Feedback, ev.Feedback
	if !f.Low(cfg) {
		return nil
	}
	if ev.Commented {
		if f.Comment == "" {
			return nil
		}
	} else if ev.Previous != 0 && ev.Previous <= cfg.LowThreshold {
		return nil // lowered once more: the owners know already
	}
	staff, err := tx.ListStaff(ctx, f.ShopID)
	if err != nil {
		return err
	}
	facts, err := e.alertFacts(ctx, tx, f)
	if err != nil {
		return err
	}
	for _, s := range staff {
		if !s.CanManage() {
			continue
		}
		if err := e.queue(ctx, tx, e.feedbackAlert(ctx, tx, &s, ev, facts)); err != nil {
			return err
		}
	}
	return nil
}

// alertFacts is what an alert on a rating says beside the rating: the
// store, the customer's history and the cashier.
type alertFacts struct {
	shop    *domain.Shop
	totals  domain.CustomerTotals
	cashier string
	loc     *time.Location
}

func (e *Engine) alertFacts(ctx context.Context, tx domain.Tx, f *domain.Feedback) (alertFacts, error) {
	shop, err := tx.FindShopByID(ctx, f.ShopID)
	if err != nil {
		return alertFacts{}, err
	}
	totals, err := tx.CustomerTotals(ctx, f.CustomerID)
	if err != nil {
		return alertFacts{}, err
	}
	cashier := ""
	if f.StaffID != 0 {
		if s, err := tx.FindStaffByID(ctx, f.StaffID); err == nil {
			cashier = s.FirstName
		}
	}
	loc, _ := time.LoadLocation(shop.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	return alertFacts{shop: shop, totals: totals, cashier: cashier, loc: loc}, nil
}

// feedbackAlert is the alert on ev to the owner or manager s, in their
// language, with the buttons Reply, Give N points and Resolved.
func (e *Engine) feedbackAlert(ctx context.Context, tx domain.Tx, s *domain.Staff, ev domain.FeedbackGiven, facts alertFacts) Reply {
	f, p, totals := ev.Feedback, ev.Purchase, facts.totals
	lang := e.staffLang(ctx, tx, s)
	l := e.localizer(lang)
	data := map[string]any{
		"Stars": stars(strconv.Itoa(f.Stars)), "Customer": customerName(ev.Customer), "Store": facts.shop.Name,
		"Visits": e.num(int64(totals.Visits), lang), "Spend": e.money(totals.Spend, lang), "Comment": f.Comment,
	}
	// A general rating has no visit: no cashier, amount or date to name.
	id := "alert.feedback.store"
	if p != nil {
		id = "alert.feedback"
		data["Cashier"], data["Amount"] = cashierName(facts.cashier, p.Source), e.money(p.Amount, lang)
		data["Date"] = p.CreatedAt.In(facts.loc).Format("02.01.2006 15:04")
	}
	if ev.Commented {
		id += ".comment"
	}
	text := e.translate(l, id, data)
	if f.Comment != "" && !ev.Commented {
		text += "\n" + e.translate(l, "alert.feedback.with_comment", data)
	}
	return Reply{ChatID: s.ChatID, Text: text, Inline: e.alertButtons(l, f.ID), About: f.CustomerID, AboutFeedback: f.ID}
}

// MissedAlertsDays and MissedAlertsMax bound what an owner or manager
// back after blocking the bot is sent again: the low ratings of these
// last days, at most this many, newest first.
const (
	MissedAlertsDays = 7
	MissedAlertsMax  = 10
)

// resendMissedAlerts sends s, an owner or manager whose mark of having
// blocked the bot has just gone, the alerts on the low ratings of their
// stores they never got (dropped on the 403, or never queued while they
// were marked) and that nobody has handled since, each with its buttons;
// a header first when there are several.
func (e *Engine) resendMissedAlerts(ctx context.Context, tx domain.Tx, s *domain.Staff) error {
	cfg := e.Business.Feedback
	if s == nil || !s.CanManage() || s.ChatID == 0 || cfg.LowThreshold <= 0 {
		return nil
	}
	since := e.Now().Add(-MissedAlertsDays * 24 * time.Hour)
	missed, err := tx.ListMissedAlerts(ctx, s.ChatID, s.ShopID, cfg.LowThreshold, since, MissedAlertsMax)
	if err != nil || len(missed) == 0 {
		return err
	}
	if len(missed) > 1 {
		lang := e.staffLang(ctx, tx, s)
		text := e.translate(e.localizer(lang), "alert.feedback.missed", map[string]any{"Count": len(missed)})
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text}); err != nil {
			return err
		}
	}
	for _, m := range missed {
		c, err := tx.FindCustomerByID(ctx, m.Feedback.CustomerID)
		if err != nil {
			return err
		}
		facts, err := e.alertFacts(ctx, tx, &m.Feedback)
		if err != nil {
			return err
		}
		ev := domain.FeedbackGiven{Feedback: &m.Feedback, Purchase: m.Purchase, Customer: c}
		if err := e.queue(ctx, tx, e.feedbackAlert(ctx, tx, s, ev, facts)); err != nil {
			return err
		}
	}
	return nil
}

// alertButtons are the actions on a low rating.
func (e *Engine) alertButtons(l *i18n.Localizer, feedbackID int64) [][]Button {
	id := strconv.FormatInt(feedbackID, 10)
	rows := [][]Button{{{Text: e.translate(l, "alert.feedback.reply", nil), Data: action("fbreply", id)}}}
	if g := e.Business.Feedback.Goodwill; g > 0 { // 0: the business gives no goodwill points
		rows = append(rows, []Button{{Text: e.translate(l, "alert.feedback.give", map[string]any{
			"Points": e.num(g, e.langOf(l)), "Count": g}), Data: action("fbgive", id)}})
	}
	return append(rows, []Button{{Text: e.translate(l, "alert.feedback.resolve", nil), Data: action("fbdone", id)}})
}

// staffLang is the language to write to a staff member in: the one the
// bot last answered them in, else their own choice as a customer, else
// the business default.
func (e *Engine) staffLang(ctx context.Context, tx domain.Tx, s *domain.Staff) string {
	if s.Language != "" {
		return e.Business.Language(s.Language, "")
	}
	if c, err := tx.FindCustomerByTelegramID(ctx, s.TelegramID); err == nil {
		return e.Business.Language(c.Language, "")
	}
	return e.Business.DefaultLanguage
}

// takeFeedback runs an owner's tap on an alert through the domain: it
// reports false, having said why, when the tap must do nothing (no right,
// someone else handled the rating first: the buttons go, and who it was
// is said; or the customer deleted their data since, so a reply or points
// would reach no one).
func takeFeedback(s *Session, value, resolution string) (*domain.Feedback, bool, error) {
	id, _ := strconv.ParseInt(value, 10, 64)
	if !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil, false, nil
	}
	f, err := s.e.Service.TakeFeedback(s.Ctx, s.Tx, s.Staff, id, resolution)
	if ok, err := feedbackTaken(s, err); !ok {
		return nil, false, err
	}
	return f, true, nil
}

// feedbackTaken reports whether the domain let the tap take the rating
// (err is nil), having said why not when it did not; an error of another
// kind is returned.
func feedbackTaken(s *Session, err error) (bool, error) { return handledTap(s, err, "alert.feedback") }

// handledTap reports whether the domain let a tap take a rating or a
// question (err is nil), having said why not when it did not, in the
// messages of prefix (".handled", ".customer_erased",
// ".customer_unreachable"); an error of another kind is returned.
func handledTap(s *Session, err error, prefix string) (bool, error) {
	var handled *domain.HandledError
	if err != nil && s.In.Kind == InputText && (errors.As(err, &handled) || errors.Is(err, domain.ErrCustomerErased) ||
		errors.Is(err, domain.ErrCustomerUnreachable)) {
		// Refused at the send (someone answered, or the customer left,
		// while these words were written): say they did not go.
		defer s.Say("relay.not_sent", nil)
	}
	switch {
	case errors.As(err, &handled):
		loc := s.e.location(s)
		text := s.T(prefix+".handled", map[string]any{
			"Name": handled.By.FirstName, "What": s.T("alert.feedback.resolution."+handled.Resolution, nil),
			"Time": handled.At.In(loc).Format("02.01 15:04")})
		if others := otherThreadsTapped(s); others != nil {
			// A list (the evening digest, /questions, a customer's card):
			// the others in it stay; only the tapped button goes.
			s.Edit(Reply{Inline: others})
			s.Send(Reply{Text: text})
			return false, nil
		}
		s.Edit(Reply{Text: text, Inline: [][]Button{}})
		return false, nil
	case isNotFound(err):
		s.Toast("error.stale_button")
		return false, nil
	case errors.Is(err, domain.ErrCustomerErased):
		s.Say(prefix+".customer_erased", nil)
		return false, nil
	case errors.Is(err, domain.ErrCustomerUnreachable):
		s.Say(prefix+".customer_unreachable", nil)
		return false, nil
	}
	return err == nil, err
}

// otherThreadsTapped is the keyboard of the message tapped without the
// tapped button, when it has buttons of other threads (a list, not one
// thread's alert); nil otherwise.
func otherThreadsTapped(s *Session) [][]Button {
	if s.In.Kind != InputCallback {
		return nil
	}
	_, value, _, _, ok := parseAction(s.In.Callback.Data)
	if !ok {
		return nil
	}
	rows := s.tappedKeyboardWithout(func(b Button) bool { return b.Data == s.In.Callback.Data })
	for _, row := range rows {
		for _, b := range row {
			if _, v, _, _, ok := parseAction(b.Data); ok && v != value {
				return rows
			}
		}
	}
	return nil
}

// resolveFeedback is Resolved: the alert loses its buttons and says so.
func resolveFeedback(s *Session, value string) error {
	_, ok, err := takeFeedback(s, value, domain.ResolutionResolved)
	if err != nil || !ok {
		return err
	}
	s.Edit(Reply{Text: s.T("alert.feedback.resolved", map[string]any{"Name": s.Staff.FirstName}), Inline: [][]Button{}})
	return nil
}

// giveGoodwill is Give N points: once per rating, through the ledger
// (GiveGoodwill takes the rating itself); the customer is told in their
// chat.
func giveGoodwill(s *Session, value string) error {
	id, _ := strconv.ParseInt(value, 10, 64)
	if !s.Staff.CanManage() || s.e.Business.Feedback.Goodwill <= 0 {
		s.Toast("error.stale_button") // (an alert of before the goodwill was turned off)
		return nil
	}
	f, row, created, err := s.e.Service.GiveGoodwill(s.Ctx, s.Tx, s.Staff, id)
	var v *domain.ValidationError
	if errors.As(err, &v) { // their own card
		s.Say(v.Reason, nil)
		return nil
	}
	if errors.Is(err, domain.ErrFeedbackNotLow) {
		c, err := s.Tx.FindCustomerByID(s.Ctx, f.CustomerID)
		if err != nil {
			return err
		}
		s.Say("alert.feedback.not_low", map[string]any{"Customer": customerName(c), "Stars": stars(strconv.Itoa(f.Stars))})
		return nil
	}
	if ok, err := feedbackTaken(s, err); !ok {
		return err
	}
	c, err := s.Tx.FindCustomerByID(s.Ctx, f.CustomerID)
	if err != nil {
		return err
	}
	if !created {
		s.Say("alert.feedback.given_before", map[string]any{"Customer": customerName(c)})
		return nil
	}
	s.Say("alert.feedback.given", map[string]any{"Customer": customerName(c), "Points": s.num(row.Amount), "Balance": s.num(row.BalanceAfter)})
	if c.ChatID == 0 || c.Unreachable {
		return nil
	}
	lang := s.e.Business.Language(c.Language, "")
	l := s.e.localizer(lang)
	msg := "feedback.goodwill"
	if f.General() {
		msg = "feedback.goodwill.store" // nothing to say about a visit
	}
	return s.e.queue(s.Ctx, s.Tx, Reply{ChatID: c.ChatID, Text: s.e.translate(l, msg, map[string]any{
		"Business": s.e.Business.Name, "Points": s.e.num(row.Amount, lang), "Count": row.Amount, "Balance": s.e.num(row.BalanceAfter, lang)})})
}

func init() {
	registerAction("fbdone", resolveFeedback)
	registerAction("fbgive", giveGoodwill)
}

// ChatUnblocked clears the mark of a chat whose person unblocked the bot
// (Telegram's my_chat_member update, which comes before their next
// message) and sends an owner or manager the alerts they missed
// meanwhile, as their next message would.
func (e *Engine) ChatUnblocked(ctx context.Context, chatID int64) error {
	return e.Store.Update(ctx, func(tx domain.Tx) error {
		// A private chat's id is its person's.
		st, err := tx.FindStaffByTelegramID(ctx, chatID)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err := tx.MarkChatReachable(ctx, chatID); err != nil {
			return err
		}
		if st == nil || !st.Unreachable || st.ChatID != chatID {
			return nil
		}
		st.Unreachable = false
		return e.resendMissedAlerts(ctx, tx, st)
	})
}
