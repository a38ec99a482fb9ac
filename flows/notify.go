package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// enqueue writes a reply for another chat into the outbox, in the caller's
// transaction. claim=false leaves it to the background sender.
func (e *Engine) enqueue(ctx context.Context, tx domain.Tx, r Reply) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	_, err = tx.Enqueue(ctx, domain.OutMessage{ChatID: r.ChatID, Payload: payload}, false)
	return err
}

// money formats minor units in the business currency for lang.
func (e *Engine) money(minor int64, lang string) string {
	return domain.FormatMoney(minor, e.Business.Currency, lang)
}

// PurchaseMessages builds the customer's notice of a new purchase as
// outbox rows, for RecordPurchase to write with the purchase itself
// (PurchaseRequest.Messages). AfterPurchase then adds what needs queries.
func (e *Engine) PurchaseMessages(r *domain.PurchaseResult) []domain.OutMessage {
	m, ok := e.purchaseNotice(r)
	if !ok {
		return nil
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return []domain.OutMessage{{ChatID: m.ChatID, Payload: payload}}
}

// AfterPurchase queues what follows a purchase beyond its notice: the
// profile sections a first purchase unlocks and the owners' velocity alert.
func (e *Engine) AfterPurchase(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) error {
	offer, err := e.afterFirstPurchase(ctx, tx, r)
	if err != nil {
		return err
	}
	if offer != nil {
		if err := e.enqueue(ctx, tx, *offer); err != nil {
			return err
		}
	}
	if len(r.Purchase.Flags) > 0 && !r.Purchase.Cancelled() {
		return e.NotifyFlags(ctx, tx, r)
	}
	return nil
}

// NotifyPurchase tells the customer what a purchase did to their points,
// in their language, whoever recorded it (a cashier or the POS API). The
// message waits in the outbox for the background sender.
func (e *Engine) NotifyPurchase(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) error {
	if m, ok := e.purchaseNotice(r); ok {
		if err := e.enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	offer, err := e.afterFirstPurchase(ctx, tx, r)
	if err != nil || offer == nil {
		return err
	}
	return e.enqueue(ctx, tx, *offer)
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
		"Amount": e.money(p.Amount, lang), "Earned": p.Earned, "Redeemed": p.Redeemed,
		"Balance": r.Balance, "Count": r.Balance, "Tier": r.Tier.Name,
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
	return Reply{ChatID: c.ChatID, Text: e.translate(loc, id, data)}, true
}

// NotifyFlags alerts owners (and the store's managers) about a purchase
// over a velocity limit, with the details they need to look into it.
func (e *Engine) NotifyFlags(ctx context.Context, tx domain.Tx, r *domain.PurchaseResult) error {
	p := r.Purchase
	if len(p.Flags) == 0 {
		return nil
	}
	staff, err := tx.ListStaff(ctx, p.ShopID)
	if err != nil {
		return err
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
		if !s.CanManage() {
			continue
		}
		lang := e.Business.DefaultLanguage
		if c, err := tx.FindCustomerByTelegramID(ctx, s.TelegramID); err == nil {
			lang = e.Business.Language(c.Language, "")
		}
		loc := e.localizer(lang)
		var reasons []string
		for _, f := range p.Flags {
			reasons = append(reasons, e.translate(loc, "alert.velocity."+f, nil))
		}
		text := e.translate(loc, "alert.velocity", map[string]any{
			"Reasons": joinLines(reasons), "Purchase": p.PublicID, "Store": shop.Name,
			"Amount": e.money(p.Amount, lang), "Earned": p.Earned, "Redeemed": p.Redeemed,
			"Customer": customerName(r.Customer), "Cashier": cashierName(cashier, p.Source),
		})
		if err := e.enqueue(ctx, tx, Reply{ChatID: s.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
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
