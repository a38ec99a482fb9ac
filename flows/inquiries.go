package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

// A member who writes to the bot outside any step is most often asking
// the shop something ("do you have oat milk?", "are you open on the
// 31st?"). Rather than a hint that drops the words, the bot offers to
// send them to the shop; the owners and the store's managers get the
// question with Reply and No answer needed, and the thread goes on both
// ways through the relay of feedback_relay.go.
const (
	flowInquiry        = "ask"
	stepInquiryConfirm = "confirm" // stored in conversations: never rename
)

type inquiryFlow struct{}

func (inquiryFlow) Name() string { return flowInquiry }

// Ask shows the words kept so far with Send and Don't send. After a
// command or another button meanwhile (/card at the register) it says
// nothing: the question is optional, and waits behind its buttons.
func (inquiryFlow) Ask(s *Session) error {
	if s.In.Kind == InputCommand || s.In.Kind == InputCallback && s.In.Callback != nil && isAction(s.In.Callback.Data) {
		return nil
	}
	q := s.draftInquiry()
	s.Send(Reply{Text: s.T("inquiry.confirm", map[string]any{"Business": s.e.Business.Name, "Text": q.Shown()}),
		Inline: [][]Button{{
			{Text: s.T("inquiry.send", nil), Data: s.cb(flowInquiry, stepInquiryConfirm, "send")},
			{Text: s.T("inquiry.drop", nil), Data: s.cb(flowInquiry, stepInquiryConfirm, "drop")},
		}}})
	return nil
}

// Handle sends the question, drops it, or adds more words to it (people
// write a question in two or three messages).
func (f inquiryFlow) Handle(s *Session) error {
	switch s.tapValue() {
	case "send":
		draft := s.draftInquiry()
		s.Leave()
		q, err := s.e.Service.MakeInquiry(s.Ctx, s.Tx, s.Customer, draft.Text, draft.Photo)
		switch {
		case errors.Is(err, domain.ErrTooManyInquiries):
			s.Edit(Reply{Text: s.T("inquiry.too_many", nil), Inline: [][]Button{}})
			return nil
		case errors.Is(err, domain.ErrNotFound):
			s.Edit(Reply{Text: s.T("inquiry.dropped", nil), Inline: [][]Button{}}) // left the program meanwhile
			return nil
		case err != nil:
			return err
		}
		reached, err := handlerReachable(s.Ctx, s.Tx, q.ShopID)
		if err != nil {
			return err
		}
		msg := "inquiry.sent"
		if !reached {
			msg = "inquiry.sent_unread" // kept for /questions: promise no answer soon
		}
		sent := s.T(msg, map[string]any{"Business": s.e.Business.Name, "Text": q.Shown()})
		closed, err := closedNow(s, q.ShopID)
		if err != nil {
			return err
		}
		if closed != "" {
			sent += "\n\n" + closed // the answer may wait for the morning
		}
		s.Edit(Reply{Text: sent, Inline: [][]Button{}})
		return nil
	case "drop":
		s.Leave()
		s.Edit(Reply{Text: s.T("inquiry.dropped", nil), Inline: [][]Button{}})
		return nil
	}
	text := strings.TrimSpace(s.In.Text)
	switch {
	case s.In.Kind == InputPhoto && s.Data("photo") != "":
		s.Say("inquiry.one_photo", nil)
		return f.Ask(s)
	case s.In.Kind == InputPhoto:
		s.SetData("photo", s.In.Photo)
		if text == "" {
			return f.Ask(s)
		}
	case s.In.Kind != InputText || text == "":
		s.Say("relay.text_only", nil)
		return f.Ask(s)
	}
	all := strings.TrimPrefix(s.Data("text")+"\n"+text, "\n")
	if utf8.RuneCountInString(all) > domain.MaxInquiryLen {
		s.Say("feedback.comment.too_long", map[string]any{"Max": domain.MaxInquiryLen})
		return f.Ask(s)
	}
	s.SetData("text", all)
	return f.Ask(s)
}

// handlerReachable says whether an owner or a manager the question of
// shopID goes to (alertInquiry) can read the bot: has a chat and has
// not blocked it.
func handlerReachable(ctx context.Context, tx domain.Tx, shopID int64) (bool, error) {
	staff, err := tx.ListStaff(ctx, shopID)
	if err != nil {
		return false, err
	}
	for _, st := range staff {
		if st.CanManage() && st.ChatID != 0 && !st.Unreachable {
			return true, nil
		}
	}
	return false, nil
}

