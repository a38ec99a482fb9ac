package flows

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowCheckout = "checkout"

// Checkout steps. Ids are stored in conversations: never rename one.
const (
	stepCard    = "card"    // waiting for a typed card code (/scan)
	stepAmount  = "amount"  // waiting for the receipt amount
	stepChoose  = "choose"  // accrue or redeem
	stepPoints  = "points"  // waiting for a typed number of points
	stepConfirm = "confirm" // the last look before money moves
	stepPrize   = "prize"   // the last look before a prize is given
)

// checkout is the register: a cashier scans (or types) a customer's card,
// enters the receipt, accrues or redeems, confirms. The purchase is written
// in one transaction with an idempotency key per draft, so a double tap or
// a retried update records it once.
type checkout struct{}

func (checkout) Name() string { return flowCheckout }

// startScan begins a checkout by typing the code under the QR.
func startScan(s *Session) error {
	if !s.Staff.CanCheckout() {
		s.Say("staff.only", nil)
		return s.e.resume(s)
	}
	s.Conv.Reset()
	if code := strings.TrimSpace(s.In.Args); code != "" {
		// "/scan 1234 5678 123 456": the code (or phone) typed with the
		// command is looked up at once; one refused asks for it again.
		s.Conv.Flow, s.Conv.Step = flowCheckout, stepCard
		if s.e.Business.IsPhoneLookup(code) {
			return startCheckoutByPhone(s, code)
		}
		return startCheckout(s, code)
	}
	return s.Enter(flowCheckout, stepCard)
}

// startCheckout begins a checkout from a scanned card link (or typed code).
// Failed lookups count against the cashier and the card (the transaction
// commits them with the answer); a wrong typed code and an old one get the
// same answer, and only a scanned QR, which cannot be guessed, may be
// called expired.
func startCheckout(s *Session, input string) error {
	cardID, err := s.e.Service.ResolveCardID(s.Ctx, s.Tx, staffSource(s.Staff), input)
	return beginCheckout(s, cardID, err, false)
}

// startCheckoutByPhone begins a checkout for a customer without their
// card at hand, found by the phone number they tell: points can then be
// added, not paid with (a phone number proves nothing; the card does).
// A number that finds no member counts as a failed lookup, as a wrong
// code does.
func startCheckoutByPhone(s *Session, input string) error {
	cardID, err := s.e.Service.ResolveCardByPhone(s.Ctx, s.Tx, staffSource(s.Staff), input)
	return beginCheckout(s, cardID, err, true)
}

// beginCheckout shows the card found (or why none was) and asks for the
// receipt.
func beginCheckout(s *Session, cardID int64, err error, byPhone bool) error {
	var q *domain.CardQuote
	if err == nil {
		q, err = domain.QuoteCard(s.Ctx, s.Tx, &s.e.Business.Program, cardID, 0, s.e.Now())
	}
	// refused says why no checkout starts; a scan (/start c_…) over a
	// step half way then asks that step again, so a checkout left open
	// shows whose it is before the next amount goes to it.
	refused := func(id string, data map[string]any) error {
		s.Say(id, data)
		if s.In.Kind == InputCommand {
			return s.e.resume(s)
		}
		return nil
	}
	var tooMany *domain.TooManyAttemptsError
	switch {
	case errors.As(err, &tooMany) && byPhone:
		return refused("checkout.phone.too_many", map[string]any{"Minutes": waitMinutes(tooMany.RetryAfter)})
	case errors.As(err, &tooMany):
		return refused("checkout.card.too_many", map[string]any{"Minutes": waitMinutes(tooMany.RetryAfter)})
	case errors.Is(err, domain.ErrCardExpired):
		return refused("checkout.card.expired", nil)
	case byPhone && (errors.Is(err, domain.ErrCardInvalid) || errors.Is(err, domain.ErrNotFound)):
		return refused("checkout.phone.not_found", nil)
	case errors.Is(err, domain.ErrCardInvalid), errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrInvalid):
		return refused("checkout.card.invalid", nil)
	case err != nil:
		return err
	}
	if q.Customer.Erased {
		// The owner deleted their data: the card is closed.
		return refused("checkout.card.invalid", nil)
	}
	if q.Customer.TelegramID == s.In.User.ID {
		return refused("checkout.card.own", nil)
	}
	s.Conv.Reset()
	s.SetData("card", strconv.FormatInt(cardID, 10))
	s.SetData("customer", strconv.FormatInt(q.Customer.ID, 10)) // erasure ends the step
	s.SetData("draft", newDraft())
	s.SetData("bal", strconv.FormatInt(q.Card.Balance, 10))
	if !byPhone && s.e.Business.Gamification.Stamps.Enabled {
		n, err := s.e.Service.Stamps(s.Ctx, s.Tx, cardID)
		if err != nil {
			return err
		}
		s.SetData("stamps", strconv.Itoa(n))
	}
	found := "checkout.card.found"
	if byPhone {
		s.SetData("byphone", "1")
		found = "checkout.card.found_by_phone"
	}
	s.Send(Reply{Text: s.T(found, s.cardData(q)) + s.heldLine(q, true)})
	if err := sayNotes(s, q.Customer.ID); err != nil {
		return err
	}
	if !byPhone {
		if err := sayOpenOffers(s, q.Customer); err != nil {
			return err
		}
	}
	return s.Enter(flowCheckout, stepAmount)
}

