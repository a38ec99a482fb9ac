package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Broadcast is a message an owner or manager sends to the customers who
// want it: those with the marketing consent and, for a topic, subscribed
// to it. It goes out through the outbox, one row per customer written in
// one statement, so a restart continues where it stopped.
type Broadcast struct {
	ID        int64
	StaffID   int64
	Topic     string // "": everyone with the marketing consent
	Text      string
	Photo     string // Telegram file_id of an attached photo, "" if none
	NotBefore time.Time
	CreatedAt time.Time
	Queued    int // messages queued when it was sent
	// Options makes the broadcast a one-question poll: its text is the
	// question, each recipient answers with a button (none: not a poll).
	Options []string
	// Promotion is the live promotion it announces ("": none): stopping
	// the promotion takes back what of it has not gone.
	Promotion string
	// Cancelled: its sender (or an owner) cancelled it, taking back some
	// of its messages; its poll, if any, takes no more answers.
	Cancelled bool
	// PromotionStopped: the promotion it announces was stopped (or
	// cancelled before its start); its poll takes no more answers either.
	PromotionStopped bool
	// PromotionEnds is when the promotion it announces ends (zero:
	// none); after it, its poll takes no more answers either.
	PromotionEnds time.Time
}

// Audience says who receives a broadcast: members with the marketing
// consent, neither erased nor unreachable, and, for a topic, subscribed
// (an explicit choice, else the topic's default).
type Audience struct {
	Topic        string // "": no topic filter
	TopicDefault bool
}

// BroadcastPayloads are the rendered message in each language; the store
// writes the one of the customer's language (Default when theirs is not
// offered) with its top-level "chat_id" set to the customer's chat.
type BroadcastPayloads struct {
	ByLanguage map[string]json.RawMessage
	Default    string
}

// BroadcastProgress counts a broadcast's messages by what became of them.
type BroadcastProgress struct {
	Queued, Sent, Blocked, Failed, Pending int
	// Withdrawn counts the messages taken back before they went: the
	// customer opted out of them or erased their data meanwhile.
	Withdrawn int
	// Cancelled counts the messages the sender (or an owner) took back
	// with the broadcast before they went (CancelBroadcast).
	Cancelled int
	// Waiting: scheduled, its time has not come (or the broadcast job has
	// not run since): whoever is in its audience then and has no message
	// of it queued is yet to get one (QueueLatecomers).
	Waiting bool
}

// Done reports that no message of the broadcast waits any more.
func (p BroadcastProgress) Done() bool { return p.Pending == 0 && !p.Waiting }

// BroadcastStore keeps broadcasts and counts their audience and progress
// set-based: never a loop over customers in Go.
type BroadcastStore interface {
	CountAudience(ctx context.Context, a Audience) (int, error)
	// QueueBroadcast records b (setting ID, unless reserved, and Queued) and queues its
	// message for every customer of a in one INSERT … SELECT; a customer
	// gets at most one row per broadcast.
	QueueBroadcast(ctx context.Context, b *Broadcast, a Audience, p BroadcastPayloads) error
	FindBroadcast(ctx context.Context, id int64) (*Broadcast, error)
	// CancelBroadcast drops the broadcast's messages not sent yet (and
	// not in a sender's hands), at at; it returns how many.
	CancelBroadcast(ctx context.Context, id int64, at time.Time) (int, error)
	// CancelPromotionBroadcasts takes back, as CancelBroadcast does, what
	// has not gone of the broadcasts announcing the promotion with this id.
	CancelPromotionBroadcasts(ctx context.Context, promotion string, at time.Time) (int, error)
	// RelanguageQueued puts the broadcast messages queued for a chat, not
	// sent yet, in lang (or the broadcast's default language).
	RelanguageQueued(ctx context.Context, chatID int64, lang string) error
	BroadcastProgress(ctx context.Context, id int64) (BroadcastProgress, error)
	// ClaimFinishedBroadcasts marks up to limit broadcasts that have no
	// message pending and no report yet as reported at at, and returns
	// them: a broadcast is claimed once, whoever asks and however often.
	ClaimFinishedBroadcasts(ctx context.Context, at time.Time, limit int) ([]FinishedBroadcast, error)
	// ClaimDueAudiences marks up to limit scheduled broadcasts whose time
	// (not_before) has come by at as having taken their audience, and
	// returns those still to go (not cancelled): each is claimed once,
	// whoever asks and however often. Not a scheduled one's finished
	// before then (ClaimFinishedBroadcasts waits for it).
	ClaimDueAudiences(ctx context.Context, at time.Time, limit int) ([]Broadcast, error)
	// QueueLatecomers queues broadcast id's message, at at, for every
	// customer of a who has none (joined or subscribed after it was
	// scheduled; one taken back when they opted out goes again, since
	// they are back), in one INSERT … SELECT; it returns how many.
	QueueLatecomers(ctx context.Context, id int64, a Audience, at time.Time) (int, error)
}

// FinishedBroadcast is a broadcast whose messages have all gone out or
// been dropped, with the counts of its final report.
type FinishedBroadcast struct {
	ID, StaffID int64
	Progress    BroadcastProgress
}

