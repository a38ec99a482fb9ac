package flows

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowTop = "top"

// The leaderboard's one step: typing a nickname. Stored in
// conversations: never rename it.
const stepNickname = "nickname"

// top is the leaderboard's conversation: only the nickname is typed;
// everything else is a stateless button under the board.
type top struct{}

func (top) Name() string { return flowTop }

func (top) Ask(s *Session) error {
	if s.Conv.Step != stepNickname {
		return fmt.Errorf("top: unknown step %q", s.Conv.Step)
	}
	s.Send(Reply{Text: s.T("top.nickname.ask", nil), Inline: [][]Button{{
		{Text: s.T("top.nickname.cancel", nil), Data: s.cb(flowTop, stepNickname, "cancel")},
	}}})
	return nil
}

func (t top) Handle(s *Session) error {
	if s.In.Kind == InputCallback {
		s.Leave()
		s.Edit(Reply{Text: s.T("top.nickname.cancelled", nil)})
		return nil
	}
	if s.In.Kind != InputText {
		s.Say("top.nickname.hint", nil)
		return t.Ask(s)
	}
	alias, err := domain.ParseNickname(s.In.Text)
	if err != nil {
		return sayInvalid(s, err, t)
	}
	if err := s.e.Service.JoinLeaderboard(s.Ctx, s.Tx, s.Customer, alias); err != nil {
		return err
	}
	s.Leave()
	s.Say("top.joined", map[string]any{"Alias": alias})
	return showBoard(s, 0, "", false)
}

