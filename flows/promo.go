package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowPromo = "promo"

// Steps of starting a live promotion. Ids are stored in conversations:
// never rename one.
const (
	stepPromoMultiplier = "mult"    // ×2, ×3, ×5 or a number typed
	stepPromoStore      = "store"   // which store (owners of a chain)
	stepPromoStart      = "start"   // now, or a date and time
	stepPromoEnd        = "end"     // until when
	stepPromoTitle      = "title"   // the name customers read
	stepPromoConfirm    = "confirm" // Start or Cancel
	stepPromoMin        = "min"     // the smallest receipt, from the confirmation
)

// promoFlow starts or schedules a live promotion
// (domain.StartLivePromotion): the multiplier, the store (owners of a
// chain), the start (now, or a date and time) and the end in that
// store's time, the name, then a confirmation. /promo shows the
// promotions running and stops (or cancels) the live ones.
type promoFlow struct{}

func (promoFlow) Name() string { return flowPromo }

// promoEnds are the ends offered: hours from the start, or the end of a
// day (0: the start's) in the store's time zone.
var promoEnds = []string{"h1", "h2", "h4", "d0", "d1", "d2", "d6"}

// promoDayLabels name the ends at the end of a day.
var promoDayLabels = map[string]string{"d0": "promo.end.day0", "d1": "promo.end.day1", "d2": "promo.end.day2",
	"d6": "promo.end.day6"}

// maxPromoListed bounds the live promotions /promo lists with a Stop
// button each.
const maxPromoListed = 20

// promoCommand is /promo: what runs now, the live promotions with a Stop
// button each, and a button to start one.
func promoCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	r, err := promoList(s)
	if err != nil {
		return err
	}
	s.Send(r)
	return s.e.resume(s)
}

// promoList is /promo's message.
func promoList(s *Session) (Reply, error) {
	live, err := s.e.Service.OpenLivePromotions(s.Ctx, s.Tx, s.Staff)
	if err != nil {
		return Reply{}, err
	}
	loc := staffLocation(s)
	var shop int64 // what each brought: at the store of a store's manager
	if !s.promoStoreWide() {
		shop = s.Staff.ShopID
	}
	lines := []string{s.T("promo.list.title", nil)}
	var rows [][]Button
	for i, p := range live {
		if i == maxPromoListed {
			break
		}
		title := p.TitleIn(s.Lang, s.e.Business.DefaultLanguage)
		// A store's promotion at its store's clock, as it was started and
		// announced; one of every store at the reader's.
		loc := loc
		if p.ShopID != 0 {
			if _, l, err := s.e.Service.Shop(s.Ctx, s.Tx, p.ShopID); err == nil {
				loc = l
			}
		}
		id := "promo.list.live"
		if p.Start.After(s.e.Service.Now()) {
			id = "promo.list.upcoming"
		}
		lines = append(lines, s.T(id, map[string]any{"Title": title, "Multiplier": p.Multiplier,
			"Store": s.promoStore(p.ShopID), "Min": s.promoMin(p.MinAmount), "From": s.promoUntil(p.Start, loc),
			"Until": s.promoUntil(p.End, loc)}))
		// A store's manager reads what it brought at their store only.
		if r, err := s.Tx.PromotionResult(s.Ctx, p.ID, shop); err != nil {
			return Reply{}, err
		} else if r.Purchases > 0 {
			lines = append(lines, s.T("promo.list.so_far", map[string]any{"Count": s.num(int64(r.Purchases)),
				"Revenue": s.e.money(r.Revenue, s.Lang), "Extra": s.num(r.Extra(p.Multiplier))}))
		}
		n, _ := domain.ParseLiveID(p.ID)
		rows = append(rows, []Button{{Text: s.T("promo.button.stop", map[string]any{"Title": clip(title, 40)}),
			Data: action("promo", "stop"+strconv.FormatInt(n, 10))}})
	}
	now := s.e.Service.Now()
	code := "" // the store a store's manager sees the config's promotions at
	if !s.promoStoreWide() {
		shop, _, err := s.e.Service.Shop(s.Ctx, s.Tx, s.Staff.ShopID)
		if err != nil {
			return Reply{}, err
		}
		code = shop.Code
	}
	for i := range s.e.Business.Program.Promotions {
		p := &s.e.Business.Program.Promotions[i]
		id := "promo.list.config"
		if s.configPromotionRuns(p, code, now) {
			id = "promo.list.config_now"
		}
		lines = append(lines, s.T(id, map[string]any{"Title": p.TitleIn(s.Lang, s.e.Business.DefaultLanguage),
			"Multiplier": p.Multiplier, "Min": s.promoMin(p.MinAmount)}))
	}
	if len(lines) == 1 {
		lines = append(lines, s.T("promo.list.none", nil))
	}
	rows = append(rows, []Button{{Text: s.T("promo.button.new", nil), Data: action("promo", "new")}})
	return Reply{Text: strings.Join(lines, "\n"), Inline: rows}, nil
}

