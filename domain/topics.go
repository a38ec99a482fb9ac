package domain

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Topic is a kind of news a customer may want or not (new arrivals,
// sales, events): data in the business config, so a shop adds one without
// code. Default says whether a customer who never chose gets it.
type Topic struct {
	ID      string
	Title   map[string]string // per language
	Default bool
}

// TitleIn is the topic's title in lang, else its id.
func (t Topic) TitleIn(lang string) string {
	if s := t.Title[lang]; s != "" {
		return s
	}
	return t.ID
}

// topicID keeps ids short: they ride in a button's callback data
// ("x:topics:off:<id>"), which Telegram caps at 64 bytes.
var topicID = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// validateTopics checks the [[topics]] of the config.
func validateTopics(topics []Topic, langs []string) error {
	seen := map[string]bool{}
	for i, t := range topics {
		f := fmt.Sprintf("topics[%d]", i)
		if !topicID.MatchString(t.ID) {
			return &FieldError{Field: f + ".id", Problem: fmt.Sprintf("%q must be 1-24 lower-case letters, digits or '_'", t.ID)}
		}
		if seen[t.ID] {
			return &FieldError{Field: f + ".id", Problem: fmt.Sprintf("%q is used twice", t.ID)}
		}
		seen[t.ID] = true
		for _, l := range langs {
			if t.Title[l] == "" {
				return &FieldError{Field: f + ".title." + l, Problem: "must not be empty (every offered language needs a title)"}
			}
		}
	}
	return nil
}

// Topic finds a topic of the config by id.
func (b *Business) Topic(id string) (Topic, bool) {
	for _, t := range b.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return Topic{}, false
}

// TopicStore keeps each customer's explicit topic choices; a topic never
// chosen follows its default.
type TopicStore interface {
	// SetTopicChoice records a customer's choice for a topic. The write
	// may go out with the next statement or the commit, and an error of
	// its own then fails that one.
	SetTopicChoice(ctx context.Context, customerID int64, topic string, on bool, at time.Time) error
	// ListTopicChoices lists the topics the customer chose explicitly.
	ListTopicChoices(ctx context.Context, customerID int64) (map[string]bool, error)
	// WithdrawQueued takes back what was queued for the customer's chat
	// and is not sent yet (nor held by a sender at the moment): with
	// topic "", every broadcast and marketing nudge (the consent
	// withdrawn); otherwise the broadcasts of the topic and the marketing
	// nudges of rules, the topic's. A broadcast's message is dropped as
	// withdrawn (its report counts it so); a nudge is skipped
	// ("opted_out"), no longer counted as sent. The write may go out with
	// the next statement or the commit, as SetTopicChoice's.
	WithdrawQueued(ctx context.Context, customerID, chatID int64, topic string, rules []string, at time.Time) error
}

// Subscribed tells whether a customer with these explicit choices gets
// the topic's messages (marketing consent aside).
func (t Topic) Subscribed(choices map[string]bool) bool {
	if on, ok := choices[t.ID]; ok {
		return on
	}
	return t.Default
}

// SetTopic records a member's choice for a topic of the config.
func (s *Service) SetTopic(ctx context.Context, tx Tx, c *Customer, topic string, on bool) error {
	if !c.Member() {
		return fmt.Errorf("set topic: %w: not a member", ErrInvalid)
	}
	if _, ok := s.Business.Topic(topic); !ok {
		return fmt.Errorf("set topic %q: %w: no such topic", topic, ErrInvalid)
	}
	if err := tx.SetTopicChoice(ctx, c.ID, topic, on, s.Now()); err != nil || on {
		return err
	}
	// Left: a broadcast of the topic queued for later (or still on its
	// way through a large audience) and its nudges held for the
	// customer's hours do not come.
	var rules []string
	for _, r := range s.Business.Nudges.Rules {
		if r.Marketing && r.Topic == topic {
			rules = append(rules, r.ID)
		}
	}
	return tx.WithdrawQueued(ctx, c.ID, c.ChatID, topic, rules, s.Now())
}

// SetMarketing gives or withdraws the marketing consent, recorded as a
// consent row with the wording version (as proof), whether from /privacy
// or from "Stop all marketing" under a message; asked for the state the
// customer is in already, it records nothing.
func (s *Service) SetMarketing(ctx context.Context, tx Tx, c *Customer, on bool) error {
	// Already so (a second message's "Stop all", an older menu): no
	// change, no consent row, so /privacy and the export keep the date
	// of the real change.
	if c.Marketing != on {
		if err := tx.AppendConsent(ctx, c.ID, Consent{
			Kind: ConsentMarketing, Version: s.Business.ConsentVersion, Granted: on, At: s.Now(),
		}); err != nil {
			return err
		}
		c.Marketing = on
	}
	if !on {
		// Nothing sent on the consent withdrawn: not a broadcast queued
		// before, nor an offer held for the customer's hours.
		return tx.WithdrawQueued(ctx, c.ID, c.ChatID, "", nil, s.Now())
	}
	return nil
}
