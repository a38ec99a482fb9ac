package flows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// queuedKey marks a context whose transaction queued messages for the
// background sender, so the adapter wakes it after commit.
type queuedKey struct{}

// withQueueMark returns a context that records whether queue ran in it.
func withQueueMark(ctx context.Context) (context.Context, *bool) {
	mark := new(bool)
	return context.WithValue(ctx, queuedKey{}, mark), mark
}

// queue writes a reply for any chat into the outbox, in the caller's
// transaction, for the background sender.
func (e *Engine) queue(ctx context.Context, tx domain.Tx, r Reply) error {
	return e.queueAt(ctx, tx, r, time.Time{})
}

// queueAt is queue for a message that waits until the business clock
// reaches notBefore (zero: at once).
func (e *Engine) queueAt(ctx context.Context, tx domain.Tx, r Reply, notBefore time.Time) error {
	payload, err := r.encode()
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	m := domain.OutMessage{ChatID: r.ChatID, Payload: payload, NotBefore: notBefore, About: r.About, AlsoAbout: r.AlsoAbout,
		AboutFeedback: r.AboutFeedback}
	if n := r.Undelivered; n != nil {
		notice, err := n.encode()
		if err != nil {
			return fmt.Errorf("encode notice: %w", err)
		}
		m.Undelivered = &domain.Undelivered{ChatID: n.ChatID, Payload: notice, About: n.About,
			Inquiry: r.AnswersInquiry, Feedback: r.AnswersFeedback}
	}
	if _, err = tx.Enqueue(ctx, m, false); err != nil {
		return err
	}
	if mark, ok := ctx.Value(queuedKey{}).(*bool); ok {
		*mark = true
	}
	return nil
}

// money formats minor units in the business currency for lang.
func (e *Engine) money(minor int64, lang string) string {
	return domain.FormatMoney(minor, e.Business.Currency, lang)
}

// react is the chat's side of the business events, whoever caused them (a
// cashier, the POS API, a job): the customer hears what a purchase or a
// cancellation did to their points, a first purchase unlocks the profile
// sections offered after it, everyone waiting for an item hears it is
// back, a purchase is followed by "How was your visit?" some hours later,
// and a purchase over a velocity limit, a burst of failed card lookups or
// a low rating alerts the owners.
func (e *Engine) react(ctx context.Context, tx domain.Tx, ev domain.Event) error {
	switch ev := ev.(type) {
	case domain.PurchaseRecorded:
		if m, ok := e.purchaseNotice(ev.Result); ok {
			lang := e.Business.Language(ev.Result.Customer.Language, "")
			line, err := e.purchaseStampLine(ctx, tx, ev.Result, e.localizer(lang), lang)
			if err != nil {
				return err
			}
			if line != "" {
				m.Text += "\n" + line
			}
			if err := e.queue(ctx, tx, m); err != nil {
				return err
			}
		}
		offer, err := e.afterFirstPurchase(ctx, tx, ev.Result)
		if err != nil {
			return err
		}
		if offer != nil {
			if err := e.queue(ctx, tx, *offer); err != nil {
				return err
			}
		}
		return e.notifyFlags(ctx, tx, ev.Result)
	case domain.FeedbackGiven:
		return e.alertFeedback(ctx, tx, ev)
	case domain.InquiryMade:
		return e.alertInquiry(ctx, tx, ev)
	case domain.PurchaseCancelled:
		if m, ok := e.purchaseNotice(ev.Result); ok {
			if err := e.queue(ctx, tx, m); err != nil {
				return err
			}
		}
		return e.notifyCashierCancel(ctx, tx, ev.Result)
	case domain.PurchaseReturned:
		if err := e.returnNotice(ctx, tx, ev.Result); err != nil {
			return err
		}
		return e.notifyCashierReturn(ctx, tx, ev.Result)
	case domain.PrizeGiven:
		return e.prizeNotice(ctx, tx, ev.Result, "prize.customer")
	case domain.PrizeCancelled:
		return e.prizeNotice(ctx, tx, ev.Result, "prize.customer.cancelled")
	case domain.CardLookupsBurst:
		return e.notifyLookupBurst(ctx, tx, ev.Burst)
	case domain.WaitlistRestocked:
		return e.notifyRestocked(ctx, tx, ev.Waitlist)
	case domain.FeedbackDigest:
		return e.sendDigest(ctx, tx, ev)
	case domain.BadgeEarned:
		return e.announceBadge(ctx, tx, ev)
	case domain.BadgeTakenBack:
		return e.badgeTakenBack(ctx, tx, ev)
	case domain.ReferralCompleted:
		return e.notifyReferral(ctx, tx, ev)
	case domain.WelcomeHeldAgain:
		c := ev.Customer
		if c.ChatID == 0 || c.Unreachable {
			return nil
		}
		lang := e.Business.Language(c.Language, "")
		l := e.localizer(lang)
		return e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: e.translate(l, "welcome.held_again",
			map[string]any{"Points": e.points(l, ev.Points), "Balance": e.num(ev.Balance, lang)})})
	case domain.ReferralVoided:
		return e.notifyReferralVoided(ctx, tx, ev)
	case domain.LivePromotionStarted:
		return e.notifyPromotionStarted(ctx, tx, ev)
	case domain.CodeWordExhausted:
		return e.notifyCodeWordExhausted(ctx, tx, ev)
	case domain.CodeWordStarted:
		return e.notifyCodeWordStarted(ctx, tx, ev)
	case domain.StaffJoined:
		return e.notifyInviter(ctx, tx, ev.Staff)
	case domain.PointsAdjusted:
		return e.notifyAdjusted(ctx, tx, ev)
	case domain.CardMoved:
		return e.notifyCardMoved(ctx, tx, ev)
	}
	return nil
}