// configPromotionRuns says whether a config promotion runs now at the
// store with this code, in its time zone ("": at any store).
func (s *Session) configPromotionRuns(p *domain.Promotion, code string, now time.Time) bool {
	for _, st := range s.e.Business.Stores {
		if code != "" && st.Code != code {
			continue
		}
		loc, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		if p.At(st.Code, now.In(loc)) {
			return true
		}
	}
	return false
}

// promoWhere tells, in lang, where a promotion at store shopID (0: every
// store) runs ("at Central") and from which receipt (" on receipts from
// 1,000 RUB"; "" for any), and the time zone its times are told in: the
// store's, for every store the first store's.
func (e *Engine) promoWhere(ctx context.Context, tx domain.Tx, shopID, minAmount int64, lang string) (store, minimum string, zone *time.Location, err error) {
	l := e.localizer(lang)
	store, zone = e.translate(l, "promo.at.all", nil), time.UTC
	if len(e.Business.Stores) > 0 {
		if zone, err = time.LoadLocation(e.Business.Stores[0].TimeZone); err != nil {
			zone = time.UTC
		}
	}
	if shopID != 0 {
		shop, loc, err := e.Service.Shop(ctx, tx, shopID) // read once per process
		if err != nil {
			return "", "", nil, err
		}
		store, zone = e.translate(l, "promo.at.store", map[string]any{"Store": shop.Name}), loc
	}
	if minAmount > 0 {
		minimum = e.translate(l, "promo.min", map[string]any{"Amount": e.money(minAmount, lang)})
	}
	return store, minimum, zone, nil
}

// promoStoreReply asks where a promotion runs: every store, or one, a
// page of the stores at a time.
func promoStoreReply(s *Session, cancel Button) Reply {
	rows := [][]Button{{{Text: s.T("promo.store.all", nil), Data: s.cb(flowPromo, stepPromoStore, "*")}}}
	rows = append(rows, s.flowStoreRows(flowPromo, stepPromoStore)...)
	return Reply{Text: s.T("promo.ask.store", nil), Inline: append(rows, []Button{cancel})}
}

// promoStore names where a live promotion runs, in the session's
// language.
func (s *Session) promoStore(shopID int64) string {
	store, _, _, err := s.e.promoWhere(s.Ctx, s.Tx, shopID, 0, s.Lang)
	if err != nil {
		return s.T("promo.at.store", map[string]any{"Store": "#" + strconv.FormatInt(shopID, 10)})
	}
	return store
}

// promoMin says which receipts a promotion multiplies ("" for any).
func (s *Session) promoMin(amount int64) string {
	_, minimum, _, _ := s.e.promoWhere(s.Ctx, s.Tx, 0, amount, s.Lang)
	return minimum
}

// promoUntil shows an end: the time alone when it is today.
func (s *Session) promoUntil(end time.Time, loc *time.Location) string {
	end, now := end.In(loc), s.e.Service.Now().In(loc)
	if end.Year() == now.Year() && end.YearDay() == now.YearDay() {
		return end.Format("15:04")
	}
	return end.Format("02.01 15:04")
}