// newDraft draws the key of a checkout's (or a return's) draft: the
// idempotency key of what it records, so a double tap records it once.
func newDraft() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cardData is what the cashier may see about the customer: first name,
// balance, tier. Nothing more.
func (s *Session) cardData(q *domain.CardQuote) map[string]any {
	return map[string]any{
		"Name": q.Customer.FirstName, "Balance": s.num(q.Card.Balance), "Count": q.Card.Balance,
		"Tier": q.Tier.NameIn(s.Lang), "Rate": percent(q.Tier.EarnBP, s.Lang), "Cap": s.e.Business.Program.RedeemCapPercent,
	}
}

// heldLine says, under the card's balance, that a welcome bonus held
// for the first purchase comes with this one, and that it can pay for it
// when it can (canPay, and the card was not found by phone): the done
// message's balance counts it either way ("" when none is held).
func (s *Session) heldLine(q *domain.CardQuote, canPay bool) string {
	if q.Held <= 0 {
		return ""
	}
	id := "checkout.card.welcome_held"
	if !canPay || s.byPhone() {
		id = "checkout.card.welcome_comes"
	}
	return "\n" + s.T(id, map[string]any{"Points": s.num(q.Held), "Count": q.Held})
}

// percent shows basis points as a percent the way people of lang write
// it: 300 → "3", 250 → "2.5", or "2,5" in Russian and Uzbek.
func percent(bp int64, lang string) string {
	whole, frac := bp/100, bp%100
	if frac == 0 {
		return strconv.FormatInt(whole, 10)
	}
	f := strconv.FormatInt(frac, 10)
	if frac < 10 {
		f = "0" + f
	}
	if f[1] == '0' {
		f = f[:1]
	}
	sep := "."
	if domain.DecimalComma(lang) {
		sep = ","
	}
	return strconv.FormatInt(whole, 10) + sep + f
}

func (checkout) cancelRow(s *Session) []Button {
	return []Button{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowCheckout, s.Conv.Step, "cancel")}}
}

func (c checkout) Ask(s *Session) error {
	if !s.Staff.CanCheckout() {
		// Revoked mid-checkout (and told so then): a command's resume
		// (/help, /start) must not show the customer's card and the
		// buttons again.
		s.Leave()
		return nil
	}
	switch s.Conv.Step {
	case stepCard:
		s.Send(Reply{Text: s.T("checkout.scan.ask", nil), Inline: [][]Button{c.cancelRow(s)}})
	case stepAmount:
		rows := s.prizeRows()
		if s.Staff.CanTakeReturns(&s.e.Business.Program) {
			// A customer bringing items back shows the card too.
			rows = append(rows, []Button{{Text: s.T("return.start", nil), Data: s.cb(flowCheckout, stepAmount, "return")}})
		}
		s.Send(Reply{Text: s.T("checkout.amount.ask", nil), Inline: append(rows, c.cancelRow(s))})
	case stepChoose:
		return c.askChoose(s)
	case stepPoints:
		s.Send(Reply{Text: s.T("checkout.points.ask", map[string]any{"Max": s.num(s.dataInt("max"))}), Inline: [][]Button{c.cancelRow(s)}})
	case stepConfirm:
		return c.askConfirm(s)
	case stepPrize:
		return c.askPrize(s)
	}
	return nil
}

