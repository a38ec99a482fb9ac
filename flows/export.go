package flows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// export is the JSON document a customer downloads: everything the
// business keeps about them, in plain field names.
//
// Tables holding a customer_id (or a card of theirs) that are left out on
// purpose, each with its reason:
//   - point_lots, held_welcome, badge_points_kept, customer_activity,
//     replenishments: bookkeeping derived from the ledger and purchases
//     exported here (which points expire when, a welcome bonus held until
//     the first purchase, KPI counters, the rhythm automatic messages use);
//     the messages it led to are in automatic_messages.
//   - purchase_returns: what returns took off is on each purchase
//     ("returned"), the points in points_history.
//   - code_word_uses: the word is on its points_history row (code_word).
//   - feedback_requests, review_invites: when the bot is due to ask, or
//     asked, for a rating or a review; the answers are in feedback.
//   - card_moves: a staff member's one-time token to move the card to a
//     new account, hashed; the card and its owner are what is exported.
//   - audit_log, outbox, updates: staff actions and the copies of the
//     chat kept for running the bot, purged on their retention periods
//     (domain.UpdateRetention, domain.OutboxRetention); a point
//     correction's reason, kept in its audit entry, is on its
//     points_history row (reason).
//   - referrals where they are the referrer: counted (friends_invited),
//     the friends themselves are other people's data.
type export struct {
	ExportedAt time.Time        `json:"exported_at"`
	Business   string           `json:"business"`
	Profile    exportProfile    `json:"profile"`
	Consents   []exportConsent  `json:"consents"`
	Card       *exportCard      `json:"card,omitempty"`
	Ledger     []exportLedger   `json:"points_history"`
	Purchases  []exportPurchase `json:"purchases"`
	// Prizes are the prizes of the road map taken for points.
	Prizes  []exportPrize  `json:"prizes"`
	Answers []exportAnswer `json:"answers"`
	// Facts are what the answers were turned into for segments
	// ("birthday", "child_youngest_age_years"); sections are the profile
	// sections offered to the customer and when they completed them.
	Facts    map[string]string `json:"facts"`
	Sections []exportSection   `json:"profile_sections"`
	Feedback []exportFeedback  `json:"feedback"`
	// Questions are what the customer wrote to the shop in the chat.
	Questions []exportInquiry `json:"questions_to_the_shop"`
	// Waitlists are the items the customer asked to hear about.
	Waitlists []exportWaitlist `json:"waitlists"`
	Topics    []exportTopic    `json:"subscriptions"`
	Polls     []exportPoll     `json:"poll_answers"`
	// Nudges are the automatic messages the customer was due: sent, held
	// out (the control group, sent nothing) or skipped, and what they
	// tapped.
	Nudges []exportNudge `json:"automatic_messages"`
	// ShopEvents are what the business's online shop told about the
	// customer (export_shop.go).
	ShopEvents []exportShopEvent `json:"online_shop_events"`
	// Badges, the leaderboard pseudonym and the friends invited.
	Badges      []exportBadge      `json:"badges"`
	Leaderboard *exportLeaderboard `json:"leaderboard,omitempty"`
	Referrals   exportReferrals    `json:"friends_invited"`
	// InviteCode is the customer's own invite code; Invited, the invite
	// they joined through (export_games.go).
	InviteCode *exportInviteCode `json:"invite_code,omitempty"`
	Invited    *exportInvited    `json:"joined_through_an_invite,omitempty"`
	// Notes are what the staff wrote about the customer for the register.
	Notes []exportNote `json:"staff_notes"`
}

type exportNudge struct {
	Rule       string     `json:"rule"`
	Outcome    string     `json:"outcome"`
	Reason     string     `json:"reason,omitempty"`
	Marketing  bool       `json:"marketing"`
	DueAt      time.Time  `json:"due_at"`
	SendAt     time.Time  `json:"send_at"`
	Points     int64      `json:"bonus_points,omitempty"`
	Offer      string     `json:"offer,omitempty"`
	Click      string     `json:"tapped,omitempty"`
	DeclinedAt *time.Time `json:"not_interested_at,omitempty"`
	// OfferUsed is when the discount or gift was honoured at the register.
	OfferUsed *time.Time `json:"offer_used_at,omitempty"`
}