// promoAction is /promo's buttons: "new" starts the flow, "stop<n>"
// stops live promotion n and shows the list again in place.
func promoAction(s *Session, value string) error {
	if !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	if value == "new" {
		s.Conv.Reset()
		return s.Enter(flowPromo, stepPromoMultiplier)
	}
	if n, ok := strings.CutPrefix(value, "tell"); ok {
		return tellPromotion(s, n)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(value, "stop"), 10, 64)
	if !strings.HasPrefix(value, "stop") || err != nil {
		s.Toast("error.stale_button")
		return nil
	}
	_, err = s.e.Service.StopLivePromotion(s.Ctx, s.Tx, s.Staff, n)
	var v *domain.ValidationError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.Toast("error.stale_button")
		return nil
	case errors.Is(err, domain.ErrPromotionOver):
		s.Toast("promo.over")
	case errors.As(err, &v):
		s.Toast(v.Reason)
		return nil
	case err != nil:
		return err
	default:
		s.Toast("promo.stopped")
	}
	r, err := promoList(s)
	if err != nil {
		return err
	}
	s.Edit(r)
	return nil
}

func (promoFlow) Ask(s *Session) error {
	cancel := Button{Text: s.T("promo.cancel", nil), Data: s.cb(flowPromo, s.Conv.Step, "cancel")}
	loc := s.promoLocation()
	switch s.Conv.Step {
	case stepPromoMultiplier:
		var row []Button
		for _, m := range []int{2, 3, 5} {
			row = append(row, Button{Text: "×" + strconv.Itoa(m), Data: s.cb(flowPromo, stepPromoMultiplier, strconv.Itoa(m))})
		}
		s.Send(Reply{Text: s.T("promo.ask.multiplier", map[string]any{"Max": domain.MaxPromotionMultiplier}),
			Inline: [][]Button{row, {cancel}}})
	case stepPromoStart:
		s.Send(Reply{Text: s.T("promo.ask.start", map[string]any{"Zone": loc.String()}), Inline: [][]Button{
			{{Text: s.T("promo.start.now", nil), Data: s.cb(flowPromo, stepPromoStart, "now")}}, {cancel}}})
	case stepPromoEnd:
		start := s.promoStart()
		var rows [][]Button
		var hours []Button
		for _, e := range promoEnds {
			end := promoEnd(e, start, loc)
			b := Button{Data: s.cb(flowPromo, stepPromoEnd, e)}
			switch e[0] {
			case 'h':
				b.Text = s.T("promo.end.hours", map[string]any{"Hours": e[1:], "Until": end.In(loc).Format("15:04")})
				hours = append(hours, b)
				continue
			case 'd':
				b.Text = s.T(promoDayLabels[e], map[string]any{"Date": end.In(loc).Format("02.01")})
			}
			rows = append(rows, []Button{b})
		}
		rows = append([][]Button{hours}, rows...)
		s.Send(Reply{Text: s.T("promo.ask.end", nil), Inline: append(rows, []Button{cancel})})
	case stepPromoStore:
		s.Send(promoStoreReply(s, cancel))
	case stepPromoTitle:
		s.Send(Reply{Text: s.T("promo.ask.title", map[string]any{"Max": domain.MaxPromotionTitleRunes}),
			Inline: [][]Button{{{Text: s.promoDefaultTitle(s.Lang), Data: s.cb(flowPromo, stepPromoTitle, "default")}}, {cancel}}})
	case stepPromoConfirm:
		ask, yes := "promo.confirm", "promo.confirm.yes"
		if s.Data("start") != "" {
			ask, yes = "promo.confirm.later", "promo.confirm.schedule"
		}
		minLabel := s.T("promo.button.min", nil)
		if m := s.dataInt("min"); m > 0 {
			minLabel = s.T("promo.button.min_set", map[string]any{"Amount": s.e.money(m, s.Lang)})
		}
		s.Send(Reply{Text: s.T(ask, s.promoData()), Inline: [][]Button{
			{{Text: s.T(yes, nil), Data: s.cb(flowPromo, stepPromoConfirm, "yes")}, cancel},
			{{Text: minLabel, Data: s.cb(flowPromo, stepPromoConfirm, "min")}}}})
	case stepPromoMin:
		s.Send(Reply{Text: s.T("promo.ask.min", nil), Inline: [][]Button{
			{{Text: s.T("promo.min.none", nil), Data: s.cb(flowPromo, stepPromoMin, "none")}}, {cancel}}})
	default:
		return fmt.Errorf("promo: unknown step %q", s.Conv.Step)
	}
	return nil
}

