package flows

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowFeedback = "feedback"

// Feedback steps. Ids are stored in conversations: never rename one.
const stepFeedbackComment = "comment" // optional words after the stars

// maxComment is the longest comment kept, in characters.
const maxComment = 3000

// feedback is the customer's rating of a visit or of a store in general
// (feedback_store.go): stars on the request (a stateless button, since the
// request arrives hours later whatever the chat is doing), then an
// optional comment with Skip, then thanks. The conversation holds the
// purchase rated, or the store's code for a general rating.
type feedback struct{}

func (feedback) Name() string { return flowFeedback }

// Ask offers the comment, in place of the stars when they were just tapped.
func (feedback) Ask(s *Session) error {
	if commentExpired(s) {
		// Asked again (a poster scanned, a command) past the comment's
		// time: the words that follow would be taken as a question
		// (Handle), so the step ends rather than ask for a comment it
		// would not keep.
		s.Leave()
		return nil
	}
	s.Edit(Reply{Text: s.T("feedback.comment.ask", map[string]any{"Stars": stars(s.Data("stars"))}),
		Inline: [][]Button{{{Text: s.T("feedback.comment.skip", nil), Data: s.cb(flowFeedback, stepFeedbackComment, "skip")}}}})
	return nil
}

// Handle takes the comment or Skip; then a happy customer may be asked
// to review the store on the map (inviteToReview).
// commentWait is how long after the stars the comment step takes words
// as a comment.
const commentWait = 2 * time.Hour

func (feedback) Handle(s *Session) error {
	shop, rated := s.dataInt("shop"), int(s.dataInt("stars"))
	if s.tapValue() == "skip" {
		s.Leave()
		s.Edit(Reply{Text: s.T("feedback.thanks", nil), Inline: [][]Button{}})
		return inviteToReview(s, shop, rated)
	}
	text := strings.TrimSpace(s.In.Text)
	if commentExpired(s) && !(s.In.Kind == InputText && text != "" || s.In.Kind == InputPhoto) {
		// A sticker, a voice note past the comment's time: the step
		// ends, not told to write a comment it would not keep.
		s.Leave()
		s.Say("common.hint", nil)
		return nil
	}
	if (s.In.Kind == InputText && text != "" || s.In.Kind == InputPhoto) && commentExpired(s) {
		// A comment comes soon after its stars; words written hours
		// later, the prompt long scrolled away, are most often a question
		// to the shop, as words outside any step are: not lost as a
		// comment nobody is told of.
		s.Leave()
		return startInquiry(s, text, s.In.Photo)
	}
	if s.In.Kind != InputText || text == "" {
		s.Say("feedback.comment.hint", nil)
		return feedback{}.Ask(s)
	}
	if utf8.RuneCountInString(text) > maxComment {
		s.Say("feedback.comment.too_long", map[string]any{"Max": maxComment})
		return feedback{}.Ask(s)
	}
	var err error
	visit := s.Data("purchase")
	if visit != "" {
		_, err = s.e.Service.CommentVisit(s.Ctx, s.Tx, s.Customer, visit, text)
	} else {
		_, err = s.e.Service.CommentStore(s.Ctx, s.Tx, s.Customer, s.Data("store"), text)
	}
	s.Leave()
	switch {
	case errors.Is(err, domain.ErrFeedbackFinal):
		s.Say("feedback.final", nil)
		return nil
	case errors.Is(err, domain.ErrNotFound) && !s.Customer.Member():
		// The card moved to another account (a staff member's chat keeps
		// its step) while the comment was being typed.
		s.Say("move.old_account", map[string]any{"Business": s.e.Business.Name})
		return nil
	case errors.Is(err, domain.ErrNotFound) && visit != "":
		// The purchase was cancelled (or returned in full) while the
		// comment was being typed: no visit to comment on, but the words
		// may still go to the shop, as a question.
		return startInquiry(s, text, "")
	case err != nil:
		return err
	}
	s.Say("feedback.thanks", nil)
	return inviteToReview(s, shop, rated)
}

// inviteToReview asks a customer who rated store shop with stars to
// review it on the map, when the domain says so (InviteToReview): the
// words name the map the page is on, the button opens it.
func inviteToReview(s *Session, shop int64, stars int) error {
	link, err := s.e.Service.InviteToReview(s.Ctx, s.Tx, s.Customer, shop, stars)
	if err != nil || link == "" {
		return err
	}
	id := "feedback.review.ask"
	if site := domain.ReviewSite(link); site != "" {
		id += "." + site
	}
	s.Send(Reply{Text: s.T(id, nil), Inline: [][]Button{{{Text: s.T("feedback.review.button", nil), URL: link}}}})
	return nil
}

