package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A poll broadcast asks one question (its text) with these many answer
// options, each short enough for a button.
const (
	MinPollOptions   = 2
	MaxPollOptions   = 6
	MaxPollOptionLen = 40
)

// PollAnswer is a customer's answer to a poll broadcast.
type PollAnswer struct {
	CustomerID int64
	FirstName  string
	Option     int
	At         time.Time
}

// PollStore keeps the answers to poll broadcasts: one per customer and
// poll, replaced when they change their mind.
type PollStore interface {
	// ReserveBroadcastID draws the id the next broadcast is recorded
	// with (QueueBroadcast keeps a set ID): its messages' buttons carry it.
	ReserveBroadcastID(ctx context.Context) (int64, error)
	SavePollAnswer(ctx context.Context, broadcastID, customerID int64, option int, at time.Time) error
	// PollTally counts the answers per option of a poll.
	PollTally(ctx context.Context, broadcastID int64, options int) ([]int, error)
	// ListPollAnswers lists who answered what, in the order they answered.
	ListPollAnswers(ctx context.Context, broadcastID int64) ([]PollAnswer, error)
	// ListCustomerPollAnswers lists a customer's answers to every poll,
	// oldest first (for the data export).
	ListCustomerPollAnswers(ctx context.Context, customerID int64) ([]CustomerPollAnswer, error)
}

// CustomerPollAnswer is one of a customer's poll answers, in words.
type CustomerPollAnswer struct {
	Question string
	Answer   string
	At       time.Time
}

// CheckPollOption refuses an answer option a button could not carry, and
// one the poll has already (have), whatever its letters' case: two equal
// buttons would split the answers between them.
func CheckPollOption(text string, have []string) (string, error) {
	text = strings.Join(strings.Fields(text), " ")
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxPollOptionLen {
		return "", Invalid("broadcast.poll.option_length")
	}
	for _, h := range have {
		if strings.EqualFold(h, text) {
			return "", Invalid("broadcast.poll.option_duplicate")
		}
	}
	return text, nil
}

// AnswerPoll records a member's answer to a poll broadcast (replacing an
// earlier one) and returns the poll. A broadcast that is not a poll, or
// an option it does not have, is a stale button; a cancelled one's poll
// is closed.
func (s *Service) AnswerPoll(ctx context.Context, tx Tx, c *Customer, broadcastID int64, option int) (*Broadcast, error) {
	if !c.Member() {
		return nil, Invalid("error.stale_button")
	}
	b, err := tx.FindBroadcast(ctx, broadcastID)
	if errors.Is(err, ErrNotFound) {
		return nil, Invalid("error.stale_button")
	} else if err != nil {
		return nil, err
	}
	if option < 0 || option >= len(b.Options) {
		return nil, Invalid("error.stale_button")
	}
	if b.Cancelled { // the answers given before the cancel stay
		return nil, Invalid("broadcast.poll.closed")
	}
	if b.PromotionStopped { // it asked about points that no longer run
		return nil, Invalid("broadcast.poll.closed_promotion")
	}
	if !b.PromotionEnds.IsZero() && !s.Now().Before(b.PromotionEnds) { // ran out at its end
		return nil, Invalid("broadcast.poll.closed_promotion_over")
	}
	if err := tx.SavePollAnswer(ctx, b.ID, c.ID, option, s.Now()); err != nil {
		return nil, fmt.Errorf("answer poll: %w", err)
	}
	return b, nil
}

// checkPoll validates a poll broadcast's options.
func checkPoll(b *Broadcast) error {
	if len(b.Options) == 0 {
		return nil
	}
	if len(b.Options) < MinPollOptions || len(b.Options) > MaxPollOptions {
		return Invalid("broadcast.poll.count")
	}
	for i, o := range b.Options {
		if _, err := CheckPollOption(o, b.Options[:i]); err != nil {
			return err
		}
	}
	return nil
}