// typedPromoTime is an end typed as a time of day: "17:30", "17.30", "17".
var typedPromoTime = regexp.MustCompile(`^([01]?\d|2[0-3])(?:[:.]([0-5]\d))?$`)

func (f promoFlow) Handle(s *Session) error {
	if s.leftStaffFlow(s.Staff.CanManage(), "staff.revoked", "promo.cancelled") {
		return nil
	}
	now := s.e.Service.Now()
	switch s.Conv.Step {
	case stepPromoMultiplier:
		text := s.tapValue()
		if s.In.Kind == InputText {
			text = strings.TrimPrefix(strings.TrimSpace(s.In.Text), "×")
			text = strings.TrimPrefix(strings.TrimPrefix(text, "x"), "X")
		} else if s.In.Kind != InputCallback {
			return f.Ask(s)
		}
		m, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || m < 2 || m > domain.MaxPromotionMultiplier {
			s.Say("promo.error.multiplier", map[string]any{"Max": domain.MaxPromotionMultiplier})
			return f.Ask(s)
		}
		s.SetData("mult", strconv.Itoa(m))
		if s.promoStoreWide() && len(s.e.Business.Stores) > 1 {
			return s.Goto(stepPromoStore)
		}
		s.SetData("shop", strconv.FormatInt(s.Staff.ShopID, 10))
		return s.Goto(stepPromoStart)
	case stepPromoStart:
		switch {
		case s.In.Kind == InputCallback && s.tapValue() == "now":
			s.SetData("start", "")
		case s.In.Kind == InputText:
			at, err := domain.ParseDateTime(s.In.Text, now, s.promoLocation())
			var v *domain.ValidationError
			if errors.As(err, &v) {
				s.Say(v.Reason, nil)
				return f.Ask(s)
			} else if err != nil {
				return err
			}
			if !at.After(now) || at.Sub(now) > domain.MaxLivePromotionLead {
				s.Say("promo.error.start", nil)
				return f.Ask(s)
			}
			s.SetData("start", at.UTC().Format(time.RFC3339))
		default:
			return f.Ask(s)
		}
		return s.Goto(stepPromoEnd)
	case stepPromoEnd:
		loc := s.promoLocation()
		start := s.promoStart()
		var end time.Time
		switch s.In.Kind {
		case InputCallback:
			end = promoEnd(s.tapValue(), start, loc)
		case InputText:
			if m := typedPromoTime.FindStringSubmatch(strings.TrimSpace(s.In.Text)); m != nil {
				h, _ := strconv.Atoi(m[1])
				mins, _ := strconv.Atoi(m[2])
				local := start.In(loc)
				end = time.Date(local.Year(), local.Month(), local.Day(), h, mins, 0, 0, loc)
				if !end.After(start) {
					end = end.AddDate(0, 0, 1) // a time passed that day: the next day's
				}
			} else {
				s.Say("promo.error.end_typed", nil)
				return f.Ask(s)
			}
		default:
			return f.Ask(s)
		}
		if end.IsZero() {
			return f.Ask(s)
		}
		s.SetData("end", end.UTC().Format(time.RFC3339))
		return s.Goto(stepPromoTitle)
	case stepPromoStore:
		if s.In.Kind != InputCallback {
			return f.Ask(s)
		}
		if page, ok := storePage(s.tapValue()); ok {
			s.SetData("spage", strconv.Itoa(page))
			s.Edit(promoStoreReply(s, Button{Text: s.T("promo.cancel", nil), Data: s.cb(flowPromo, s.Conv.Step, "cancel")}))
			return nil
		}
		shop := int64(0)
		if code := s.tapValue(); code != "*" {
			sh, err := s.Tx.FindShopByCode(s.Ctx, code)
			if errors.Is(err, domain.ErrNotFound) {
				return f.Ask(s)
			} else if err != nil {
				return err
			}
			shop = sh.ID
		}
		s.SetData("shop", strconv.FormatInt(shop, 10))
		return s.Goto(stepPromoStart)
	case stepPromoTitle:
		switch {
		case s.In.Kind == InputCallback && s.tapValue() == "default":
			s.SetData("title", "")
		case s.In.Kind == InputText:
			t, err := domain.ParsePromotionTitle(s.In.Text)
			if err != nil {
				s.Say("promo.error.title", map[string]any{"Max": domain.MaxPromotionTitleRunes})
				return f.Ask(s)
			}
			s.SetData("title", t)
		default:
			return f.Ask(s)
		}
		return s.Goto(stepPromoConfirm)
	case stepPromoConfirm:
		if s.In.Kind == InputCallback && s.tapValue() == "min" {
			return s.Goto(stepPromoMin)
		}
		if s.In.Kind != InputCallback || s.tapValue() != "yes" {
			return f.Ask(s)
		}
		return f.start(s)
	case stepPromoMin:
		switch {
		case s.In.Kind == InputCallback && s.tapValue() == "none":
			s.SetData("min", "")
		case s.In.Kind == InputText:
			amount, err := domain.ParseAmount(s.In.Text, s.e.Business.Currency, s.e.Business.Program.MaxReceipt)
			if err != nil {
				return sayInvalid(s, err, f)
			}
			s.SetData("min", strconv.FormatInt(amount, 10))
		default:
			return f.Ask(s)
		}
		return s.Goto(stepPromoConfirm)
	}
	return fmt.Errorf("promo: unknown step %q", s.Conv.Step)
}