// notifyInviter tells whoever made an invitation that it was used, and
// by whom: a link that leaked shows at once, with the way to undo it.
// Invitations made from the command line have no one to tell.
func (e *Engine) notifyInviter(ctx context.Context, tx domain.Tx, st *domain.Staff) error {
	if st.InvitedBy == 0 {
		return nil
	}
	by, err := tx.FindStaffByID(ctx, st.InvitedBy)
	if err != nil || !by.Active() || by.ID == st.ID {
		return err
	}
	lang := e.staffLang(ctx, tx, by)
	loc := e.localizer(lang)
	store := e.translate(loc, "staff.all_stores", nil)
	if st.ShopID != 0 {
		shop, err := tx.FindShopByID(ctx, st.ShopID)
		if err != nil {
			return err
		}
		store = shop.Name
	}
	return e.queue(ctx, tx, Reply{ChatID: by.ChatID, Text: e.translate(loc, "invite.opened", map[string]any{
		"Name": st.FirstName, "Role": e.translate(loc, "role.a."+string(st.Role), nil), "Store": store})})
}

// purchaseNotice builds the customer's message about a purchase.
func (e *Engine) purchaseNotice(r *domain.PurchaseResult) (Reply, bool) {
	c := r.Customer
	if c == nil || c.ChatID == 0 || c.Unreachable {
		return Reply{}, false
	}
	lang := e.Business.Language(c.Language, "")
	loc := e.localizer(lang)
	p := r.Purchase
	data := map[string]any{
		"Amount": e.money(p.Amount, lang), "Earned": e.num(p.Earned, lang), "Redeemed": e.num(p.Redeemed, lang),
		"Balance": e.num(r.Balance, lang), "Count": r.Balance, "Tier": r.Tier.NameIn(lang),
	}
	id := "checkout.customer.earned"
	switch {
	case p.Cancelled():
		id = "checkout.customer.cancelled"
	case p.Redeemed > 0 && p.Earned > 0:
		id = "checkout.customer.redeemed_earned"
	case p.Redeemed > 0:
		id = "checkout.customer.redeemed"
	case p.Earned == 0:
		id = "checkout.customer.no_points"
	}
	text := e.translate(loc, id, data)
	if pr := r.Promotion; pr != nil && !p.Cancelled() {
		text += "\n" + e.translate(loc, "checkout.customer.promotion", map[string]any{
			"Title": pr.TitleIn(lang, e.Business.DefaultLanguage), "Multiplier": pr.Multiplier})
	}
	if r.Welcome > 0 {
		text += "\n" + e.translate(loc, "checkout.customer.welcome", map[string]any{"Bonus": e.num(r.Welcome, lang), "Count": r.Welcome})
	}
	if r.TierUp && !p.Cancelled() {
		text += "\n" + e.translate(loc, "checkout.customer.tier_up", map[string]any{"Tier": r.Tier.NameIn(lang), "Rate": percent(r.Tier.EarnBP, lang)})
	}
	if r.TierDown && p.Cancelled() {
		text += "\n" + e.translate(loc, "checkout.customer.tier_down", map[string]any{"Tier": r.Tier.NameIn(lang), "Rate": percent(r.Tier.EarnBP, lang)})
	}
	return Reply{ChatID: c.ChatID, Text: text, About: c.ID}, true
}

