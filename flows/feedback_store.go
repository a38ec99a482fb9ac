package flows

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// A rating of a store in general, with no visit behind it: /feedback
// offers it under the last visit's stars (and alone to a member who has
// bought nothing yet). Its buttons are stateless like the visit's: "Rate
// the store in general" (fbstore with no value) shows the stars, or first
// the stores to choose from when the business has several (fbstore with
// a store code); a star (fbgen with the code, a dot and 1–5) rates and
// goes on to the same comment step as a visit.

// generalButton is the row that turns /feedback to the store in general.
func generalButton(s *Session) []Button {
	return []Button{{Text: s.T("feedback.general.button", nil), Data: action("fbstore", "")}}
}

// generalPrompt is what asks for a general rating: the stars of the only
// store, or the choice of stores. intro, when not empty, goes first.
func generalPrompt(s *Session, intro string) (Reply, error) {
	stores := s.e.Business.Stores
	if len(stores) == 1 {
		return storeStars(s, intro, stores[0].Code)
	}
	return Reply{Text: stack(intro, s.T("feedback.general.choose", nil)), Inline: storeChoice(s, 0)}, nil
}

// storeChoice is a page of the stores to rate, a chain's a page at a
// time.
func storeChoice(s *Session, page int) [][]Button {
	return s.storeRows(s.e.Business.Stores, page,
		func(sc domain.StoreConfig) Button { return Button{Text: sc.Name, Data: action("fbstore", sc.Code)} },
		func(page int) string { return action("fbstore", storePagePrefix+strconv.Itoa(page)) })
}

// storeStars asks for the stars of one store in general, saying the
// rating already given when it may still be changed.
func storeStars(s *Session, intro, code string) (Reply, error) {
	shop, err := s.Tx.FindShopByCode(s.Ctx, code)
	if err != nil {
		return Reply{}, err
	}
	text := stack(intro, s.T("feedback.general.ask", map[string]any{"Store": shop.Name}))
	f, err := s.Tx.FindGeneralFeedback(s.Ctx, s.Customer.ID, shop.ID, s.e.Now().Add(-domain.FeedbackChangeWindow))
	switch {
	case isNotFound(err):
	case err != nil:
		return Reply{}, err
	default:
		text += "\n" + s.T("feedback.rated", map[string]any{"Stars": stars(strconv.Itoa(f.Stars))})
	}
	row := make([]Button, 5)
	for i := range row {
		n := strconv.Itoa(i + 1)
		row[i] = Button{Text: n + "⭐", Data: action("fbgen", code+"."+n)}
	}
	return Reply{Text: text, Inline: [][]Button{row}}, nil
}

// stack puts the non-empty parts one under the other.
func stack(parts ...string) string {
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	return strings.Join(parts, "\n")
}

// configured reports whether code is a store of the business config (a
// button may name one dropped since, or be forged).
func (e *Engine) configured(code string) bool {
	_, ok := e.Business.Store(code)
	return ok
}

// chooseStore is "Rate the store in general" (no value) or a store's
// button: the message turns into the next question in place.
func chooseStore(s *Session, code string) error {
	if page, ok := storePage(code); ok && s.Customer.Member() {
		s.Edit(Reply{Text: s.T("feedback.general.choose", nil), Inline: storeChoice(s, page)})
		return nil
	}
	if !s.Customer.Member() || (code != "" && !s.e.configured(code)) {
		s.Toast("error.stale_button")
		return nil
	}
	var r Reply
	var err error
	if code == "" {
		r, err = generalPrompt(s, "")
	} else {
		r, err = storeStars(s, "", code)
	}
	if err != nil {
		return err
	}
	s.Edit(r)
	return nil
}

// rateStore is a star of a general rating: it is saved (or changes the
// one given within the day), then the comment is offered as for a visit.
func rateStore(s *Session, value string) error {
	code, n, _ := strings.Cut(value, ".")
	k, _ := strconv.Atoi(n)
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	f, err := s.e.Service.RateStore(s.Ctx, s.Tx, s.Customer, code, k)
	switch {
	case isNotFound(err) || errors.Is(err, domain.ErrInvalid):
		s.Toast("error.stale_button")
		return nil
	case err != nil:
		return err
	}
	s.Leave()
	s.SetData("store", code)
	s.SetData("at", strconv.FormatInt(s.e.Now().Unix(), 10))
	s.SetData("stars", strconv.Itoa(f.Stars))
	s.SetData("shop", strconv.FormatInt(f.ShopID, 10))
	return s.Enter(flowFeedback, stepFeedbackComment)
}

func init() {
	registerAction("fbstore", chooseStore)
	registerAction("fbgen", rateStore)
}
