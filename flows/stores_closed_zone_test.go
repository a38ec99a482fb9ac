package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestClosingTheFirstStoreMovesTheStorelessToTheNewFirst: a chain in
// Moscow and Vladivostok closes its Moscow store (it leaves the config;
// its row stays for the purchases). A member who joined without a store
// reads dates in the business's zone, now the first store's of the
// config, Vladivostok: her birthday greeting, due at 10:00, goes out at
// 10:00 there, not at 10:00 in Moscow seven hours later.
func TestClosingTheFirstStoreMovesTheStorelessToTheNewFirst(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges, func(b *domain.Business) {
		b.Stores[1].TimeZone = "Asia/Vladivostok"
	})
	anna := joinConsenting(t, h, 101, "Anna") // no store's poster: no store of her own
	c, _ := customer(t, h, 101)
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at) VALUES ($1, 'birthday', '1990-11-23', $2)`, c.ID, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	anna.Note("the owner closes Central: the config lists River alone, and the bot restarts with it")
	h.Biz.Stores = h.Biz.Stores[1:]
	if err := h.DB.SyncStores(t.Context(), h.Biz.Stores); err != nil {
		t.Fatal(err)
	}
	vladivostok, _ := time.LoadLocation("Asia/Vladivostok")
	h.Clock.Advance(time.Date(2026, 11, 23, 10, 0, 0, 0, vladivostok).Sub(h.Clock.Now())) // 03:00 in Moscow
	if h.Biz.Location().String() != "Asia/Vladivostok" {
		t.Fatalf("the business's zone is %s", h.Biz.Location())
	}
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v at 10:00 in Vladivostok on her birthday, want the greeting (the closed Moscow store's clock still rules)", rep)
	}
}