func (c checkout) Handle(s *Session) error {
	if !s.Staff.CanCheckout() {
		// Revoked mid-checkout: the next tap is refused.
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	if s.In.Kind == InputCallback {
		switch v := s.tapValue(); {
		case v == "cancel":
			s.Leave()
			s.Edit(Reply{Text: s.T("checkout.cancelled", nil)})
			return nil
		case v == "return" && s.Conv.Step == stepAmount && s.Staff.CanTakeReturns(&s.e.Business.Program):
			s.Edit(Reply{Text: s.T("return.started", nil)})
			return startReturn(s)
		case strings.HasPrefix(v, prizeTap) && s.Conv.Step == stepAmount && !s.byPhone():
			s.SetData("prize", strings.TrimPrefix(v, prizeTap))
			return s.Goto(stepPrize)
		}
	}
	switch s.Conv.Step {
	case stepCard:
		if s.In.Kind != InputText {
			s.Say("checkout.scan.hint", nil)
			return c.Ask(s)
		}
		if s.e.Business.IsPhoneLookup(s.In.Text) {
			return startCheckoutByPhone(s, s.In.Text)
		}
		return startCheckout(s, s.In.Text)
	case stepAmount:
		return c.amount(s)
	case stepChoose:
		return c.choose(s)
	case stepPoints:
		return c.points(s)
	case stepConfirm:
		return c.confirm(s)
	case stepPrize:
		return c.prize(s)
	}
	return nil
}

func (s *Session) cardID() int64 {
	id, _ := strconv.ParseInt(s.Data("card"), 10, 64)
	return id
}

func (s *Session) dataInt(key string) int64 {
	n, _ := strconv.ParseInt(s.Data(key), 10, 64)
	return n
}

func (c checkout) amount(s *Session) error {
	if s.In.Kind != InputText {
		s.Say("checkout.amount.hint", nil)
		return c.Ask(s)
	}
	amount, err := domain.ParseAmount(s.In.Text, s.e.Business.Currency, s.e.Business.Program.MaxReceipt)
	if err != nil {
		return sayInvalid(s, err, c)
	}
	s.SetData("amount", strconv.FormatInt(amount, 10))
	return s.Goto(stepChoose)
}

// askChoose shows the two ways to go on: accrue on the whole receipt, or
// pay part of it with points (up to the cap).
func (c checkout) askChoose(s *Session) error {
	p := &s.e.Business.Program
	amount := s.dataInt("amount")
	q, promo, err := checkoutQuote(s, amount)
	if err != nil {
		return err
	}
	accrue, err := p.Quote(amount, 0, q.Spendable(), q.Spend, promo)
	if err != nil {
		return err
	}
	if s.byPhone() {
		q.MaxRedeem = 0 // the card pays, not a phone number
	}
	s.SetData("max", strconv.FormatInt(q.MaxRedeem, 10))
	data := s.cardData(q)
	data["Amount"] = s.e.money(amount, s.Lang)
	data["Earn"] = s.num(accrue.Earn)
	data["Max"] = s.num(q.MaxRedeem)
	rows := [][]Button{{{Text: s.T("checkout.choose.accrue", data), Data: s.cb(flowCheckout, stepChoose, "accrue")}}}
	ask := "checkout.choose.ask"
	if s.byPhone() {
		ask = "checkout.choose.by_phone"
	}
	if q.MaxRedeem > 0 {
		rows = append(rows,
			[]Button{{Text: s.T("checkout.choose.redeem_max", data), Data: s.cb(flowCheckout, stepChoose, "max")}},
			[]Button{{Text: s.T("checkout.choose.redeem_other", nil), Data: s.cb(flowCheckout, stepChoose, "other")}})
	}
	rows = append(rows, c.cancelRow(s))
	s.Send(Reply{Text: s.T(ask, data) + s.heldLine(q, q.MaxRedeem > 0) + s.promotionLine(accrue.Promotion), Inline: rows})
	return nil
}

// byPhone says whether the checkout's card was found by the customer's
// phone number: it may add points only.
func (s *Session) byPhone() bool { return s.Data("byphone") != "" }

// checkoutShop is the store a checkout is recorded at: the cashier's, or
// for an owner, who works in every store, the first one.
func checkoutShop(s *Session) (int64, error) {
	if s.Staff.ShopID != 0 {
		return s.Staff.ShopID, nil
	}
	shop, err := s.Tx.FindShopByCode(s.Ctx, s.e.Business.Stores[0].Code)
	if err != nil {
		return 0, err
	}
	return shop.ID, nil
}

// checkoutQuote reads the checkout's card for amount, and the promotion
// running at the checkout's store now.
func checkoutQuote(s *Session, amount int64) (*domain.CardQuote, *domain.Promotion, error) {
	shop, err := checkoutShop(s)
	if err != nil {
		return nil, nil, err
	}
	return s.e.Service.QuoteWithPromotion(s.Ctx, s.Tx, s.cardID(), amount, shop)
}

// promotionsByID finds the promotions purchases recorded, each id read
// once (a live one is a row; a config one's id gone from the config, and
// an unknown one, is nil).
func (s *Session) promotionsByID() func(id string) (*domain.Promotion, error) {
	seen := map[string]*domain.Promotion{}
	return func(id string) (*domain.Promotion, error) {
		if p, ok := seen[id]; ok {
			return p, nil
		}
		p, err := s.e.Service.PromotionByID(s.Ctx, s.Tx, id)
		if err != nil {
			return nil, err
		}
		seen[id] = p
		return p, nil
	}
}

// promotionLine says, under a quote, which promotion multiplied its
// points ("" when none did).
func (s *Session) promotionLine(p *domain.Promotion) string {
	if p == nil {
		return ""
	}
	return "\n" + s.T("checkout.promotion", map[string]any{"Title": p.TitleIn(s.Lang, s.e.Business.DefaultLanguage),
		"Multiplier": p.Multiplier})
}

// retyped takes an amount typed over the choice or the check before
// confirming as the receipt's corrected amount (a cashier who sees a
// typo types it again instead of cancelling and scanning once more),
// and quotes it afresh; the earlier messages' buttons go stale with the
// step's nonce. Any other text gets the hint and the question again.
func (c checkout) retyped(s *Session) error {
	amount, err := domain.ParseAmount(s.In.Text, s.e.Business.Currency, s.e.Business.Program.MaxReceipt)
	if err != nil {
		s.Say("checkout.choose.hint", nil)
		return c.Ask(s)
	}
	s.SetData("amount", strconv.FormatInt(amount, 10))
	s.SetData("redeem", "0")
	s.Say("checkout.amount.changed", map[string]any{"Amount": s.e.money(amount, s.Lang)})
	return s.Goto(stepChoose)
}

func (c checkout) choose(s *Session) error {
	if s.In.Kind == InputText {
		return c.retyped(s)
	}
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return c.Ask(s)
	}
	if s.byPhone() && v != "accrue" {
		return c.Ask(s) // a crafted tap: paying with points needs the card
	}
	// The choice message keeps a one-line record of what was chosen.
	switch v {
	case "accrue":
		s.SetData("redeem", "0")
		s.Edit(Reply{Text: s.T("checkout.choose.accrue_chosen", nil)})
	case "max":
		s.SetData("redeem", s.Data("max"))
		s.Edit(Reply{Text: s.T("checkout.choose.redeem_chosen", map[string]any{"Points": s.num(s.dataInt("max"))})})
	case "other":
		s.Edit(Reply{Text: s.T("checkout.choose.other_chosen", nil)})
		return s.Goto(stepPoints)
	default:
		return c.Ask(s)
	}
	return s.Goto(stepConfirm)
}

