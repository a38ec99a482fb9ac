package flows

import (
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// storesPerPage is how many stores a store picker shows at once, two a
// row: a chain's whole list in one message would pass Telegram's 100
// buttons, and a long one is hard to read on a phone anyway.
const storesPerPage = 20

// storePagePrefix starts the value of a button that turns a store
// picker's page ("page:2"); store codes hold no ':'.
const storePagePrefix = "page:"

// storePage reads a page turn from a button's value; ok is false for a
// store's code.
func storePage(value string) (page int, ok bool) {
	p, ok := strings.CutPrefix(value, storePagePrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(p)
	return max(n, 0), err == nil
}

// storeRows lays out page (from 0; past the end: the last) of stores as
// buttons (one a row for a few stores, two for more), pick making each store's button, and under them ◀
// and ▶ to the pages around it, turn making their data from the page
// they show. A list that fits one page has no arrows.
func (s *Session) storeRows(stores []domain.StoreConfig, page int, pick func(domain.StoreConfig) Button, turn func(page int) string) [][]Button {
	pages := max((len(stores)+storesPerPage-1)/storesPerPage, 1)
	page = min(max(page, 0), pages-1)
	perRow := 1 // a shop's few stores read best one a row
	if len(stores) > storesPerPage/2 {
		perRow = 2
	}
	var rows [][]Button
	var row []Button
	for _, st := range stores[page*storesPerPage : min(len(stores), (page+1)*storesPerPage)] {
		if len(row) == perRow {
			rows, row = append(rows, row), nil
		}
		row = append(row, pick(st))
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if nav := s.pageNav(page, pages, turn); nav != nil {
		rows = append(rows, nav)
	}
	return rows
}

// pageNav is the row of ◀ ▶ under page (from 0) of pages, each arrow
// naming the page it shows ("◀ 1/6", "3/6 ▶"), turn making its data; nil
// when everything fits one page.
func (s *Session) pageNav(page, pages int, turn func(page int) string) []Button {
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: s.T("pages.prev", map[string]any{"Page": page, "Pages": pages}), Data: turn(page - 1)})
	}
	if page < pages-1 {
		nav = append(nav, Button{Text: s.T("pages.next", map[string]any{"Page": page + 2, "Pages": pages}), Data: turn(page + 1)})
	}
	return nav
}

// flowStoreRows is storeRows for a flow's step: each store's button taps
// its code, the arrows "page:n", and the page shown is the
// conversation's "spage".
func (s *Session) flowStoreRows(flow, step string) [][]Button {
	return s.storeRows(s.e.Business.Stores, int(s.dataInt("spage")),
		func(st domain.StoreConfig) Button { return Button{Text: st.Name, Data: s.cb(flow, step, st.Code)} },
		func(page int) string { return s.cb(flow, step, storePagePrefix+strconv.Itoa(page)) })
}

// storeNameByCode is the name of the config's store with this code (""
// when there is none).
func (e *Engine) storeNameByCode(code string) string {
	st, _ := e.Business.Store(code)
	return st.Name
}