// start starts the promotion the steps chose.
func (f promoFlow) start(s *Session) error {
	data := s.promoData()
	p, err := s.e.Service.StartLivePromotion(s.Ctx, s.Tx, s.Staff, s.promoRequest())
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Edit(Reply{Text: s.T(v.Reason, promoErrorData(v.Reason))})
		switch v.Reason { // waited past the start or the end chosen
		case "promo.error.start":
			return s.Goto(stepPromoStart)
		case "promo.error.end":
			return s.Goto(stepPromoEnd)
		}
		s.Leave()
		return nil
	} else if err != nil {
		return err
	}
	done := "promo.started"
	if s.Data("start") != "" {
		done = "promo.scheduled"
	}
	s.Leave()
	data["Title"] = p.TitleIn(s.Lang, s.e.Business.DefaultLanguage)
	n, _ := domain.ParseLiveID(p.ID)
	s.Edit(Reply{Text: s.T(done, data), Inline: [][]Button{{{Text: s.T("promo.button.tell", nil),
		Data: action("promo", "tell"+strconv.FormatInt(n, 10))}}}})
	return nil
}

// tellPromotion starts a broadcast of live promotion n (its number in
// text), the text written for the members in the staff member's
// language: they choose the audience and send as with /broadcast.
func tellPromotion(s *Session, text string) error {
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		s.Toast("error.stale_button")
		return nil
	}
	p, err := s.e.Service.PromotionByID(s.Ctx, s.Tx, domain.LiveID(n))
	if err != nil {
		return err
	}
	if p == nil || !s.promoStoreWide() && p.ShopID != s.Staff.ShopID {
		// Not theirs: a store's manager tells of their store's, as
		// they stop only those.
		s.Toast("error.stale_button")
		return nil
	}
	if !p.End.After(s.e.Service.Now()) {
		s.Toast("promo.over")
		return nil
	}
	s.Conv.Reset()
	s.SetData("promo", p.ID) // the announcement goes before its end
	// The bot writes it, so each member gets it in their language
	// (sendBroadcast); the staff member previews their own.
	for _, lang := range s.e.Business.Languages {
		text, err := s.promoAnnouncement(p, lang)
		if err != nil {
			return err
		}
		s.SetData(broadcastTextKey(lang), text)
	}
	s.SetData("text", s.Data(broadcastTextKey(s.Lang)))
	return s.Enter(flowBroadcast, stepBcAudience)
}