func (c checkout) points(s *Session) error {
	if s.In.Kind != InputText {
		s.Say("checkout.points.hint", nil)
		return c.Ask(s)
	}
	n, err := domain.ParsePoints(s.In.Text, s.dataInt("max"))
	if err != nil {
		var v *domain.ValidationError
		if errors.As(err, &v) && v.Reason == "error.points.too_large" {
			s.Say("checkout.points.over_max", map[string]any{"Max": s.num(s.dataInt("max"))})
			return c.Ask(s)
		}
		return sayInvalid(s, err, c)
	}
	s.SetData("redeem", strconv.FormatInt(n, 10))
	return s.Goto(stepConfirm)
}

func (c checkout) askConfirm(s *Session) error {
	r, err := c.confirmReply(s)
	if err != nil {
		return c.refuse(s, err)
	}
	s.Send(r)
	return nil
}

// draftStamps is how many stamps of the stamp card the draft gives: -1 when
// the purchase earns none whatever the count (no stamp card, under its
// minimum), else the cashier's count (one unless changed).
func (s *Session) draftStamps() int {
	st := &s.e.Business.Gamification.Stamps
	if !st.Qualifies(s.dataInt("amount"), s.e.Now()) {
		return -1
	}
	if s.Data("earn_stamps") == "" {
		return 1
	}
	return int(s.dataInt("earn_stamps"))
}

