package flows

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// sendDigest gives every owner the day's ratings of all stores, and each
// store's managers their own store's: a line per store with the count and
// the average, and one per cashier (the POS counts as one), then one for
// the ratings of the store in general. It is the evening of ev.Zone: the
// owners' (and managers of no store) at the first store's, a store's
// managers' at their store's.
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
	zones, err := e.inquiryZones(ctx, tx, ev.Open)
	if err != nil {
		return err
	}
	zone := e.Business.ZoneOf(ev.Zone)
	for _, s := range staff {
		if !s.CanManage() {
			continue
		}
		if s.ShopID == 0 && zone != e.Business.HomeZone() {
			continue
		}
		if s.ShopID != 0 {
			shop, err := tx.FindShopByID(ctx, s.ShopID)
			if err != nil {
				return err
			}
			if e.Business.ZoneOf(shop.TimeZone) != zone {
				continue // their evening is another zone's
			}
		}
		var mine []domain.FeedbackStat
		for _, x := range ev.Stats {
			if s.ShopID == 0 || s.ShopID == x.ShopID {
				mine = append(mine, x)
			}
		}
		asked := inquiriesFor(&s, ev.Open)
		if len(mine) == 0 && len(asked) == 0 {
			continue
		}
		lang := e.staffLang(ctx, tx, &s)
		r := Reply{ChatID: s.ChatID}
		var parts []string
		if len(mine) > 0 {
			parts = append(parts, e.digestText(lang, mine, stores, names, e.digestTitle(ctx, tx, lang, &s, ev)))
		}
		if len(asked) > 0 {
			text, rows := e.openInquiriesText(lang, asked, zones, digestInquiries, "alert.digest.inquiries.more")
			parts, r.Inline = append(parts, text), rows
			// It names those it lists: the erasure of any of them
			// withdraws it while it waits.
			for _, q := range asked[:min(len(asked), digestInquiries)] {
				r.AlsoAbout = append(r.AlsoAbout, q.CustomerID)
			}
		}
		r.Text = strings.Join(parts, "\n\n")
		if err := e.queue(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// digestInquiries is how many unanswered questions the digest shows,
// each with its Reply button; the rest are counted.
const digestInquiries = 5

// inquiriesFor keeps the questions a staff member answers: owners and
// managers of no store all, a store's managers their store's and those
// of no store.
func inquiriesFor(s *domain.Staff, open []domain.OpenInquiry) []domain.OpenInquiry {
	var mine []domain.OpenInquiry
	for _, q := range open {
		if s.AnswersAt(q.ShopID) {
			mine = append(mine, q)
		}
	}
	return mine
}

// inquiryZones finds the clock each question's time is said at: its
// store's (the first store's for one of no store).
func (e *Engine) inquiryZones(ctx context.Context, tx domain.Tx, open []domain.OpenInquiry) (map[int64]*time.Location, error) {
	zones := map[int64]*time.Location{}
	for _, q := range open {
		if _, ok := zones[q.ShopID]; ok {
			continue
		}
		tz := e.Business.Stores[0].TimeZone
		if q.ShopID != 0 {
			shop, err := tx.FindShopByID(ctx, q.ShopID)
			if err != nil {
				return nil, err
			}
			tz = shop.TimeZone
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = time.UTC
		}
		zones[q.ShopID] = loc
	}
	return zones, nil
}

// openInquiriesText lists the questions nobody answered, the longest
// waiting first, each cut to a line, with a Reply button each: at most
// limit, the rest counted with the message more.
func (e *Engine) openInquiriesText(lang string, open []domain.OpenInquiry, zones map[int64]*time.Location, limit int,
	more string) (string, [][]Button) {
	l := e.localizer(lang)
	lines := []string{e.translate(l, "alert.digest.inquiries", nil)}
	var rows [][]Button
	for i, q := range open[:min(len(open), limit)] {
		at := q.CreatedAt.In(zones[q.ShopID]).Format("02.01 15:04")
		text := strings.Join(strings.Fields(q.Shown()), " ")
		if r := []rune(text); len(r) > 80 {
			text = string(r[:79]) + "…"
		}
		// Numbered, line and button alike: one customer's two questions
		// of one minute are told apart.
		lines = append(lines, e.translate(l, "alert.digest.inquiry", map[string]any{"N": i + 1, "Customer": q.CustomerName, "Time": at, "Text": text}))
		rows = append(rows, []Button{{Text: e.translate(l, "alert.digest.inquiry.reply", map[string]any{"N": i + 1, "Customer": q.CustomerName, "Time": at}),
			Data: action("iqreply", strconv.FormatInt(q.ID, 10))}})
	}
	if n := len(open) - limit; n > 0 {
		lines = append(lines, e.translate(l, more, map[string]any{"More": n}))
	}
	return strings.Join(lines, "\n"), rows
}

// digestTitle heads the digest: "the last 24 hours" for a day's (23 to
// 25 hours, the clocks may change), else, after a catch-up run, since
// when it counts, at the clock of the reader's store (an owner's: the
// first store's).
func (e *Engine) digestTitle(ctx context.Context, tx domain.Tx, lang string, s *domain.Staff, ev domain.FeedbackDigest) string {
	l := e.localizer(lang)
	if span := ev.To.Sub(ev.From); span >= 23*time.Hour && span <= 25*time.Hour {
		return e.translate(l, "alert.digest.title", nil)
	}
	loc := e.Business.Location()
	if s.ShopID != 0 {
		if shop, err := tx.FindShopByID(ctx, s.ShopID); err == nil {
			if z, err := time.LoadLocation(shop.TimeZone); err == nil {
				loc = z
			}
		}
	}
	return e.translate(l, "alert.digest.title.since", map[string]any{"Since": ev.From.In(loc).Format("02.01 15:04")})
}

// digestText writes the digest under title; stats come ordered by
// store, then cashier, the store in general last.
func (e *Engine) digestText(lang string, stats []domain.FeedbackStat, stores, names map[int64]string, title string) string {
	l := e.localizer(lang)
	lines := []string{title}
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
