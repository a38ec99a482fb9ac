package flows

import (
	"strconv"

	"github.com/loyaltybot/loyaltybot/domain"
)

// StoreJoinLink is the deep link of a store's join QR; with a cashier's
// staff id it is that cashier's own, and the customers who join through
// it count as signed up by them (/stats staff).
func StoreJoinLink(botUsername, store string, cashier int64) string {
	return DeepLink(botUsername, domain.StoreLinkPayload(store, cashier))
}

// myQR is /myqr for staff: their own join QR, to show a customer at the
// register. Staff of every store pick the store first.
func myQR(s *Session) error {
	st := s.Staff
	if !st.CanCheckout() {
		s.Say("staff.only", nil)
		return s.e.resume(s)
	}
	switch {
	case st.ShopID != 0:
		shop, err := s.Tx.FindShopByID(s.Ctx, st.ShopID)
		if err != nil {
			return err
		}
		sendMyQR(s, shop)
	case len(s.e.Business.Stores) == 1:
		if err := myQRAction(s, s.e.Business.Stores[0].Code); err != nil {
			return err
		}
	default:
		s.Send(myQRStores(s, 0))
	}
	return s.e.resume(s)
}

// myQRStores asks staff of every store which store's QR to show, a page
// of the stores at a time.
func myQRStores(s *Session, page int) Reply {
	return Reply{Text: s.T("myqr.store", nil), Inline: s.storeRows(s.e.Business.Stores, page,
		func(st domain.StoreConfig) Button { return Button{Text: st.Name, Data: action("myqr", st.Code)} },
		func(page int) string { return action("myqr", storePagePrefix+strconv.Itoa(page)) })}
}

// myQRAction is a store chosen under /myqr, by staff who may work there,
// or another page of the stores.
func myQRAction(s *Session, code string) error {
	st := s.Staff
	if page, ok := storePage(code); ok && st.CanCheckout() && st.ShopID == 0 {
		s.Edit(myQRStores(s, page))
		return nil
	}
	shop, err := s.Tx.FindShopByCode(s.Ctx, code)
	if isNotFound(err) || !st.CanCheckout() || (err == nil && st.ShopID != 0 && st.ShopID != shop.ID) {
		s.Toast("error.stale_button")
		return nil
	}
	if err != nil {
		return err
	}
	sendMyQR(s, shop)
	return nil
}

func sendMyQR(s *Session, shop *domain.Shop) {
	link := StoreJoinLink(s.e.BotUsername, shop.Code, s.Staff.ID)
	s.Send(Reply{QR: link, Text: s.T("myqr.caption", map[string]any{"Store": shop.Name, "Link": link})})
}

func init() {
	registerCommand("myqr", MenuCashier, 40, myQR)
	registerAction("myqr", myQRAction)
}
