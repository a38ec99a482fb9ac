package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestEventNudgeWhoIsDue: two hours after a cart, with an order or a live
// purchase after it sparing the customer, and nothing else: not an order
// before the cart, not a cancelled purchase, not a product view, not a
// cart older than the window. The dry run says why; the due customers
// come with their cart's items.
func TestEventNudgeWhoIsDue(t *testing.T) {
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	rule := domain.NudgeRule{ID: "cart", Kind: domain.NudgeEvent, Enabled: true, Event: domain.ShopCartAbandoned,
		Delay: 2 * time.Hour, UnlessEvents: []string{"order_placed", domain.UnlessPurchase}, Window: 1, AttributionDays: 7}
	svc := nudgeService(clock, rule)
	members := map[string]*domain.Customer{}
	cards := map[string]*domain.Card{}
	for i, name := range []string{"order_before", "cancelled", "bought", "viewed", "stale", "ordered"} {
		members[name], cards[name] = addMember(t, db, clock, int64(700+i))
	}
	clock.Advance(3 * 24 * time.Hour)
	n := 0
	send := func(name string, typ domain.ShopEventType, at time.Time, items ...string) {
		t.Helper()
		n++
		req := domain.ShopEventRequest{ShopID: shop.ID, EventID: fmt.Sprint("e", n), Type: typ, OccurredAt: at,
			Customer: domain.CustomerRef{TelegramID: members[name].TelegramID}}
		for _, it := range items {
			req.Items = append(req.Items, domain.ShopItem{Name: it, Price: 100, Quantity: 1})
		}
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.RecordShopEvent(ctx, tx, req)
			return err
		})
	}
	buy := func(name string, at time.Time, cancelled bool) {
		t.Helper()
		var cancelledAt *time.Time
		if cancelled {
			cancelledAt = &at
		}
		_, err := db.Pool().Exec(t.Context(), `INSERT INTO purchases (public_id, card_id, customer_id, store_id, source,
			idempotency_key, amount, currency, points_earned, points_redeemed, created_at, cancelled_at)
			VALUES ($1, $2, $3, $4, 'pos', $1, 100, 'RUB', 0, 0, $5, $6)`,
			"p_"+name, cards[name].ID, members[name].ID, shop.ID, at, cancelledAt)
		if err != nil {
			t.Fatal(err)
		}
	}
	now := clock.Now()
	send("order_before", domain.ShopOrderPlaced, now.Add(-time.Hour))
	for _, name := range []string{"order_before", "cancelled", "bought", "viewed", "ordered"} {
		send(name, domain.ShopCartAbandoned, now, "Bucket", name)
	}
	send("stale", domain.ShopCartAbandoned, now.Add(-26*time.Hour), "Bucket")
	send("viewed", domain.ShopProductViewed, clock.Advance(10*time.Minute))
	buy("cancelled", clock.Advance(20*time.Minute), true)
	buy("bought", clock.Now(), false)
	send("ordered", domain.ShopOrderPlaced, clock.Advance(30*time.Minute))

	clock.Advance(time.Hour - time.Second)
	if plans, err := svc.DryRunNudges(t.Context(), db, "cart", clock.Now()); err != nil || len(plans) != 0 {
		t.Fatalf("a second early: %v %v", plans, err)
	}
	clock.Advance(time.Second)
	plans, err := svc.DryRunNudges(t.Context(), db, "cart", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var due []string
	for name, c := range members {
		for _, p := range plans {
			if p.CustomerID == c.ID {
				due = append(due, name)
				if !strings.HasPrefix(p.Reason, "cart_abandoned at least 2h0m0s ago (event ") ||
					!strings.HasSuffix(p.Reason, "no order_placed or purchase since") {
					t.Errorf("reason %q", p.Reason)
				}
			}
		}
	}
	slices.Sort(due)
	if want := []string{"cancelled", "order_before", "viewed"}; !slices.Equal(due, want) {
		t.Fatalf("due %v, want %v", due, want)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		dues, err := tx.ListNudgesDue(ctx, domain.NudgeQuery{Rule: rule, Now: clock.Now(), Limit: 10})
		for _, d := range dues {
			if names := domain.ItemNames(d.Items); len(d.Items) != 2 || !strings.HasPrefix(names, "Bucket, ") {
				t.Errorf("items of %d: %q", d.CustomerID, names)
			}
		}
		return err
	})
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil || rep.Sent != 3 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	clock.Advance(time.Hour)
	if rep, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil || rep.Sent != 0 {
		t.Fatalf("second run: %+v %v", rep, err)
	}
}