// promoAnnouncement is the members' message about live promotion p in
// lang.
func (s *Session) promoAnnouncement(p *domain.Promotion, lang string) (string, error) {
	store, minimum, loc, err := s.e.promoWhere(s.Ctx, s.Tx, p.ShopID, p.MinAmount, lang)
	if err != nil {
		return "", err
	}
	id := "promo.announce"
	if p.Start.After(s.e.Service.Now()) {
		id = "promo.announce.later"
	}
	from, until := s.promoUntil(p.Start, loc), s.promoUntil(p.End, loc)
	if p.ShopID == 0 {
		// One text goes to the members of every store: where the
		// stores' clocks differ, it gives each one's time.
		from, until = s.promoUntilEach(p.Start), s.promoUntilEach(p.End)
	}
	return s.e.translate(s.e.localizer(lang), id, map[string]any{"Title": p.TitleIn(lang, s.e.Business.DefaultLanguage),
		"Multiplier": p.Multiplier, "Store": store, "Min": minimum, "From": from, "Until": until}), nil
}

// promoUntilEach is promoUntil of t at every store's clock: one time
// when they agree, else each time with the stores it is theirs ("20:00
// (Central, North), 22:00 (River)").
func (s *Session) promoUntilEach(t time.Time) string {
	var times []string
	names := map[string][]string{}
	for _, st := range s.e.Business.Stores {
		loc, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		at := s.promoUntil(t, loc)
		if _, ok := names[at]; !ok {
			times = append(times, at)
		}
		names[at] = append(names[at], st.Name)
	}
	switch len(times) {
	case 0:
		return s.promoUntil(t, time.UTC)
	case 1:
		return times[0]
	}
	for i, at := range times {
		times[i] = at + " (" + strings.Join(names[at], ", ") + ")"
	}
	return strings.Join(times, ", ")
}

// promoErrorData fills the messages of the domain's refusals.
func promoErrorData(reason string) map[string]any {
	switch reason {
	case "promo.error.multiplier":
		return map[string]any{"Max": domain.MaxPromotionMultiplier}
	case "promo.error.title":
		return map[string]any{"Max": domain.MaxPromotionTitleRunes}
	}
	return nil
}

// promoRequest is the request the conversation's data make.
func (s *Session) promoRequest() domain.LivePromotionRequest {
	m, _ := strconv.ParseInt(s.Data("mult"), 10, 64)
	shop, _ := strconv.ParseInt(s.Data("shop"), 10, 64)
	end, _ := time.Parse(time.RFC3339, s.Data("end"))
	start, _ := time.Parse(time.RFC3339, s.Data("start")) // zero: now
	req := domain.LivePromotionRequest{Multiplier: m, ShopID: shop, Start: start, End: end, Title: map[string]string{},
		MinAmount: s.dataInt("min")}
	for _, lang := range s.e.Business.Languages {
		req.Title[lang] = s.Data("title")
		if req.Title[lang] == "" {
			req.Title[lang] = s.promoDefaultTitle(lang)
		}
	}
	return req
}

// promoData fills the confirmation and the done message.
func (s *Session) promoData() map[string]any {
	req := s.promoRequest()
	return map[string]any{"Multiplier": req.Multiplier, "Store": s.promoStore(req.ShopID), "Min": s.promoMin(req.MinAmount),
		"From": s.promoUntil(s.promoStart(), s.promoLocation()), "Until": s.promoUntil(req.End, s.promoLocation()),
		"Title": req.Title[s.Lang]}
}

// promoStart is the start chosen: the time typed, else now.
func (s *Session) promoStart() time.Time {
	if at, err := time.Parse(time.RFC3339, s.Data("start")); err == nil {
		return at
	}
	return s.e.Service.Now()
}

// promoDefaultTitle is the name offered in lang: "Flash promotion until
// 17:00".
func (s *Session) promoDefaultTitle(lang string) string {
	end, _ := time.Parse(time.RFC3339, s.Data("end"))
	return s.e.translate(s.e.localizer(lang), "promo.title.default", map[string]any{"Until": s.promoUntil(end, s.promoLocation())})
}

