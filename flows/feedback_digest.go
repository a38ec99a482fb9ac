package flows

import (
	"context"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// sendDigest gives every owner the day's ratings of all stores, and each
// store's managers their own store's: a line per store with the count and
// the average, and one per cashier (the POS counts as one), then one for
// the ratings of the store in general.
func (e *Engine) sendDigest(ctx context.Context, tx domain.Tx, ev domain.FeedbackDigest) error {
	staff, err := tx.ListStaff(ctx, 0)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	stores := map[int64]string{}
	for _, x := range ev.Stats {
		if _, ok := stores[x.ShopID]; !ok {
			shop, err := tx.FindShopByID(ctx, x.ShopID)
			if err != nil {
				return err
			}
			stores[x.ShopID] = shop.Name
		}
		if x.StaffID != 0 {
			if _, ok := names[x.StaffID]; !ok {
				names[x.StaffID] = "—"
				if s, err := tx.FindStaffByID(ctx, x.StaffID); err == nil {
					names[x.StaffID] = s.FirstName
				}
			}
		}
	}
	for _, s := range staff {
		if !s.CanManage() {
			continue
		}
		var mine []domain.FeedbackStat
		for _, x := range ev.Stats {
			if s.ShopID == 0 || s.ShopID == x.ShopID {
				mine = append(mine, x)
			}
		}
		if len(mine) == 0 {
			continue
		}
		lang := e.staffLang(ctx, tx, &s)
		text := e.digestText(lang, mine, stores, names)
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// digestText writes the digest; stats come ordered by store, then
// cashier, the store in general last.
func (e *Engine) digestText(lang string, stats []domain.FeedbackStat, stores, names map[int64]string) string {
	l := e.localizer(lang)
	lines := []string{e.translate(l, "alert.digest.title", nil)}
	for i := 0; i < len(stats); {
		shop := stats[i].ShopID
		total := domain.FeedbackStat{ShopID: shop}
		var cashiers []string
		for ; i < len(stats) && stats[i].ShopID == shop; i++ {
			x := stats[i]
			total.Count += x.Count
			total.Stars += x.Stars
			name := names[x.StaffID]
			switch {
			case x.General:
				name = e.translate(l, "alert.digest.general", nil)
			case x.StaffID == 0:
				name = cashierName("", domain.SourcePOS)
			}
			cashiers = append(cashiers, e.translate(l, "alert.digest.cashier", map[string]any{
				"Cashier": name, "Count": x.Count, "Average": tenths(x.Average(), lang)}))
		}
		lines = append(lines, e.translate(l, "alert.digest.store", map[string]any{
			"Store": stores[shop], "Count": total.Count, "Average": tenths(total.Average(), lang)}))
		lines = append(lines, cashiers...)
	}
	return strings.Join(lines, "\n")
}

// tenths shows 42 as "4.2" (or "4,2" where a comma is the decimal mark).
func tenths(n int, lang string) string {
	sep := "."
	if domain.DecimalComma(lang) {
		sep = ","
	}
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + strconv.Itoa(n/10) + sep + strconv.Itoa(n%10)
}
