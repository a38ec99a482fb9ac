package flows

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

// The two sides of a conversation about a rating: the owner's Reply goes
// to the customer in the bot's voice, signed with the business name, and
// the customer's Answer goes back to whoever handles the rating. Each
// message carries the button to write the next one, so the thread goes on.
const (
	flowFeedbackReply  = "fbreply"  // an owner or manager writes to the customer
	flowFeedbackAnswer = "fbanswer" // the customer writes back
)

// The one step of each relay flow. Stored in conversations: never rename.
const stepRelayText = "text"

// maxRelay is the longest message relayed, in characters: with its
// frame it stays within one Telegram message.
const maxRelay = 2000

// relay is one side of the thread; toCustomer says which.
type relay struct{ toCustomer bool }

func (r relay) Name() string {
	if r.toCustomer {
		return flowFeedbackReply
	}
	return flowFeedbackAnswer
}

// Ask says who the next message goes to, with Cancel.
func (r relay) Ask(s *Session) error {
	id := "feedback.answer.ask"
	switch {
	case r.toCustomer && s.Data("direct") != "" && s.Data("replying") == "":
		id = "direct.ask" // the shop writes first
	case r.toCustomer:
		id = "alert.feedback.reply.ask"
	}
	s.Send(Reply{Text: s.T(id, map[string]any{"Customer": s.Data("name"), "Business": s.e.Business.Name}),
		Inline: [][]Button{{{Text: s.T("relay.cancel", nil), Data: s.cb(r.Name(), stepRelayText, "cancel")}}}})
	return nil
}

// Handle relays the text, or cancels.
func (r relay) Handle(s *Session) error {
	if s.tapValue() == "cancel" {
		s.Leave()
		s.Edit(Reply{Text: s.T("relay.cancelled", nil), Inline: [][]Button{}})
		return nil
	}
	// Every way to write to a customer needs a manager's rights: revoked
	// since the Reply tap, the words do not go and the writer hears why
	// (the refusals further on are toasts, which a typed text never shows).
	if r.toCustomer && s.leftStaffFlow(s.Staff.CanManage(), "staff.revoked", "relay.cancelled") {
		return nil
	}
	text := strings.TrimSpace(s.In.Text)
	if s.In.Kind != InputText || text == "" {
		s.Say("relay.text_only", nil)
		return r.Ask(s)
	}
	if utf8.RuneCountInString(text) > maxRelay {
		s.Say("feedback.comment.too_long", map[string]any{"Max": maxRelay})
		return r.Ask(s)
	}
	for _, t := range relayThreads {
		if v := s.Data(t.key); v != "" {
			id, _ := strconv.ParseInt(v, 10, 64)
			s.Leave() // the step's data goes with it
			if r.toCustomer {
				return t.toCustomer(s, id, text)
			}
			return t.toStaff(s, id, text)
		}
	}
	s.Leave()
	return nil
}

// relayThreads are the threads the relay carries, by the step's data key
// that holds the thread's id, with the function of each side.
var relayThreads = []struct {
	key                 string
	toCustomer, toStaff func(s *Session, id int64, text string) error
}{
	// The shop's own message (direct.go): the customer's id towards the
	// customer, the writer's staff id back.
	{"direct", relayDirectToCustomer, relayDirectToStaff},
	{"inquiry", relayInquiryToCustomer, relayInquiryToStaff}, // a member's question (inquiries.go)
	{"feedback", relayToCustomer, relayToStaff},              // a rating
}

// relayToCustomer sends the owner's words to the customer, signed with
// the business name; the owner is never named to the customer.
func relayToCustomer(s *Session, feedbackID int64, text string) error {
	f, ok, err := takeFeedback(s, strconv.FormatInt(feedbackID, 10), domain.ResolutionReplied)
	if err != nil || !ok {
		return err
	}
	c, err := s.Tx.FindCustomerByID(s.Ctx, f.CustomerID)
	if err != nil {
		return err
	}
	r := Reply{AnswersFeedback: f.ID}
	return sendToCustomer(s, c, action("fbanswer", strconv.FormatInt(f.ID, 10)), text, r) // TakeFeedback checked they can be written to
}