// AudienceOf is who a broadcast to topic ("" everyone who consented)
// reaches; ErrInvalid for a topic the config does not have.
func (s *Service) AudienceOf(topic string) (Audience, error) {
	if topic == "" {
		return Audience{}, nil
	}
	t, ok := s.Business.Topic(topic)
	if !ok {
		return Audience{}, fmt.Errorf("audience %q: %w: no such topic", topic, ErrInvalid)
	}
	return Audience{Topic: t.ID, TopicDefault: t.Default}, nil
}

// SendBroadcast queues b for its audience on behalf of an owner or
// manager; b.Queued says how many messages were queued.
func (s *Service) SendBroadcast(ctx context.Context, tx Tx, by *Staff, b *Broadcast, p BroadcastPayloads) error {
	if !by.CanManage() {
		return Invalid("staff.only_managers")
	}
	a, err := s.AudienceOf(b.Topic)
	if err != nil {
		return err
	}
	if err := checkPoll(b); err != nil {
		return err
	}
	b.StaffID, b.CreatedAt = by.ID, s.Now()
	if b.NotBefore.IsZero() {
		b.NotBefore = b.CreatedAt
	} else if err := s.CheckBroadcastTime(b.NotBefore); err != nil {
		return err
	}
	if err := tx.QueueBroadcast(ctx, b, a, p); err != nil {
		return fmt.Errorf("queue broadcast: %w", err)
	}
	return nil
}

// CancelBroadcast takes back what of a broadcast has not gone yet (one
// scheduled for later, or still going out to a large audience): its
// sender or an owner may, anyone else gets a *ValidationError. It returns
// how many messages it took back; the report counts them.
func (s *Service) CancelBroadcast(ctx context.Context, tx Tx, by *Staff, id int64) (int, error) {
	b, err := tx.FindBroadcast(ctx, id)
	if err != nil {
		return 0, err
	}
	if !by.CanManage() || !by.IsOwner() && by.ID != b.StaffID {
		return 0, Invalid("broadcast.stop.not_yours")
	}
	return tx.CancelBroadcast(ctx, id, s.Now())
}

// ReportBroadcasts pushes the final report of every finished broadcast to
// the owner or manager who sent it, once: the claim and the queued report
// commit together. render writes the report in the sender's language. A
// sender no longer on the staff gets nothing.
func (s *Service) ReportBroadcasts(ctx context.Context, st Store,
	render func(ctx context.Context, tx Tx, to *Staff, f FinishedBroadcast) (json.RawMessage, error)) (int, error) {
	n := 0
	err := st.Update(ctx, func(tx Tx) error {
		n = 0
		if err := s.queueAtTheirTime(ctx, tx); err != nil {
			return err
		}
		done, err := tx.ClaimFinishedBroadcasts(ctx, s.Now(), 100)
		if err != nil {
			return err
		}
		for _, f := range done {
			told, err := tellStaff(ctx, tx, f.StaffID, func(to *Staff) (json.RawMessage, error) { return render(ctx, tx, to, f) })
			if err != nil {
				return fmt.Errorf("broadcast %d report: %w", f.ID, err)
			}
			if told {
				n++
			}
		}
		return nil
	})
	return n, err
}

// queueAtTheirTime gives each scheduled broadcast whose time has come
// the audience of that time: whoever is subscribed and consenting now
// and had no message of it queued when it was scheduled gets one (those
// who opted out meanwhile had theirs taken back then: SetTopic,
// SetMarketing). A topic gone from the config keeps those queued.
func (s *Service) queueAtTheirTime(ctx context.Context, tx Tx) error {
	due, err := tx.ClaimDueAudiences(ctx, s.Now(), 100)
	if err != nil {
		return err
	}
	for _, b := range due {
		a, err := s.AudienceOf(b.Topic)
		if err != nil {
			continue
		}
		if _, err := tx.QueueLatecomers(ctx, b.ID, a, s.Now()); err != nil {
			return err
		}
	}
	return nil
}

// tellStaff queues the message render writes for staff member id,
// unless they lost their access, have no chat or blocked the bot; it
// says whether it did.
func tellStaff(ctx context.Context, tx Tx, id int64, render func(to *Staff) (json.RawMessage, error)) (bool, error) {
	to, err := tx.FindStaffByID(ctx, id)
	if err != nil {
		return false, err
	}
	if !to.Active() || to.ChatID == 0 || to.Unreachable {
		return false, nil
	}
	payload, err := render(to)
	if err != nil {
		return false, err
	}
	if _, err := tx.Enqueue(ctx, OutMessage{ChatID: to.ChatID, Payload: payload}, false); err != nil {
		return false, err
	}
	return true, nil
}

// MaxBroadcastAhead is how far ahead a broadcast may be scheduled: "25.12.62"
// read as 2062 is a slip, not a plan.
const MaxBroadcastAhead = 366 * 24 * time.Hour

// CheckBroadcastTime refuses a scheduled time that has already passed by
// the business clock, or is more than MaxBroadcastAhead away.
func (s *Service) CheckBroadcastTime(at time.Time) error {
	now := s.Now()
	if at.Before(now) {
		return Invalid("broadcast.schedule.past")
	}
	if at.After(now.Add(MaxBroadcastAhead)) {
		return Invalid("broadcast.schedule.far")
	}
	return nil
}