// closedNow is "🏪 Central: 🔴 Closed, opens tomorrow at 08:00" when the
// store (0: none) has opening hours and is closed now, else "".
func closedNow(s *Session, shopID int64) (string, error) {
	if shopID == 0 {
		return "", nil
	}
	shop, err := s.Tx.FindShopByID(s.Ctx, shopID)
	if err != nil {
		return "", err
	}
	st, ok := s.e.Business.Store(shop.Code)
	if !ok || !st.Hours.Known() {
		return "", nil
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return "", err
	}
	now := s.e.Now().In(loc)
	if o := st.Hours.At(now); !o.Open {
		return s.T("inquiry.store_status", map[string]any{"Store": st.Name, "Status": openText(s, o, now)}), nil
	}
	return "", nil
}

// isAction says whether data is a stateless button's.
func isAction(data string) bool {
	_, _, _, _, ok := parseAction(data)
	return ok
}

// startInquiry offers a member's words outside any step to the shop.
func startInquiry(s *Session, text, photo string) error {
	if utf8.RuneCountInString(text) > domain.MaxInquiryLen {
		s.Say("feedback.comment.too_long", map[string]any{"Max": domain.MaxInquiryLen})
		return nil
	}
	s.Leave()
	s.SetData("text", text)
	s.SetData("photo", photo)
	return s.Enter(flowInquiry, stepInquiryConfirm)
}

// draftInquiry is the question kept so far in the step's data.
func (s *Session) draftInquiry() domain.Inquiry {
	return domain.Inquiry{Text: s.Data("text"), Photo: s.Data("photo")}
}

// alertInquiry gives a member's question to every owner and the
// managers of the store they shop at (all managers for a member of no
// store), with who is asking and the buttons Reply and No answer needed.
func (e *Engine) alertInquiry(ctx context.Context, tx domain.Tx, ev domain.InquiryMade) error {
	q := ev.Inquiry
	staff, err := tx.ListStaff(ctx, q.ShopID)
	if err != nil {
		return err
	}
	store := e.Business.Name
	if q.ShopID != 0 {
		shop, err := tx.FindShopByID(ctx, q.ShopID)
		if err != nil {
			return err
		}
		store = shop.Name
	}
	totals, err := tx.CustomerTotals(ctx, q.CustomerID)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(q.ID, 10)
	for _, st := range staff {
		if !st.CanManage() {
			continue
		}
		lang := e.staffLang(ctx, tx, &st)
		l := e.localizer(lang)
		if q.Photo != "" { // the photo first, the question with its buttons under it
			if err := e.queue(ctx, tx, Reply{ChatID: st.ChatID, Photo: q.Photo, About: q.CustomerID}); err != nil {
				return err
			}
		}
		text := e.translate(l, "alert.inquiry", map[string]any{"Customer": customerName(ev.Customer), "Store": store,
			"Visits": e.num(int64(totals.Visits), lang), "Spend": e.money(totals.Spend, lang), "Text": q.Shown()})
		err := e.queue(ctx, tx, Reply{ChatID: st.ChatID, Text: text, Inline: [][]Button{
			{{Text: e.translate(l, "alert.feedback.reply", nil), Data: action("iqreply", id)}},
			{{Text: e.translate(l, "alert.inquiry.done", nil), Data: action("iqdone", id)}},
		}, About: q.CustomerID})
		if err != nil {
			return err
		}
	}
	return nil
}

// takeInquiry runs an owner's tap on a question through the domain,
// reporting false, having said why, when the tap must do nothing.
func takeInquiry(s *Session, value, resolution string) (*domain.Inquiry, *domain.Customer, bool, error) {
	id, _ := strconv.ParseInt(value, 10, 64)
	if !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil, nil, false, nil
	}
	q, c, err := s.e.Service.TakeInquiry(s.Ctx, s.Tx, s.Staff, id, resolution)
	if errors.Is(err, domain.ErrInquiryErased) {
		// Its buttons are dead: they go (in a list, only the tapped one).
		others := otherThreadsTapped(s)
		if others == nil {
			others = [][]Button{}
		}
		s.Edit(Reply{Inline: others})
		s.Say("alert.inquiry.question_erased", nil)
		return nil, nil, false, nil
	}
	if errors.Is(err, domain.ErrCustomerUnreachable) {
		// "You can mark the question as needing no answer": with the
		// button to, which a list (the digest, /questions, a customer's
		// card) has not, so the question does not wait there for good.
		if s.In.Kind == InputText {
			defer s.Say("relay.not_sent", nil)
		}
		s.Send(Reply{Text: s.T("alert.inquiry.customer_unreachable", nil),
			Inline: [][]Button{{{Text: s.T("alert.inquiry.done", nil), Data: action("iqdone", value)}}}})
		return nil, nil, false, nil
	}
	if ok, err := handledTap(s, err, "alert.inquiry"); !ok {
		return nil, nil, false, err
	}
	return q, c, true, nil
}