// promoStoreWide says whether the staff member chooses the store (owners
// and managers of every store).
func (s *Session) promoStoreWide() bool {
	return s.Staff.Role == domain.RoleOwner || s.Staff.ShopID == 0
}

// promoLocation is the time zone the ends are told in: the store's,
// once chosen, else the staff member's.
func (s *Session) promoLocation() *time.Location {
	if shop, _ := strconv.ParseInt(s.Data("shop"), 10, 64); shop != 0 {
		if _, loc, err := s.e.Service.Shop(s.Ctx, s.Tx, shop); err == nil {
			return loc
		}
	}
	return staffLocation(s)
}

// promoEnd is the end an offered choice means for a start: hours from
// it, or the end of a day (0: the start's) in loc, 23:59:59 (the end is
// kept to the second; shown as 23:59), so a purchase in the day's last
// minute still gets the points; zero for an unknown choice.
func promoEnd(choice string, start time.Time, loc *time.Location) time.Time {
	if len(choice) != 2 || !strings.Contains("hd", choice[:1]) {
		return time.Time{}
	}
	n, err := strconv.Atoi(choice[1:])
	if err != nil {
		return time.Time{}
	}
	if choice[0] == 'h' {
		return start.Add(time.Duration(n) * time.Hour)
	}
	l := start.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 23, 59, 59, 0, loc)
}

// notifyPromotionStarted tells the owners, but the one who started it,
// that a live promotion was started or scheduled: it gives points away.
func (e *Engine) notifyPromotionStarted(ctx context.Context, tx domain.Tx, ev domain.LivePromotionStarted) error {
	owners, err := e.ownersToTell(ctx, tx, ev.By.ID)
	if err != nil {
		return err
	}
	p := ev.Promotion
	for _, s := range owners {
		lang := e.staffLang(ctx, tx, &s)
		l := e.localizer(lang)
		store, minimum, z, err := e.promoWhere(ctx, tx, p.ShopID, p.MinAmount, lang)
		if err != nil {
			return err
		}
		text := e.translate(l, "promo.owner_notice", map[string]any{"Name": ev.By.FirstName,
			"Role": e.translate(l, "role."+string(ev.By.Role), nil), "Title": p.TitleIn(lang, e.Business.DefaultLanguage),
			"Multiplier": p.Multiplier, "Store": store, "Min": minimum,
			"From": p.Start.In(z).Format("02.01 15:04"), "Until": p.End.In(z).Format("02.01 15:04")})
		if err := e.queue(ctx, tx, Reply{ChatID: s.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// ReportPromotions tells whoever started a live promotion what it came
// to once it is over (the promotion_reports job): its purchases, their
// receipts and the points the multiplier added.
func (e *Engine) ReportPromotions(ctx context.Context) (int, error) {
	return e.Service.ReportPromotions(ctx, e.Store, func(ctx context.Context, tx domain.Tx, to *domain.Staff,
		p domain.Promotion, r domain.PromotionStat) (json.RawMessage, error) {
		lang := e.staffLang(ctx, tx, to)
		loc := e.localizer(lang)
		store, minimum, z, err := e.promoWhere(ctx, tx, p.ShopID, p.MinAmount, lang)
		if err != nil {
			return nil, err
		}
		id := "promo.report"
		if r.Purchases == 0 {
			id = "promo.report.none"
		}
		return Reply{ChatID: to.ChatID, Text: e.translate(loc, id, map[string]any{
			"Title": p.TitleIn(lang, e.Business.DefaultLanguage), "Multiplier": p.Multiplier, "Store": store, "Min": minimum,
			"From": p.Start.In(z).Format("02.01 15:04"), "Until": p.End.In(z).Format("02.01 15:04"),
			"Count": e.num(int64(r.Purchases), lang), "Revenue": e.money(r.Revenue, lang),
			"Extra": e.num(r.Extra(p.Multiplier), lang)})}.encode()
	})
}

func init() {
	registerFlow(promoFlow{})
	registerCommand("promo", MenuManager, 25, promoCommand)
	registerAction("promo", promoAction)
}
