package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOwnerWithAStoreAnnouncesAnyPromotion: an owner invited with a
// store (`loyaltybot invite --role owner --store central`) starts
// promotions at any store, as every owner, and stops them; the
// "📣 Tell the members" under River's promotion she just started
// announces it too, rather than answering that the button is stale.
func TestOwnerWithAStoreAnnouncesAnyPromotion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	ctx := t.Context()
	var token string
	if err := h.DB.Update(ctx, func(tx domain.Tx) error {
		var shopID int64
		if err := h.DB.Pool().QueryRow(ctx, `SELECT id FROM stores WHERE code = 'central'`).Scan(&shopID); err != nil {
			return err
		}
		var err error
		token, err = h.Engine.Service.Invite(ctx, tx, nil, domain.RoleOwner, shopID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	vera := h.Chat(2060, "Vera", "en")
	vera.Send("/start i_" + token)
	if !strings.Contains(lastTexts(vera, 2), "Welcome to the team") {
		t.Fatalf("invite not accepted:\n%s", vera.Transcript())
	}
	vera.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("River").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start").Tap("📣 Tell the members")
	if conv := countRows(t, h, `SELECT count(*) FROM conversations WHERE chat_id = 2060 AND flow = 'broadcast'`); conv != 1 {
		t.Fatalf("the owner cannot announce the promotion she started:\n%s", vera.Transcript())
	}
}
