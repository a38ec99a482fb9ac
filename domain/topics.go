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
	return tx.SetTopicChoice(ctx, c.ID, topic, on, s.Now())
}

// SetMarketing gives or withdraws the marketing consent, recorded as a
// consent row with the wording version (as proof), whether from /privacy
// or from "Stop all marketing" under a message.
func (s *Service) SetMarketing(ctx context.Context, tx Tx, c *Customer, on bool) error {
	if err := tx.AppendConsent(ctx, c.ID, Consent{
		Kind: ConsentMarketing, Version: s.Business.ConsentVersion, Granted: on, At: s.Now(),
	}); err != nil {
		return err
	}
	c.Marketing = on
	return nil
}