// stampRow is the confirmation's stamp line and the buttons that change
// the count, in place: a purchase of three coffees earns three stamps.
func (c checkout) stampRow(s *Session, n int) (string, []Button) {
	var row []Button
	if n > 0 {
		row = append(row, Button{Text: s.T("checkout.stamps.less", nil), Data: s.cb(flowCheckout, stepConfirm, "stamp-")})
	}
	if n < domain.MaxStampsPerPurchase {
		row = append(row, Button{Text: s.T("checkout.stamps.more", nil), Data: s.cb(flowCheckout, stepConfirm, "stamp+")})
	}
	return "\n" + s.T("checkout.confirm.stamps", map[string]any{"Stamps": s.stamps(n)}), row
}

// confirmReply is the last look before money moves; an error is the
// program's refusal of the draft (or a failure to read the card).
func (c checkout) confirmReply(s *Session) (Reply, error) {
	p := &s.e.Business.Program
	amount, redeem := s.dataInt("amount"), s.dataInt("redeem")
	q, promo, err := checkoutQuote(s, amount)
	if err != nil {
		return Reply{}, err
	}
	quote, err := p.Quote(amount, redeem, q.Spendable(), q.Spend, promo)
	if err != nil {
		return Reply{}, err
	}
	data := s.cardData(q)
	data["Amount"] = s.e.money(amount, s.Lang)
	data["Redeem"] = s.num(redeem)
	data["Pay"] = s.e.money(quote.Paid, s.Lang)
	data["Earn"] = s.num(quote.Earn)
	id := "checkout.confirm.accrue"
	if redeem > 0 {
		id = "checkout.confirm.redeem"
	}
	r := Reply{Text: s.T(id, data) + s.promotionLine(quote.Promotion), Inline: [][]Button{
		{{Text: s.T("checkout.confirm.yes", nil), Data: s.cb(flowCheckout, stepConfirm, "yes")}},
		{{Text: s.T("checkout.confirm.back", nil), Data: s.cb(flowCheckout, stepConfirm, "back")}},
		c.cancelRow(s),
	}}
	if n := s.draftStamps(); n >= 0 {
		line, row := c.stampRow(s, n)
		r.Text += line
		r.Inline = append([][]Button{r.Inline[0], row}, r.Inline[1:]...)
	}
	return r, nil
}

// refuse explains a rule the draft broke (the balance changed meanwhile,
// over the cap) and goes back to the choice.
func (c checkout) refuse(s *Session, err error) error {
	switch {
	case errors.Is(err, domain.ErrInsufficientPoints):
		s.Say("checkout.refused.balance", nil)
	case errors.Is(err, domain.ErrInvalid):
		var v *domain.ValidationError
		errors.As(err, &v)
		s.Say(v.Reason, map[string]any{"Max": s.num(s.dataInt("max"))})
	case errors.Is(err, domain.ErrNotFound):
		// The customer erased their data, closing the card, as the
		// step was confirmed: nothing to go back to.
		s.Leave()
		s.Edit(Reply{Text: s.T("checkout.card.invalid", nil)})
		return nil
	default:
		return err
	}
	return s.Goto(stepChoose)
}