// returnNotice tells the customer what a return did to their points:
// which purchase, how much came back, the points taken back and given
// back (and how many of those came back as new points, their own date
// having passed), and the balance.
func (e *Engine) returnNotice(ctx context.Context, tx domain.Tx, r *domain.ReturnResult) error {
	c := r.Customer
	if c == nil || c.ChatID == 0 || c.Unreachable {
		return nil
	}
	_, loc, err := e.Service.Shop(ctx, tx, r.Purchase.ShopID)
	if err != nil {
		return err
	}
	lang := e.Business.Language(c.Language, "")
	l := e.localizer(lang)
	ret, p := r.Return, r.Purchase
	lines := []string{e.translate(l, "return.customer", map[string]any{"Amount": e.money(ret.Amount, lang),
		"Receipt": e.money(p.Receipt(), lang), "Date": p.CreatedAt.In(loc).Format("02.01.2006")})}
	if taken := ret.Taken - ret.Short; taken > 0 {
		lines = append(lines, e.translate(l, "return.customer.taken", map[string]any{
			"Points": e.num(taken, lang), "Count": taken}))
	}
	if ret.Given > 0 {
		lines = append(lines, e.translate(l, "return.customer.given", map[string]any{
			"Points": e.num(ret.Given, lang), "Count": ret.Given}))
		if ret.Renewed > 0 {
			lines = append(lines, e.translate(l, "return.customer.renewed", map[string]any{
				"Points": e.num(ret.Renewed, lang), "Count": ret.Renewed}))
		}
	}
	lines = append(lines, e.translate(l, "return.customer.balance", map[string]any{
		"Balance": e.num(r.Balance, lang), "Count": r.Balance}))
	if r.TierDown {
		lines = append(lines, e.translate(l, "checkout.customer.tier_down", map[string]any{
			"Tier": r.Tier.NameIn(lang), "Rate": percent(r.Tier.EarnBP, lang)}))
	}
	return e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: strings.Join(lines, "\n")})
}

// prizeNotice tells the customer of a prize given, or cancelled, with
// the points it moved and the balance.
func (e *Engine) prizeNotice(ctx context.Context, tx domain.Tx, r *domain.PrizeResult, id string) error {
	c := r.Customer
	if c == nil || c.ChatID == 0 || c.Unreachable || c.Erased {
		return nil
	}
	lang := e.Business.Language(c.Language, "")
	l := e.localizer(lang)
	price := e.points(l, r.Prize.Points)
	if r.Prize.Stamps > 0 {
		id += "_stamps"
		price = e.stamps(l, r.Prize.Stamps)
	}
	return e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: e.translate(l, id, map[string]any{
		"Title": r.Reward.TitleIn(lang), "Points": price, "Balance": e.num(r.Balance, lang),
		"Stamps": e.num(int64(r.Stamps), lang)})})
}

// notifyCashierReturn tells the owners and the store's managers of a
// return a cashier took (Program.CashierReturns): money left the till on
// a cashier's word alone, so those who answer for it see each one.
func (e *Engine) notifyCashierReturn(ctx context.Context, tx domain.Tx, r *domain.ReturnResult) error {
	ret := r.Return
	return e.tellOfCashier(ctx, tx, ret.StaffID, ret.ShopID, customerID(r.Customer), func(lang string, by *domain.Staff, shop *domain.Shop, loc *time.Location) string {
		return e.translate(e.localizer(lang), "alert.cashier_return", map[string]any{
			"Cashier": by.FirstName, "Store": shop.Name, "Amount": e.money(ret.Amount, lang),
			"Refund": e.money(ret.Refund, lang), "Customer": customerName(r.Customer),
			"Receipt": e.money(r.Purchase.Receipt(), lang), "Date": r.Purchase.CreatedAt.In(loc).Format("02.01 15:04"),
			"Return": ret.PublicID})
	})
}

