package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// AnswerGiven: a customer answered (or skipped) a profile question.
type AnswerGiven struct {
	CustomerID int64
	QuestionID string
	Skipped    bool
	Rewarded   int64 // points paid now for a first answer; 0 if none
}

// SectionCompleted: a customer completed a profile section (once).
type SectionCompleted struct {
	CustomerID int64
	Section    string
	Bonus      int64 // points paid for it
}

func (AnswerGiven) eventName() string      { return "answer_given" }
func (SectionCompleted) eventName() string { return "section_completed" }

// LoadAnswers reads a customer's current answers and the questions they
// skipped.
func LoadAnswers(ctx context.Context, tx QuestionnaireStore, customerID int64) (map[string]Answer, map[string]bool, error) {
	stored, err := tx.ListAnswers(ctx, customerID, false)
	if err != nil {
		return nil, nil, err
	}
	answers, skipped := map[string]Answer{}, map[string]bool{}
	for _, a := range stored {
		if a.Skipped {
			skipped[a.QuestionID] = true
			continue
		}
		var v Answer
		if err := json.Unmarshal(a.Value, &v); err != nil {
			return nil, nil, fmt.Errorf("answer %s: %w", a.QuestionID, err)
		}
		answers[a.QuestionID] = v
	}
	return answers, skipped, nil
}

// AnswerResult is a customer's profile after an answer.
type AnswerResult struct {
	Answers     map[string]Answer
	Skipped     map[string]bool
	Rewarded    int64 // points paid for this first answer; 0 if none
	WasComplete bool  // the question's section was complete before it
}

// Answer records an answer to q (ans nil: skipped): the previous answer
// is kept as history, the first real answer to a question is rewarded
// once whatever re-answering follows, and the derived facts are refreshed.
func (s *Service) Answer(ctx context.Context, tx Tx, customerID int64, q *Question, ans *Answer) (*AnswerResult, error) {
	now := s.Now()
	var value []byte
	if ans != nil {
		var err error
		if value, err = json.Marshal(ans); err != nil {
			return nil, err
		}
	}
	qn := &s.Business.Questionnaire
	answers, skipped, err := LoadAnswers(ctx, tx, customerID)
	if err != nil {
		return nil, err
	}
	res := &AnswerResult{WasComplete: qn.Completed(q.Section, answers)}
	if err := tx.SaveAnswer(ctx, customerID, q.ID, value, ans == nil, now); err != nil {
		return nil, err
	}
	if ans != nil && q.Reward > 0 {
		again, err := s.rejoined(ctx, tx, customerID)
		if err != nil {
			return nil, err
		}
		created := false
		if !again {
			created, err = s.Reward(ctx, tx, customerID, q.Reward, "answer:"+strconv.FormatInt(customerID, 10)+":"+q.ID)
		}
		if err != nil {
			return nil, err
		}
		if created {
			res.Rewarded = q.Reward
		}
	}
	// The profile after this answer, as LoadAnswers would read it back,
	// without asking the database again.
	delete(answers, q.ID)
	delete(skipped, q.ID)
	if ans == nil {
		skipped[q.ID] = true
	} else {
		var stored Answer
		if err := json.Unmarshal(value, &stored); err != nil {
			return nil, err
		}
		answers[q.ID] = stored
	}
	res.Answers, res.Skipped = answers, skipped
	if err := tx.ReplaceFacts(ctx, customerID, DeriveFacts(qn, res.Answers, now)); err != nil {
		return nil, err
	}
	return res, s.emit(ctx, tx, AnswerGiven{CustomerID: customerID, QuestionID: q.ID, Skipped: ans == nil, Rewarded: res.Rewarded})
}

// rejoined says whether the customer's Telegram account belonged to a
// member who erased their data: the profile's rewards were paid to that
// person once, as the welcome bonus was (GrantWelcome), so answering
// again after erasing and joining again pays nothing.
func (s *Service) rejoined(ctx context.Context, tx Tx, customerID int64) (bool, error) {
	c, err := tx.FindCustomerByID(ctx, customerID)
	if err != nil {
		return false, err
	}
	pays, err := s.ProfilePays(ctx, tx, c)
	return !pays, err
}

// ProfilePays tells whether the profile's answers and sections pay their
// points to c: not to a member whose Telegram account erased its data
// before they joined (rejoined), who had them once. An account their own
// card moved away from and back to since is not one.
func (s *Service) ProfilePays(ctx context.Context, tx Tx, c *Customer) (bool, error) {
	if c == nil || c.TelegramID == 0 {
		return true, nil
	}
	erased, err := tx.AccountErased(ctx, AccountHash(s.Salt, c.TelegramID), c.JoinedAt)
	return !erased, err
}

// CompleteSection marks a section done when the answers complete it and
// pays its bonus, once. It reports whether the section is complete and
// the points paid for it now (0 when completed before, for a rejoined
// member or a section without a bonus), which is all a message may promise.
func (s *Service) CompleteSection(ctx context.Context, tx Tx, customerID int64, section string, answers map[string]Answer) (bool, int64, error) {
	qn := &s.Business.Questionnaire
	sec, ok := qn.Section(section)
	if !ok || !qn.Completed(section, answers) {
		return false, 0, nil
	}
	offers, err := tx.ListSectionOffers(ctx, customerID)
	if err != nil {
		return true, 0, err
	}
	for _, o := range offers {
		if o.Section == section && !o.CompletedAt.IsZero() {
			return true, 0, nil // completed before: paid and told then
		}
	}
	if err := tx.CompleteSection(ctx, customerID, section, s.Now()); err != nil {
		return true, 0, err
	}
	var paid int64
	again := false
	if sec.Bonus > 0 { // asked only of a section that pays
		var err error
		if again, err = s.rejoined(ctx, tx, customerID); err != nil {
			return true, 0, err
		}
	}
	if sec.Bonus > 0 && !again {
		created, err := s.Reward(ctx, tx, customerID, sec.Bonus, "section:"+strconv.FormatInt(customerID, 10)+":"+section)
		if err != nil {
			return true, 0, err
		}
		if created {
			paid = sec.Bonus
		}
	}
	return true, paid, s.emit(ctx, tx, SectionCompleted{CustomerID: customerID, Section: section, Bonus: paid})
}

// Reward credits promo points to a customer's card once per idempotency
// key (they expire with the welcome bonus's term). It reports whether
// they were credited now.
func (s *Service) Reward(ctx context.Context, tx Tx, customerID, points int64, key string) (bool, error) {
	return s.creditPromo(ctx, tx, customerID, LedgerBonus, points, key)
}