func (c checkout) confirm(s *Session) error {
	if s.In.Kind == InputText {
		return c.retyped(s)
	}
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return c.Ask(s)
	}
	if v == "back" {
		s.Edit(Reply{Text: s.T("checkout.confirm.went_back", nil)})
		return s.Goto(stepChoose)
	}
	if v == "stamp+" || v == "stamp-" {
		return c.changeStamps(s, v)
	}
	if v != "yes" {
		return c.Ask(s)
	}
	shop, err := checkoutShop(s)
	if err != nil {
		return err
	}
	req := domain.PurchaseRequest{
		CardID: s.cardID(), ShopID: shop, StaffID: s.Staff.ID, Source: domain.SourceBot,
		IdempotencyKey: "bot:" + s.Data("draft"), Amount: s.dataInt("amount"),
		Currency: s.e.Business.Currency, Redeem: s.dataInt("redeem"),
	}
	if s.byPhone() {
		req.Redeem = 0
	}
	if n := s.draftStamps(); n >= 0 {
		req.Stamps = &n
	}
	res, err := s.e.Service.RecordPurchase(s.Ctx, s.Tx, req)
	if err != nil {
		return c.refuse(s, err)
	}
	s.Leave()
	p := res.Purchase
	data := map[string]any{
		"Name": res.Customer.FirstName, "Amount": s.e.money(p.Amount, s.Lang), "Earned": s.num(p.Earned),
		"Redeemed": s.num(p.Redeemed), "Balance": s.num(res.Balance), "Count": res.Balance, "Purchase": p.PublicID,
		"Pay": s.e.money(p.Amount-p.Redeemed*s.e.Business.Program.PointValue, s.Lang),
	}
	r := Reply{Text: s.T("checkout.done", data), Inline: [][]Button{{{Text: s.T("note.add", nil), Data: action("note", "p"+p.PublicID)}}}}
	if res.Welcome > 0 {
		// A held welcome bonus came with the purchase: the balance counts
		// it, so the points line adds up only with it named.
		r.Text += "\n" + s.T("checkout.done.welcome", map[string]any{"Points": s.num(res.Welcome), "Count": res.Welcome})
	}
	if req.Stamps != nil {
		r.Text += "\n" + s.T("checkout.done.stamps", map[string]any{"Stamps": s.stamps(p.Stamps)})
	}
	if s.Staff.CanCancel(&p, &s.e.Business.Program, s.e.Now()) {
		r.Inline = append(r.Inline, []Button{{Text: s.T("checkout.cancel_purchase", nil), Data: action("cancelask", p.PublicID)}})
	}
	// The customer's message, a profile offer and any owners' alert are
	// the reactions to the purchase (Engine.react), as for the POS API.
	s.Edit(r)
	return nil
}

// changeStamps is a tap on a stamp button of the confirmation: one stamp
// more or less, the confirmation edited in place.
func (c checkout) changeStamps(s *Session, v string) error {
	n := s.draftStamps()
	if n < 0 { // the stamp card went off meanwhile
		return c.Ask(s)
	}
	if v == "stamp+" {
		n = min(n+1, domain.MaxStampsPerPurchase)
	} else {
		n = max(n-1, 0)
	}
	s.SetData("earn_stamps", strconv.Itoa(n))
	r, err := c.confirmReply(s)
	if err != nil {
		return c.refuse(s, err)
	}
	s.Edit(r)
	return nil
}

// editRefusal answers a staff button the service refused by editing its
// message: notFound for ErrNotFound, a validation error's reason. done
// is false when err is nil (go on); any other error is returned.
func editRefusal(s *Session, err error, notFound string) (done bool, _ error) {
	var v *domain.ValidationError
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, domain.ErrNotFound):
		s.Edit(Reply{Text: s.T(notFound, nil)})
	case errors.As(err, &v):
		s.Edit(Reply{Text: s.T(v.Reason, reasonData(s, v))})
	default:
		return true, err
	}
	return true, nil
}

