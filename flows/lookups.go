package flows

import (
	"context"
	"strconv"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// staffSource is a staff member as the limits on failed card lookups
// know them: a cashier guessing typed codes at /scan is held back like a
// POS key.
func staffSource(st *domain.Staff) domain.LookupSource {
	return domain.LookupSource{Scope: domain.ScopeStaff, ID: strconv.FormatInt(st.ID, 10),
		Name: st.FirstName, ShopID: st.ShopID}
}

// waitMinutes rounds a wait up to whole minutes for people.
func waitMinutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

// notifyLookupBurst alerts owners (and the store's managers) that a POS
// key or a cashier has just reached the limit of failed card lookups: once
// per window (the domain records the burst once), not once per attempt.
func (e *Engine) notifyLookupBurst(ctx context.Context, tx domain.Tx, b domain.LookupBurst) error {
	store := e.Business.Name
	if b.Source.ShopID != 0 {
		shop, err := tx.FindShopByID(ctx, b.Source.ShopID)
		if err != nil {
			return err
		}
		store = shop.Name
	}
	staff, err := tx.ListStaff(ctx, b.Source.ShopID)
	if err != nil {
		return err
	}
	for _, s := range staff {
		if !s.CanManage() || (b.Source.ShopID == 0 && s.Role != domain.RoleOwner) {
			continue
		}
		loc := e.localizer(e.staffLang(ctx, tx, &s))
		text := e.translate(loc, "alert.lookups", map[string]any{
			"Count": b.Failures, "Store": store, "Minutes": int(b.Window / time.Minute),
			"Who": e.translate(loc, "alert.lookups."+string(b.Source.Scope), map[string]any{"Name": b.Source.Name}),
		})
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
}
