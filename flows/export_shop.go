package flows

import (
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// exportShopEvent is an event of the online shop as the customer reads it
// in their data.
type exportShopEvent struct {
	Store string            `json:"store"`
	Type  string            `json:"type"`
	At    time.Time         `json:"at"`
	Items []domain.ShopItem `json:"items"`
}

// exportShopEvents adds what the online shop told about the customer: the
// carts they left, the products they viewed, the orders they placed.
func exportShopEvents(s *Session, out *export) error {
	events, err := s.Tx.ListCustomerShopEvents(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	out.ShopEvents = []exportShopEvent{}
	for _, e := range events {
		out.ShopEvents = append(out.ShopEvents, exportShopEvent{Store: s.storeName(e.ShopID), Type: string(e.Type),
			At: e.OccurredAt.UTC(), Items: e.Items})
	}
	return nil
}