// mayCancel finds the purchase a cancel button is about and checks the
// staff member may cancel it (domain.Staff.CanCancel), having said why
// not when they may not (ok false).
func mayCancel(s *Session, publicID string) (p *domain.Purchase, ok bool, err error) {
	if !s.Staff.CanCheckout() {
		s.Toast("staff.manager_only")
		return nil, false, nil
	}
	p, err = s.Tx.FindPurchaseByPublicID(s.Ctx, publicID)
	prog := &s.e.Business.Program
	switch {
	case errors.Is(err, domain.ErrNotFound) || err == nil && s.Staff.ShopID != 0 && p.ShopID != s.Staff.ShopID:
		// Another store's purchase (a button from before a move) is as
		// unknown as the cancel itself will answer it: no name, no amount.
		s.Edit(Reply{Text: s.T("checkout.cancel_purchase.not_found", nil)})
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case !p.Cancelled() && s.ownPurchase(p):
		s.Edit(Reply{Text: s.T("checkout.cancel_purchase.own", nil)})
		return nil, false, nil
	case s.Staff.CanCancel(p, prog, s.e.Now()):
		return p, true, nil
	case p.StaffID == s.Staff.ID && prog.CashierCancelMinutes > 0: // their own, too late
		s.Edit(Reply{Text: s.T("checkout.cancel_purchase.too_late", map[string]any{"Minutes": prog.CashierCancelMinutes})})
	default:
		s.Toast("staff.manager_only")
	}
	return nil, false, nil
}

// ownPurchase says whether p is on the staff member's own card.
func (s *Session) ownPurchase(p *domain.Purchase) bool {
	c, err := s.Tx.FindCustomerByID(s.Ctx, p.CustomerID)
	return err == nil && s.Staff.OwnCard(c)
}

// askCancelPurchase asks to confirm cancelling a purchase.
func askCancelPurchase(s *Session, publicID string) error {
	p, ok, err := mayCancel(s, publicID)
	if !ok {
		return err
	}
	// Say which purchase it is, as the list it replaces did: at its
	// store's clock, as /today and the recent purchases show it.
	loc, err := s.clockOf(p.ShopID)
	if err != nil {
		return err
	}
	s.Edit(Reply{Text: s.T("checkout.cancel_purchase.ask", map[string]any{"Purchase": publicID, "Customer": orDash(s.customerFirstName(p.CustomerID)),
		"Amount": s.e.money(p.Amount, s.Lang), "Time": p.CreatedAt.In(loc).Format("02.01 15:04")}), Inline: [][]Button{{
		{Text: s.T("checkout.cancel_purchase.yes", nil), Data: action("cancel", publicID)},
		{Text: s.T("checkout.cancel_purchase.no", nil), Data: action("keep", publicID)},
	}}})
	return nil
}

// cancelPurchase reverses a purchase and tells the customer.
func cancelPurchase(s *Session, publicID string) error {
	if _, ok, err := mayCancel(s, publicID); !ok {
		return err
	}
	res, err := s.e.Service.CancelPurchase(s.Ctx, s.Tx, publicID, s.Staff.ShopID, s.Staff.ID)
	if done, err := editRefusal(s, err, "checkout.cancel_purchase.not_found"); done || err != nil {
		return err
	}
	p := res.Purchase
	s.Edit(Reply{Text: s.T("checkout.cancel_purchase.done", map[string]any{
		"Purchase": p.PublicID, "Name": res.Customer.FirstName, "Balance": s.num(res.Balance), "Count": res.Balance,
	})})
	return nil // the customer is told by the reaction, the first time only
}

func init() {
	registerFlow(checkout{})
	registerCommand("scan", MenuCashier, 10, startScan)
	registerAction("cancelask", askCancelPurchase)
	registerAction("cancel", cancelPurchase)
	registerAction("keep", func(s *Session, _ string) error {
		if !s.Staff.CanCheckout() {
			s.Toast("error.stale_button")
			return nil
		}
		s.Edit(Reply{Text: s.T("checkout.cancel_purchase.kept", nil)})
		return nil
	})
}