// notifyCashierCancel tells the owners and the store's managers of a
// purchase a cashier cancelled (their own, Program.CashierCancelMinutes):
// a receipt voided after the money was taken is the till's oldest trick,
// so those who answer for it see each one.
func (e *Engine) notifyCashierCancel(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) error {
	p := r.Purchase
	return e.tellOfCashier(ctx, tx, p.CancelledBy, p.ShopID, customerID(r.Customer), func(lang string, by *domain.Staff, shop *domain.Shop, loc *time.Location) string {
		return e.translate(e.localizer(lang), "alert.cashier_cancel", map[string]any{
			"Cashier": by.FirstName, "Store": shop.Name, "Customer": customerName(r.Customer),
			"Amount": e.money(p.Receipt(), lang), "Time": p.CreatedAt.In(loc).Format("02.01 15:04"), "Purchase": p.PublicID})
	})
}

// tellOfCashier sends the owners and the store's managers the text of
// what a cashier did at the store (nothing when staffID is no cashier:
// the POS, a manager, an owner); about is the customer it names
// (Reply.About).
func (e *Engine) tellOfCashier(ctx context.Context, tx domain.Tx, staffID, shopID, about int64,
	text func(lang string, by *domain.Staff, shop *domain.Shop, loc *time.Location) string) error {
	if staffID == 0 {
		return nil
	}
	by, err := tx.FindStaffByID(ctx, staffID)
	if err != nil || by.Role != domain.RoleCashier {
		return err
	}
	staff, err := tx.ListStaff(ctx, shopID)
	if err != nil {
		return err
	}
	shop, loc, err := e.Service.Shop(ctx, tx, shopID)
	if err != nil {
		return err
	}
	for _, s := range staff {
		if !s.CanManage() || s.ChatID == 0 {
			continue
		}
		lang := e.staffLang(ctx, tx, &s)
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text(lang, by, shop, loc), About: about}); err != nil {
			return err
		}
	}
	return nil
}

// notifyFlags alerts owners (and the store's managers) about a purchase
// over a velocity limit, with the details they need to look into it. The
// domain says which purchases they hear of (domain.VelocityAlert); a shop
// with nobody to tell is not read further.
func (e *Engine) notifyFlags(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) error {
	if len(r.Alerts) == 0 {
		return nil
	}
	p := r.Purchase
	staff, err := tx.ListStaff(ctx, p.ShopID)
	if err != nil {
		return err
	}
	staff = slices.DeleteFunc(staff, func(s domain.Staff) bool { return !s.CanManage() })
	if len(staff) == 0 {
		return nil
	}
	shop, err := tx.FindShopByID(ctx, p.ShopID)
	if err != nil {
		return err
	}
	cashier := ""
	if p.StaffID != 0 {
		if s, err := tx.FindStaffByID(ctx, p.StaffID); err == nil {
			cashier = s.FirstName
		}
	}
	for _, s := range staff {
		lang := e.staffLang(ctx, tx, &s)
		loc := e.localizer(lang)
		var reasons []string
		for _, a := range r.Alerts {
			reasons = append(reasons, e.translate(loc, "alert.velocity."+a.Flag,
				map[string]any{"Count": a.Count, "Limit": a.Limit}))
		}
		text := e.translate(loc, "alert.velocity", map[string]any{
			"Reasons": joinLines(reasons), "Purchase": p.PublicID, "Store": shop.Name,
			"Amount": e.money(p.Amount, lang), "Earned": e.num(p.Earned, lang), "Redeemed": e.num(p.Redeemed, lang),
			"Customer": customerName(r.Customer), "Cashier": cashierName(cashier, p.Source),
		})
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text, About: customerID(r.Customer)}); err != nil {
			return err
		}
	}
	return nil
}

// customerID is the customer an alert names, for Reply.About (0: none).
func customerID(c *domain.Customer) int64 {
	if c == nil {
		return 0
	}
	return c.ID
}

// customerName names the customer in an alert (erased ones have none).
func customerName(c *domain.Customer) string {
	if c == nil {
		return "—"
	}
	return c.FirstName
}

// cashierName names who recorded a purchase in an alert.
func cashierName(name, source string) string {
	if source == domain.SourcePOS {
		return "POS"
	}
	if name == "" {
		return "—"
	}
	return name
}

// joinLines makes a bulleted list.
func joinLines(lines []string) string {
	return "• " + strings.Join(lines, "\n• ")
}