// startInquiryReply is Reply under a question: the owner's next message
// goes to the customer.
func startInquiryReply(s *Session, value string) error {
	_, c, ok, err := takeInquiry(s, value, domain.ResolutionWillReply)
	if err != nil || !ok {
		return err
	}
	s.Leave()
	s.SetData("inquiry", value)
	s.SetData("customer", strconv.FormatInt(c.ID, 10)) // erasure ends the step
	s.SetData("name", customerName(c))
	return s.Enter(flowFeedbackReply, stepRelayText)
}

// inquiryDone is No answer needed: the question loses its buttons.
func inquiryDone(s *Session, value string) error {
	_, _, ok, err := takeInquiry(s, value, domain.ResolutionResolved)
	if err != nil || !ok {
		return err
	}
	s.Edit(Reply{Text: s.T("alert.inquiry.closed", map[string]any{"Name": s.Staff.FirstName}), Inline: [][]Button{}})
	return nil
}

// startInquiryAnswer is Answer under the shop's reply: only the member
// who asked may write back, and only once someone handles the question.
func startInquiryAnswer(s *Session, value string) error {
	id, _ := strconv.ParseInt(value, 10, 64)
	q, err := s.Tx.LockInquiry(s.Ctx, id)
	if isNotFound(err) || (err == nil && (s.Customer == nil || q.CustomerID != s.Customer.ID || q.HandledBy == 0)) {
		s.Toast("error.stale_button")
		return nil
	}
	if err != nil {
		return err
	}
	s.Leave()
	s.SetData("inquiry", value)
	return s.Enter(flowFeedbackAnswer, stepRelayText)
}

// relayInquiryToCustomer sends the owner's words about a question to the
// member, signed with the business name.
func relayInquiryToCustomer(s *Session, id int64, text string) error {
	q, c, ok, err := takeInquiry(s, strconv.FormatInt(id, 10), domain.ResolutionReplied)
	if err != nil || !ok {
		return err
	}
	return sendToCustomer(s, c, action("iqanswer", strconv.FormatInt(q.ID, 10)), text, Reply{AnswersInquiry: q.ID})
}

// relayInquiryToStaff sends the member's answer to whoever took the
// question.
func relayInquiryToStaff(s *Session, id int64, text string) error {
	q, err := s.Tx.LockInquiry(s.Ctx, id)
	if err != nil {
		return err
	}
	return sendToHandler(s, q.HandledBy, q.ShopID, action("iqreply", strconv.FormatInt(q.ID, 10)), text)
}

// questionsDays is how far back /questions looks for questions nobody
// answered; listedQuestions how many it shows with their Reply buttons.
const (
	questionsDays   = 30
	listedQuestions = 10
)

// questionsCommand is /questions for owners and managers: the questions
// to the shop nobody answered or marked in the last month, the longest
// waiting first, each with Reply (a store's managers: their store's).
func questionsCommand(s *Session) error { return listQuestions(s, time.Time{}) }

// listQuestions lists the questions nobody answered asked from since on
// (zero: the last questionsDays days), as /questions.
func listQuestions(s *Session, since time.Time) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	now := s.e.Now()
	if since.IsZero() || since.After(now.AddDate(0, 0, -questionsDays)) {
		since = now.AddDate(0, 0, -questionsDays)
	}
	open, err := s.Tx.ListOpenInquiries(s.Ctx, since, now.Add(time.Second))
	if err != nil {
		return err
	}
	open = inquiriesFor(s.Staff, open)
	if len(open) == 0 {
		s.Say("questions.none", map[string]any{"Days": questionsDays})
		return s.e.resume(s)
	}
	zones, err := s.e.inquiryZones(s.Ctx, s.Tx, open)
	if err != nil {
		return err
	}
	text, rows := s.e.openInquiriesText(s.Lang, open, zones, listedQuestions, "questions.more")
	s.Send(Reply{Text: text, Inline: rows})
	return s.e.resume(s)
}

func init() {
	registerCommand("questions", MenuManager, 33, questionsCommand)
	registerAction("questions", func(s *Session, from string) error { // under /stats: its period's
		unix, _ := strconv.ParseInt(from, 10, 64)
		if unix <= 0 {
			return listQuestions(s, time.Time{})
		}
		return listQuestions(s, time.Unix(unix, 0))
	})
	registerFlow(inquiryFlow{})
	registerAction("iqreply", startInquiryReply)
	registerAction("iqdone", inquiryDone)
	registerAction("iqanswer", startInquiryAnswer)
}