// sendToCustomer sends a staff member's words to the customer, signed
// with the business name, with Answer (answer its data) under them; r
// says which thread they answer (AnswersInquiry, AnswersFeedback). If
// the customer turns out to have blocked the bot, the writer is told.
func sendToCustomer(s *Session, c *domain.Customer, answer, text string, r Reply) error {
	l := s.e.localizer(s.e.Business.Language(c.Language, ""))
	r.ChatID = c.ChatID
	r.Text = s.e.translate(l, "feedback.from_business", map[string]any{"Text": text, "Business": s.e.Business.Name})
	r.Inline = [][]Button{{{Text: s.e.translate(l, "feedback.answer", nil), Data: answer}}}
	r.Undelivered = &Reply{ChatID: s.In.ChatID, About: c.ID,
		Text: s.T("relay.undelivered", map[string]any{"Customer": customerName(c), "Text": text})}
	err := s.e.queue(s.Ctx, s.Tx, r)
	if err != nil {
		return err
	}
	s.Say("relay.sent", map[string]any{"Customer": customerName(c)})
	return nil
}

// relayToStaff sends the customer's answer to whoever handles the rating.
func relayToStaff(s *Session, feedbackID int64, text string) error {
	f, err := s.Tx.LockFeedback(s.Ctx, feedbackID)
	if err != nil {
		return err
	}
	return sendToHandler(s, f.HandledBy, f.ShopID, action("fbreply", strconv.FormatInt(f.ID, 10)), text)
}

// sendToHandler sends the customer's words to the staff member who
// handles the thread, with Reply (reply its data) under them; when they
// lost their access since (revoked, hired back as a cashier, who may
// not reply, or moved away from shopID, the thread's store; 0: none) or
// blocked the bot, to the owners who can be reached, the first of whom
// to Reply takes the thread over.
func sendToHandler(s *Session, staffID, shopID int64, reply, text string) error {
	st, err := s.Tx.FindStaffByID(s.Ctx, staffID)
	if err != nil {
		return err
	}
	to := []domain.Staff{*st}
	if !st.AnswersAt(shopID) || st.Unreachable {
		all, err := s.Tx.ListStaff(s.Ctx, 0)
		if err != nil {
			return err
		}
		to = to[:0]
		for _, o := range all {
			if o.IsOwner() && !o.Unreachable {
				to = append(to, o)
			}
		}
		if len(to) == 0 {
			s.Say("relay.unreachable", nil)
			return nil
		}
	}
	var about int64
	if s.Customer != nil {
		about = s.Customer.ID
	}
	for i := range to {
		l := s.e.localizer(s.e.staffLang(s.Ctx, s.Tx, &to[i]))
		err = s.e.queue(s.Ctx, s.Tx, Reply{ChatID: to[i].ChatID,
			Text:   s.e.translate(l, "alert.feedback.answer", map[string]any{"Customer": customerName(s.Customer), "Text": text}),
			Inline: [][]Button{{{Text: s.e.translate(l, "alert.feedback.reply", nil), Data: reply}}}, About: about})
		if err != nil {
			return err
		}
	}
	s.Say("relay.sent", map[string]any{"Customer": s.e.Business.Name})
	return nil
}

// startReply is Reply on an alert: the owner's next message goes to the
// customer.
func startReply(s *Session, value string) error {
	f, ok, err := takeFeedback(s, value, domain.ResolutionWillReply)
	if err != nil || !ok {
		return err
	}
	c, err := s.Tx.FindCustomerByID(s.Ctx, f.CustomerID)
	if err != nil {
		return err
	}
	s.Leave()
	s.SetData("feedback", value)
	s.SetData("customer", strconv.FormatInt(c.ID, 10)) // erasure ends the step
	s.SetData("name", customerName(c))
	return s.Enter(flowFeedbackReply, stepRelayText)
}

// startAnswer is Answer under the business's message: only the customer
// who gave the rating may write back, and only once someone handles it.
func startAnswer(s *Session, value string) error {
	id, _ := strconv.ParseInt(value, 10, 64)
	f, err := s.Tx.LockFeedback(s.Ctx, id)
	if isNotFound(err) || (err == nil && (s.Customer == nil || f.CustomerID != s.Customer.ID || f.HandledBy == 0)) {
		s.Toast("error.stale_button")
		return nil
	}
	if err != nil {
		return err
	}
	s.Leave()
	s.SetData("feedback", value)
	return s.Enter(flowFeedbackAnswer, stepRelayText)
}

func init() {
	registerFlow(relay{toCustomer: true})
	registerFlow(relay{toCustomer: false})
	registerAction("fbreply", startReply)
	registerAction("fbanswer", startAnswer)
}