type exportNote struct {
	Text string    `json:"text"`
	At   time.Time `json:"written_at"`
}

type exportProfile struct {
	FirstName   string    `json:"first_name"`
	Phone       string    `json:"phone"`
	Language    string    `json:"language"`
	TelegramID  int64     `json:"telegram_id"`
	JoinedAt    time.Time `json:"joined_at"`
	JoinedStore string    `json:"joined_store,omitempty"`
	Marketing   bool      `json:"marketing_messages"`
	// ContactWindow is when the customer lets the business write
	// (/settings), "09:00-12:00" in their store's time; absent: any time.
	ContactWindow string `json:"contact_window,omitempty"`
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

type exportSection struct {
	Section     string     `json:"section"`
	Title       string     `json:"title"`
	OfferedAt   time.Time  `json:"offered_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// exportFeedback is a rating; About says of what: "visit" or "store" (the
// store in general).
type exportFeedback struct {
	About     string    `json:"about"`
	Store     string    `json:"store"`
	Stars     int       `json:"stars"`
	Comment   string    `json:"comment,omitempty"`
	RatedAt   time.Time `json:"rated_at"`
	ChangedAt time.Time `json:"changed_at"`
}

type exportInquiry struct {
	Store      string     `json:"store,omitempty"`
	Text       string     `json:"text"`
	Photo      bool       `json:"with_photo,omitempty"`
	AskedAt    time.Time  `json:"asked_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// exportTopic is one kind of news and whether the customer gets it (their
// own choice, or the business's default when they made none).
type exportTopic struct {
	Topic      string `json:"topic"`
	Title      string `json:"title"`
	Subscribed bool   `json:"subscribed"`
	Chosen     bool   `json:"chosen_by_customer"`
}

type exportPoll struct {
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	At       time.Time `json:"answered_at"`
}

type exportWaitlist struct {
	Item     string     `json:"item"`
	JoinedAt time.Time  `json:"joined_at"`
	BackAt   *time.Time `json:"back_in_stock_at,omitempty"`
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
	// CodeWord is the word a code_word row was written for (code_word_uses
	// holds which words the customer wrote; the row names it).
	CodeWord string `json:"code_word,omitempty"`
	// Reason is why the shop corrected the points (an adjust row), as
	// the customer was told; who did it is left out.
	Reason string `json:"reason,omitempty"`
}

type exportPrize struct {
	Prize     string     `json:"prize"`
	Points    int64      `json:"points"`
	Stamps    int        `json:"stamps,omitempty"`
	Store     string     `json:"store"`
	At        time.Time  `json:"at"`
	Cancelled *time.Time `json:"cancelled_at,omitempty"`
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
	// Promotion names the promotion that multiplied the points, in the
	// customer's language.
	Promotion string `json:"promotion,omitempty"`
	// Returned is what returns of items took off the receipt: amount and
	// the points are what stands after them.
	Returned string `json:"returned,omitempty"`
	// Stamps is what the purchase earned on the stamp card (what stands
	// after returns); absent without a stamp card or under its minimum.
	Stamps *int `json:"stamps,omitempty"`
}

// exportDataName is the file name of a customer's own data.
const exportDataName = "my-data.json"

// exportData sends the customer's data as a JSON document. Someone who
// has not finished joining has no card yet, and gets the rest. The
// document goes to the background sender, so the tap is answered at once
// and a second tap while it uploads finds it on its way.
func exportData(s *Session) error {
	if coming, err := fileOnItsWay(s, map[string]any{"document": map[string]any{"name": exportDataName}}); coming || err != nil {
		return err
	}
	c := s.Customer
	out := export{ExportedAt: s.e.Now().UTC(), Business: s.e.Business.Name, Answers: []exportAnswer{},
		Sections: []exportSection{}, Feedback: []exportFeedback{}, Topics: []exportTopic{}}
	out.Profile = exportProfile{FirstName: c.FirstName, Phone: c.Phone, Language: c.Language, TelegramID: c.TelegramID,
		JoinedAt: c.JoinedAt.UTC(), Marketing: c.Marketing}
	if c.JoinedStoreID != 0 {
		out.Profile.JoinedStore = s.storeName(c.JoinedStoreID)
	}
	window, err := s.Tx.FindContactWindow(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Profile.ContactWindow = window.String()
	consents, err := s.Tx.ListConsents(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	for _, k := range consents {
		out.Consents = append(out.Consents, exportConsent{Kind: k.Kind, Version: k.Version, Granted: k.Granted, At: k.At.UTC()})
	}
	if err := exportCardLedger(s, &out); err != nil {
		return err
	}
	purchases, err := s.Tx.ListCustomerPurchases(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	promotion := s.promotionsByID()
	stamps := &s.e.Business.Gamification.Stamps
	for _, p := range purchases {
		row := exportPurchase{ID: p.PublicID, At: p.CreatedAt.UTC(), Store: s.storeName(p.ShopID),
			Amount: domain.FormatMoney(p.Amount, p.Currency, "en"), Earned: p.Earned, Redeemed: p.Redeemed, Categories: p.Categories}
		if p.Cancelled() {
			t := p.CancelledAt.UTC()
			row.Cancelled = &t
		}
		if stamps.Qualifies(p.Amount, p.CreatedAt) { // as the owner's purchases export
			n := p.Stamps
			row.Stamps = &n
		}
		if p.ReturnedAmount > 0 {
			row.Returned = domain.FormatMoney(p.ReturnedAmount, p.Currency, "en")
		}
		if pr, err := promotion(p.Promotion); err != nil {
			return err
		} else if pr != nil {
			row.Promotion = pr.TitleIn(s.Lang, s.e.Business.DefaultLanguage)
		} else {
			row.Promotion = p.Promotion // no longer in the config: its id
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
	if err := exportProfileData(s, &out); err != nil {
		return err
	}
	choices, err := s.Tx.ListTopicChoices(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	for _, tp := range s.e.Business.Topics {
		_, chosen := choices[tp.ID]
		out.Topics = append(out.Topics, exportTopic{Topic: tp.ID, Title: tp.TitleIn(s.Lang),
			Subscribed: tp.Subscribed(choices), Chosen: chosen})
	}
	polls, err := s.Tx.ListCustomerPollAnswers(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Polls = []exportPoll{}
	for _, a := range polls {
		out.Polls = append(out.Polls, exportPoll{Question: a.Question, Answer: a.Answer, At: a.At.UTC()})
	}
	nudges, err := s.Tx.ListCustomerNudges(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Nudges = []exportNudge{}
	for _, n := range nudges {
		row := exportNudge{Rule: n.Rule, Outcome: n.Outcome, Reason: n.Reason, Marketing: n.Marketing,
			DueAt: n.DueAt.UTC(), SendAt: n.SendAt.UTC(), Points: n.Points, Offer: n.Offer, Click: n.Click}
		if !n.DeclinedAt.IsZero() {
			t := n.DeclinedAt.UTC()
			row.DeclinedAt = &t
		}
		if !n.OfferUsedAt.IsZero() {
			t := n.OfferUsedAt.UTC()
			row.OfferUsed = &t
		}
		out.Nudges = append(out.Nudges, row)
	}
	ratings, err := s.Tx.ListCustomerFeedback(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	for _, f := range ratings {
		about := "visit"
		if f.General() {
			about = "store"
		}
		out.Feedback = append(out.Feedback, exportFeedback{About: about, Store: s.storeName(f.ShopID), Stars: f.Stars,
			Comment: f.Comment, RatedAt: f.CreatedAt.UTC(), ChangedAt: f.UpdatedAt.UTC()})
	}
	asked, err := s.Tx.ListCustomerInquiries(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Questions = []exportInquiry{}
	for _, q := range asked {
		row := exportInquiry{Store: s.storeName(q.ShopID), Text: q.Text, Photo: q.Photo != "", AskedAt: q.CreatedAt.UTC()}
		if q.Resolution == domain.ResolutionReplied {
			t := q.HandledAt.UTC()
			row.AnsweredAt = &t
		}
		out.Questions = append(out.Questions, row)
	}
	waits, err := s.Tx.ListCustomerWaitlists(s.Ctx, c.ID)
	if err != nil {
		return err
	}
	out.Waitlists = []exportWaitlist{}
	for _, w := range waits {
		row := exportWaitlist{Item: w.Item, JoinedAt: w.JoinedAt.UTC()}
		if !w.ClosedAt.IsZero() {
			t := w.ClosedAt.UTC()
			row.BackAt = &t
		}
		out.Waitlists = append(out.Waitlists, row)
	}
	if err := exportShopEvents(s, &out); err != nil {
		return err
	}
	if err := exportGames(s, &out); err != nil {
		return err
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s.Toast("export.preparing") // as an owner's /export: the file comes from the sender
	return s.e.queue(s.Ctx, s.Tx, Reply{ChatID: s.In.ChatID, Text: s.T("privacy.export.caption", nil),
		Document: &Document{Name: exportDataName, Data: data}, About: s.Customer.ID})
}

// exportCardLedger adds the card and its points history, if there is a card.
func exportCardLedger(s *Session, out *export) error {
	card, err := s.Tx.FindCardByCustomer(s.Ctx, s.Customer.ID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	out.Card = &exportCard{Number: card.Number, Balance: card.Balance}
	entries, err := s.Tx.ListLedger(s.Ctx, card.ID, 100_000)
	if err != nil {
		return err
	}
	// A correction's reason is in its audit entry ("+50 reason").
	adjusts, err := s.Tx.ListAdjustments(s.Ctx, s.Customer.ID, 100_000)
	if err != nil {
		return err
	}
	why := map[int64]string{}
	for _, a := range adjusts {
		if _, reason, ok := strings.Cut(a.Detail, " "); ok && a.LedgerID != 0 {
			why[a.LedgerID] = reason
		}
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		row := exportLedger{At: e.CreatedAt.UTC(), Kind: string(e.Kind), Points: e.Amount, Balance: e.BalanceAfter}
		if e.Kind == domain.LedgerCodeWord {
			row.CodeWord = e.Reason
		}
		if e.Kind == domain.LedgerAdjust {
			row.Reason = why[e.ID]
		}
		if !e.ExpiresAt.IsZero() {
			t := e.ExpiresAt.UTC()
			row.ExpiresAt = &t
		}
		out.Ledger = append(out.Ledger, row)
	}
	prizes, err := s.Tx.CardPrizes(s.Ctx, card.ID, time.Time{}, 100_000)
	if err != nil {
		return err
	}
	out.Prizes = []exportPrize{}
	for i := len(prizes) - 1; i >= 0; i-- {
		p := prizes[i]
		row := exportPrize{Prize: s.prizeTitle(p.Reward), Points: p.Points, Stamps: p.Stamps, Store: s.storeName(p.ShopID), At: p.CreatedAt.UTC()}
		if p.Cancelled() {
			t := p.CancelledAt.UTC()
			row.Cancelled = &t
		}
		out.Prizes = append(out.Prizes, row)
	}
	return nil
}

// exportProfileData adds the derived facts, the staff's notes and the
// offered sections.
func exportProfileData(s *Session, out *export) error {
	facts, err := s.Tx.ListFacts(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	out.Facts = facts
	notes, err := s.Tx.ListNotes(s.Ctx, s.Customer.ID, 100_000)
	if err != nil {
		return err
	}
	out.Notes = []exportNote{}
	for _, n := range notes {
		out.Notes = append(out.Notes, exportNote{Text: n.Text, At: n.CreatedAt.UTC()})
	}
	offers, err := s.Tx.ListSectionOffers(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	for _, o := range offers {
		row := exportSection{Section: o.Section, OfferedAt: o.OfferedAt.UTC()}
		if sec, ok := s.e.Business.Questionnaire.Section(o.Section); ok {
			row.Title = s.e.textIn(sec.Title, s.Lang)
		}
		if !o.CompletedAt.IsZero() {
			t := o.CompletedAt.UTC()
			row.CompletedAt = &t
		}
		out.Sections = append(out.Sections, row)
	}
	return nil
}
