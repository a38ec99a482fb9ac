package flows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowPrivacy = "privacy"

// Privacy steps. Ids are stored in conversations: never rename one.
const stepErase = "erase" // confirm erasing everything

// privacy is /privacy: consents with dates, marketing on/off in one tap,
// a data export, and erasure.
type privacy struct{}

func (privacy) Name() string { return flowPrivacy }

// showPrivacy lists the consents and offers the controls.
func showPrivacy(s *Session) error {
	consents, err := s.Tx.ListConsents(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	latest := map[string]domain.Consent{}
	for _, c := range consents {
		latest[c.Kind] = c
	}
	loc := s.e.location(s)
	var b strings.Builder
	b.WriteString(s.T("privacy.header", nil))
	for _, kind := range []string{domain.ConsentPersonalData, domain.ConsentMarketing} {
		c, ok := latest[kind]
		if !ok {
			continue
		}
		state := "privacy.consent.withdrawn"
		if c.Granted {
			state = "privacy.consent.given"
		}
		b.WriteString("\n" + s.T(state, map[string]any{
			"What": s.T("privacy.kind."+kind, nil), "Date": c.At.In(loc).Format("02.01.2006"), "Version": c.Version,
		}))
	}
	toggle := Button{Text: s.T("privacy.marketing.off", nil), Data: action("privacy", "marketing_off")}
	if !s.Customer.Marketing {
		toggle = Button{Text: s.T("privacy.marketing.on", nil), Data: action("privacy", "marketing_on")}
	}
	r := Reply{Text: b.String(), Inline: [][]Button{
		{toggle},
		{{Text: s.T("privacy.export", nil), Data: action("privacy", "export")}},
		{{Text: s.T("privacy.erase", nil), Data: action("privacy", "erase")}},
	}}
	if s.In.Kind == InputCallback {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// privacyAction handles the /privacy buttons.
func privacyAction(s *Session, what string) error {
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	switch what {
	case "marketing_on", "marketing_off":
		on := what == "marketing_on"
		if err := s.Tx.AppendConsent(s.Ctx, s.Customer.ID, domain.Consent{
			Kind: domain.ConsentMarketing, Version: s.e.Business.ConsentVersion, Granted: on, At: s.e.Now(),
		}); err != nil {
			return err
		}
		s.Customer.Marketing = on
		if on {
			s.Toast("privacy.marketing.now_on")
		} else {
			s.Toast("privacy.marketing.now_off")
		}
		return showPrivacy(s)
	case "export":
		return exportData(s)
	case "erase":
		s.Conv.Reset()
		return s.Enter(flowPrivacy, stepErase)
	}
	s.Toast("error.stale_button")
	return nil
}

func (privacy) Ask(s *Session) error {
	s.Send(Reply{Text: s.T("privacy.erase.ask", nil), Inline: [][]Button{
		{{Text: s.T("privacy.erase.yes", nil), Data: s.cb(flowPrivacy, stepErase, "yes")}},
		{{Text: s.T("privacy.erase.no", nil), Data: s.cb(flowPrivacy, stepErase, "no")}},
	}})
	return nil
}

func (p privacy) Handle(s *Session) error {
	v, ok := tapped(s, "common.use_buttons")
	if !ok {
		return p.Ask(s)
	}
	s.Leave()
	if v != "yes" {
		s.Edit(Reply{Text: s.T("privacy.erase.kept", nil)})
		return nil
	}
	c := s.Customer
	var hash []byte
	if c.Phone != "" {
		hash = domain.PhoneHash(s.e.Salt, c.Phone)
	}
	if err := s.Tx.EraseCustomer(s.Ctx, c.ID, hash, s.e.Now()); err != nil {
		return err
	}
	s.Customer = nil
	s.Edit(Reply{Text: s.T("privacy.erase.done", nil)})
	return nil
}

// export is the JSON document a customer downloads: everything the
// business keeps about them, in plain field names.
type export struct {
	ExportedAt time.Time        `json:"exported_at"`
	Business   string           `json:"business"`
	Profile    exportProfile    `json:"profile"`
	Consents   []exportConsent  `json:"consents"`
	Card       *exportCard      `json:"card,omitempty"`
	Ledger     []exportLedger   `json:"points_history"`
	Purchases  []exportPurchase `json:"purchases"`
	Answers    []exportAnswer   `json:"answers"`
	Feedback   []any            `json:"feedback"`
	Topics     []any            `json:"subscriptions"`
}

type exportProfile struct {
	FirstName   string    `json:"first_name"`
	Phone       string    `json:"phone"`
	Language    string    `json:"language"`
	TelegramID  int64     `json:"telegram_id"`
	JoinedAt    time.Time `json:"joined_at"`
	JoinedStore string    `json:"joined_store,omitempty"`
	Marketing   bool      `json:"marketing_messages"`
}

type exportConsent struct {
	Kind    string    `json:"kind"`
	Version string    `json:"version"`
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
}

type exportAnswer struct {
	Question   string          `json:"question"`
	Text       string          `json:"question_text"`
	Value      json.RawMessage `json:"value,omitempty"`
	Skipped    bool            `json:"skipped,omitempty"`
	AnsweredAt time.Time       `json:"answered_at"`
	ReplacedAt *time.Time      `json:"replaced_at,omitempty"`
}

type exportCard struct {
	Number  string `json:"number"`
	Balance int64  `json:"balance"`
}

type exportLedger struct {
	At        time.Time  `json:"at"`
	Kind      string     `json:"kind"`
	Points    int64      `json:"points"`
	Balance   int64      `json:"balance_after"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type exportPurchase struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Store      string     `json:"store"`
	Amount     string     `json:"amount"`
	Earned     int64      `json:"points_earned"`
	Redeemed   int64      `json:"points_redeemed"`
	Categories []string   `json:"categories,omitempty"`
	Cancelled  *time.Time `json:"cancelled_at,omitempty"`
}

// exportData sends the customer's data as a JSON document.
func exportData(s *Session) error {
	c := s.Customer
	out := export{ExportedAt: s.e.Now().UTC(), Business: s.e.Business.Name, Answers: []exportAnswer{}, Feedback: []any{}, Topics: []any{}}
	out.Profile = exportProfile{FirstName: c.FirstName, Phone: c.Phone, Language: c.Language, TelegramID: c.TelegramID,
		JoinedAt: c.JoinedAt.UTC(), Marketing: c.Marketing}
	if c.JoinedStoreID != 0 {
		out.Profile.JoinedStore = s.storeName(c.JoinedStoreID)
	}
	consents, err := s.Tx.ListConsents(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	for _, k := range consents {
		out.Consents = append(out.Consents, exportConsent{Kind: k.Kind, Version: k.Version, Granted: k.Granted, At: k.At.UTC()})
	}
	card, err := s.Tx.FindCardByCustomer(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Card = &exportCard{Number: card.Number, Balance: card.Balance}
	entries, err := s.Tx.ListLedger(s.Ctx, card.ID, 100_000)
	if err != nil {
		return err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		row := exportLedger{At: e.CreatedAt.UTC(), Kind: string(e.Kind), Points: e.Amount, Balance: e.BalanceAfter}
		if !e.ExpiresAt.IsZero() {
			t := e.ExpiresAt.UTC()
			row.ExpiresAt = &t
		}
		out.Ledger = append(out.Ledger, row)
	}
	purchases, err := s.Tx.ListCustomerPurchases(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	for _, p := range purchases {
		row := exportPurchase{ID: p.PublicID, At: p.CreatedAt.UTC(), Store: s.storeName(p.ShopID),
			Amount: domain.FormatMoney(p.Amount, p.Currency, "en"), Earned: p.Earned, Redeemed: p.Redeemed, Categories: p.Categories}
		if p.Cancelled() {
			t := p.CancelledAt.UTC()
			row.Cancelled = &t
		}
		out.Purchases = append(out.Purchases, row)
	}
	history, err := s.Tx.ListAnswers(s.Ctx, c.ID, true)
	if err != nil {
		return err
	}
	for _, a := range history {
		row := exportAnswer{Question: a.QuestionID, Value: a.Value, Skipped: a.Skipped, AnsweredAt: a.AnsweredAt.UTC()}
		if q, ok := s.e.Business.Questionnaire.Question(a.QuestionID); ok {
			row.Text = s.e.textIn(q.Text, s.Lang)
		}
		if !a.SupersededAt.IsZero() {
			t := a.SupersededAt.UTC()
			row.ReplacedAt = &t
		}
		out.Answers = append(out.Answers, row)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s.Send(Reply{Text: s.T("privacy.export.caption", nil), Document: &Document{Name: "my-data.json", Data: data}})
	return nil
}

func init() {
	registerFlow(privacy{})
	registerCommand("privacy", MenuCustomer, 40, membersOnly(showPrivacy))
	registerAction("privacy", privacyAction)
}