// topCommand is /top. The first time, the customer is asked once whether
// to be on the board (never again, and never by a message of ours); the
// board shows either way.
func topCommand(s *Session) error {
	if !s.e.Business.Gamification.Leaderboard.Enabled {
		s.Say("top.disabled", nil)
		return s.e.resume(s)
	}
	entry, err := s.e.Service.LeaderboardEntry(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	if err := showBoard(s, 0, "", false); err != nil {
		return err
	}
	if entry == nil {
		if err := s.e.Service.AskedAboutLeaderboard(s.Ctx, s.Tx, s.Customer); err != nil {
			return err
		}
		alias := s.defaultAlias()
		s.Send(Reply{Text: s.T("top.ask", map[string]any{"Alias": alias}), Inline: [][]Button{
			{{Text: s.T("top.join_as", map[string]any{"Alias": alias}), Data: action("top", "join")}},
			{{Text: s.T("top.pick_nickname", nil), Data: action("top", "nick")}},
			{{Text: s.T("top.no", nil), Data: action("top", "no")}},
		}})
	}
	return s.e.resume(s)
}

// defaultAlias is the pseudonym offered: first name and last initial.
func (s *Session) defaultAlias() string {
	return domain.DefaultAlias(s.Customer.FirstName, s.In.User.LastName)
}

// showBoard sends (or, from a button under the board, edits) a store's
// board this month. shopID 0 is the customer's own store; metric "" the
// business's choice.
func showBoard(s *Session, shopID int64, metric string, edit bool) error {
	if shopID == 0 {
		shop, err := s.homeShop()
		if err != nil {
			return err
		}
		shopID = shop
	}
	board, err := s.e.Service.Leaderboard(s.Ctx, s.Tx, s.Customer, shopID, metric)
	if err != nil {
		return err
	}
	entry, err := s.e.Service.LeaderboardEntry(s.Ctx, s.Tx, s.Customer)
	if err != nil {
		return err
	}
	on := entry != nil && entry.OptedIn
	var b strings.Builder
	b.WriteString(s.T("top.header."+board.Metric, map[string]any{"Store": board.Shop.Name, "Month": s.e.monthOf(s.loc, board.Month)}))
	if len(board.Top) == 0 {
		b.WriteString("\n" + s.T("top.empty", nil))
	}
	for _, r := range board.Top {
		line := s.T("top.line", map[string]any{"Place": r.Place, "Alias": r.Alias, "Score": s.score(board.Metric, r.Score)})
		if r.Me {
			line += " " + s.T("top.you_mark", nil)
		}
		b.WriteString("\n" + line)
	}
	b.WriteString("\n\n")
	switch {
	case !on:
		b.WriteString(s.T("top.not_on_board", nil))
	case board.Me == nil:
		b.WriteString(s.T("top.me_none", map[string]any{"Alias": entry.Alias}))
	default:
		b.WriteString(s.T("top.me", map[string]any{"Place": board.Me.Place, "Ranked": board.Ranked,
			"Score": s.score(board.Metric, board.Me.Score), "Alias": entry.Alias}))
	}
	other := domain.LeaderPoints
	if board.Metric == domain.LeaderPoints {
		other = domain.LeaderVisits
	}
	rows := [][]Button{{{Text: s.T("top.by."+other, nil), Data: action("top", viewValue(other, board.Shop.ID))}}}
	if len(s.e.Business.Stores)-1 > statsInlineStores {
		// A chain's other boards are a picker away, a page at a time.
		rows = append(rows, []Button{{Text: s.T("top.other_stores", nil), Data: action("top", "s."+board.Metric+".0")}})
	} else {
		var stores []Button
		for _, sc := range s.e.Business.Stores {
			id, err := s.e.Service.ShopIDByCode(s.Ctx, s.Tx, sc.Code) // read once per process
			if err != nil || id == board.Shop.ID {
				continue
			}
			stores = append(stores, Button{Text: sc.Name, Data: action("top", viewValue(board.Metric, id))})
		}
		for len(stores) > 0 {
			n := min(len(stores), 3)
			rows, stores = append(rows, stores[:n]), stores[n:]
		}
	}
	if on {
		rows = append(rows, []Button{{Text: s.T("top.rename", nil), Data: action("top", "nick")},
			{Text: s.T("top.leave", nil), Data: action("top", "leave")}})
	} else {
		rows = append(rows, []Button{{Text: s.T("top.join", nil), Data: action("top", "join")}})
	}
	r := Reply{Text: b.String(), Inline: rows}
	if edit {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// score says a score with its unit: "3 visits", "120 points".
func (s *Session) score(metric string, n int64) string {
	return s.T("top.score."+metric, map[string]any{"Count": n, "N": n})
}

// homeShop is the store whose board /top opens: where the customer
// joined, else the first store.
func (s *Session) homeShop() (int64, error) {
	if s.Customer.JoinedStoreID != 0 {
		return s.Customer.JoinedStoreID, nil
	}
	shop, err := s.Tx.FindShopByCode(s.Ctx, s.e.Business.Stores[0].Code)
	if err != nil {
		return 0, err
	}
	return shop.ID, nil
}

// viewValue is the action value of a board view: "v.<metric>.<store id>".
func viewValue(metric string, shopID int64) string {
	return "v." + metric + "." + strconv.FormatInt(shopID, 10)
}

// topAction handles the buttons of the board and of the question: a view,
// join (under the default pseudonym), nick (type one), leave, no.
func topAction(s *Session, value string) error {
	if !s.Customer.Member() || !s.e.Business.Gamification.Leaderboard.Enabled {
		s.Toast("error.stale_button")
		return nil
	}
	switch value {
	case "join":
		alias := s.defaultAlias()
		if err := s.e.Service.JoinLeaderboard(s.Ctx, s.Tx, s.Customer, alias); err != nil {
			return err
		}
		s.callbackText = s.T("top.joined", map[string]any{"Alias": alias})
		return showBoard(s, 0, "", true)
	case "nick":
		s.Edit(Reply{Inline: [][]Button{}})
		return s.Enter(flowTop, stepNickname)
	case "no":
		s.Edit(Reply{Text: s.T("top.declined", nil)})
		return nil
	case "leave":
		if err := s.e.Service.LeaveLeaderboard(s.Ctx, s.Tx, s.Customer); err != nil {
			return err
		}
		s.callbackText = s.T("top.left", nil)
		return showBoard(s, 0, "", true)
	}
	parts := strings.Split(value, ".")
	if len(parts) == 3 && parts[0] == "s" {
		return topStores(s, parts[1], parts[2])
	}
	if len(parts) != 3 || parts[0] != "v" {
		s.Toast("error.stale_button")
		return nil
	}
	shopID, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		s.Toast("error.stale_button")
		return nil
	}
	if _, err := s.Tx.FindShopByID(s.Ctx, shopID); err != nil {
		if isNotFound(err) {
			s.Toast("error.stale_button")
			return nil
		}
		return err
	}
	return showBoard(s, shopID, parts[1], true)
}

// topStores is the picker of the stores' boards of a chain, a page at a
// time, in place of the board.
func topStores(s *Session, metric, page string) error {
	n, err := strconv.Atoi(page)
	if err != nil || (metric != domain.LeaderPoints && metric != domain.LeaderVisits) {
		s.Toast("error.stale_button")
		return nil
	}
	var rows [][]Button
	var pickErr error
	rows = s.storeRows(s.e.Business.Stores, n,
		func(sc domain.StoreConfig) Button {
			id, err := s.e.Service.ShopIDByCode(s.Ctx, s.Tx, sc.Code)
			if err != nil && pickErr == nil {
				pickErr = err
			}
			return Button{Text: sc.Name, Data: action("top", viewValue(metric, id))}
		},
		func(page int) string { return action("top", "s."+metric+"."+strconv.Itoa(page)) })
	if pickErr != nil {
		return pickErr
	}
	s.Edit(Reply{Text: s.T("top.stores.ask", nil), Inline: rows})
	return nil
}

func init() {
	registerFlow(top{})
	registerCommand("top", MenuCustomer, 84, membersOnly(topCommand))
	registerAction("top", topAction)
}
