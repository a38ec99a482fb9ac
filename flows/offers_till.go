package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Offers at the register (domain.OpenOffers, domain.UseOffer): under a
// scanned card the cashier sees the discounts and gifts the customer's
// messages promised and not used yet, each with its number, and marks
// the one they honour used, so the same message is not honoured twice.

// sayOpenOffers lists the customer's open offers under the scanned card,
// when the rules promise any.
func sayOpenOffers(s *Session, c *domain.Customer) error {
	if !s.e.Business.Nudges.TillOffers() {
		return nil
	}
	offers, err := s.e.Service.OpenOffers(s.Ctx, s.Tx, c)
	if err != nil || len(offers) == 0 {
		return err
	}
	s.Send(s.openOffersReply(c.ID, offers, ""))
	return nil
}

// openOffersReply is the list of open offers with a button each; done is
// a line about the one just marked ("" none).
func (s *Session) openOffersReply(customerID int64, offers []domain.OpenOffer, done string) Reply {
	lines := []string{s.T("till_offers.title", nil)}
	var rows [][]Button
	for _, o := range offers {
		lines = append(lines, s.tillOfferLine(o, staffLocation(s)))
		rows = append(rows, []Button{{Text: s.T("till_offers.use", map[string]any{"Code": o.NudgeID}),
			Data: action("offeruse", fmt.Sprintf("%d-%d", customerID, o.NudgeID))}})
	}
	if len(offers) == 0 {
		lines = lines[:0]
	}
	if done != "" {
		lines = append(lines, done)
	}
	return Reply{Text: strings.Join(lines, "\n"), Inline: rows}
}

// tillOfferLine says an offer for the cashier: its number, the message it
// came with, what it is and until when.
func (s *Session) tillOfferLine(o domain.OpenOffer, loc *time.Location) string {
	data := map[string]any{"Code": o.NudgeID, "Rule": s.e.ruleName(o.Rule, s.Lang), "Percent": o.Offer.Percent,
		"Category": s.e.Business.Nudges.CategoryName(o.Offer.Category, s.Lang), "Expires": ""}
	if !o.Expires.IsZero() {
		data["Expires"] = o.Expires.In(loc).Format("02.01.2006") // as the customer's message said
	}
	id := "till_offers.gift"
	switch {
	case o.Offer.Type == domain.OfferDiscount && o.Offer.Category == "":
		id = "till_offers.discount_all"
	case o.Offer.Type == domain.OfferDiscount:
		id = "till_offers.discount"
	}
	return s.T(id, data)
}

// useOffer marks an offer used and shows what is left open.
func useOffer(s *Session, value string) error {
	if !s.Staff.CanCheckout() {
		s.Toast("error.stale_button")
		return nil
	}
	c, n, ok := strings.Cut(value, "-")
	customerID, err1 := strconv.ParseInt(c, 10, 64)
	nudgeID, err2 := strconv.ParseInt(n, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		s.Toast("error.stale_button")
		return nil
	}
	code := map[string]any{"Code": nudgeID}
	cust, err := s.Tx.FindCustomerByID(s.Ctx, customerID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && cust.Erased {
		// The customer deleted their data since the scan: the card is
		// closed, and its offers with it.
		s.Edit(Reply{Text: s.T("till_offers.card_closed", code)})
		return nil
	} else if err != nil {
		return err
	}
	if s.Conv.Flow != flowCheckout || s.Data("customer") != strconv.FormatInt(cust.ID, 10) || s.byPhone() {
		// An old scan's button: the offer is honoured with the card at
		// hand, under that card's checkout, not days later or under the
		// next customer's.
		s.Edit(Reply{Text: s.T("till_offers.scan_again", code)})
		return nil
	}
	shop, err := checkoutShop(s)
	if err != nil {
		return err
	}
	err = s.e.Service.UseOffer(s.Ctx, s.Tx, s.Staff, shop, cust, nudgeID)
	var v *domain.ValidationError
	done := s.T("till_offers.used", map[string]any{"Code": nudgeID})
	if errors.As(err, &v) {
		done = s.T(v.Reason, map[string]any{"Code": nudgeID})
	} else if err != nil {
		return err
	}
	offers, err := s.e.Service.OpenOffers(s.Ctx, s.Tx, cust)
	if err != nil {
		return err
	}
	s.Edit(s.openOffersReply(customerID, offers, done))
	return nil
}

func init() { registerAction("offeruse", useOffer) }