// commentExpired says whether the comment step's time ran out: counted
// from the stars' tap ("at", set as the step is entered), or, for a step
// entered before "at" was kept, from the conversation's last change.
func commentExpired(s *Session) bool {
	since := s.Conv.UpdatedAt
	if at, err := strconv.ParseInt(s.Data("at"), 10, 64); err == nil {
		since = time.Unix(at, 0)
	}
	return s.e.Now().Sub(since) > commentWait
}

// stars draws a rating ("★★★☆☆").
func stars(n string) string {
	k, _ := strconv.Atoi(n)
	k = min(max(k, 0), 5)
	return strings.Repeat("★", k) + strings.Repeat("☆", 5-k)
}

// starButtons is the row of 1–5 star buttons for a purchase.
func (e *Engine) starButtons(publicID string) [][]Button {
	row := make([]Button, 5)
	for i := range row {
		n := strconv.Itoa(i + 1)
		row[i] = Button{Text: n + "⭐", Data: action("fbstar", publicID+"."+n)}
	}
	return [][]Button{row}
}

// QueueFeedbackRequests runs the feedback job: "How was your visit?" for
// every visit whose time has come (Service.QueueFeedbackRequests), in the
// customer's language.
func (e *Engine) QueueFeedbackRequests(ctx context.Context) (int, error) {
	return e.Service.QueueFeedbackRequests(ctx, e.Store, func(d domain.FeedbackDue, shop *domain.Shop) (json.RawMessage, error) {
		loc := e.localizer(e.Business.Language(d.Language, ""))
		return Reply{ChatID: d.ChatID,
			Text:   e.translate(loc, "feedback.request", map[string]any{"Store": shop.Name}),
			Inline: e.starButtons(d.PublicID)}.encode()
	})
}

// feedbackCommand is /feedback: rate the last visit (or change a rating
// given within the day), or the store in general; a member who has bought
// nothing yet is offered the store in general at once.
func feedbackCommand(s *Session) error {
	p, err := s.e.Service.LastVisit(s.Ctx, s.Tx, s.Customer)
	if isNotFound(err) {
		r, err := generalPrompt(s, s.T("feedback.none", nil))
		if err != nil {
			return err
		}
		s.Send(r)
		return nil
	}
	if err != nil {
		return err
	}
	shop, err := s.Tx.FindShopByID(s.Ctx, p.ShopID)
	if err != nil {
		return err
	}
	text := s.T("feedback.request", map[string]any{"Store": shop.Name})
	f, err := s.Tx.FindFeedbackByPurchase(s.Ctx, p.ID)
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	case s.e.Now().Sub(f.CreatedAt) > domain.FeedbackChangeWindow:
		s.Send(Reply{Text: s.T("feedback.final_rated", map[string]any{"Store": shop.Name, "Stars": stars(strconv.Itoa(f.Stars))}),
			Inline: [][]Button{generalButton(s)}})
		return s.e.resume(s)
	default:
		text += "\n" + s.T("feedback.rated", map[string]any{"Stars": stars(strconv.Itoa(f.Stars))})
	}
	s.Send(Reply{Text: text, Inline: append(s.e.starButtons(p.PublicID), generalButton(s))})
	return nil
}

// rateVisit is a star button: only the purchase's own customer rates it.
func rateVisit(s *Session, value string) error {
	publicID, n, _ := strings.Cut(value, ".")
	k, _ := strconv.Atoi(n)
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	f, err := s.e.Service.RateVisit(s.Ctx, s.Tx, s.Customer, publicID, k)
	switch {
	case errors.Is(err, domain.ErrFeedbackFinal):
		s.Edit(Reply{Text: s.T("feedback.final", nil), Inline: [][]Button{}})
		return nil
	case isNotFound(err) || errors.Is(err, domain.ErrInvalid):
		s.Toast("error.stale_button")
		return nil
	case err != nil:
		return err
	}
	s.Leave()
	s.SetData("purchase", publicID)
	s.SetData("at", strconv.FormatInt(s.e.Now().Unix(), 10))
	s.SetData("stars", strconv.Itoa(f.Stars))
	s.SetData("shop", strconv.FormatInt(f.ShopID, 10))
	return s.Enter(flowFeedback, stepFeedbackComment)
}

func init() {
	registerFlow(feedback{})
	registerCommand("feedback", MenuCustomer, 35, membersOnly(feedbackCommand))
	registerAction("fbstar", rateVisit)
}
