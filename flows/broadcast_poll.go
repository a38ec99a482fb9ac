package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// stepBcOptions takes a poll's answer options, one per message.
const stepBcOptions = "options"

// pollOptions are the options typed so far.
func pollOptions(s *Session) []string {
	var o []string
	_ = json.Unmarshal([]byte(s.Data("opts")), &o) // "" or ours
	return o
}

// askPollOptions lists the options so far; Done once there are enough.
func askPollOptions(s *Session, cancel []Button) {
	opts := pollOptions(s)
	text := s.T("broadcast.poll.ask", map[string]any{"Min": domain.MinPollOptions, "Max": domain.MaxPollOptions})
	for i, o := range opts {
		text += fmt.Sprintf("\n%d. %s", i+1, o)
	}
	var rows [][]Button
	if len(opts) >= domain.MinPollOptions {
		rows = append(rows, []Button{{Text: s.T("broadcast.poll.done", nil), Data: s.cb(flowBroadcast, stepBcOptions, "done")}})
	}
	s.Send(Reply{Text: text, Inline: append(rows, cancel)})
}

// takePollOption adds a typed option; the sixth, or Done, goes back to
// the confirmation.
func (b broadcast) takePollOption(s *Session) error {
	opts := pollOptions(s)
	if s.In.Kind == InputCallback {
		if v, _ := tapped(s, "common.use_buttons"); v == "done" && len(opts) >= domain.MinPollOptions {
			return s.Goto(stepBcConfirm)
		}
		return b.Ask(s)
	}
	if s.In.Kind != InputText {
		return b.Ask(s)
	}
	o, err := domain.CheckPollOption(s.In.Text, opts)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Say(v.Reason, map[string]any{"Count": domain.MaxPollOptionLen})
		return nil
	} else if err != nil {
		return err
	}
	data, _ := json.Marshal(append(opts, o))
	s.SetData("opts", string(data))
	if len(opts)+1 >= domain.MaxPollOptions {
		return s.Goto(stepBcConfirm)
	}
	return b.Ask(s)
}

// pollButtons are a poll's answers under its message, the chosen one
// marked; id 0 (the preview) makes buttons that answer nothing.
func pollButtons(id int64, opts []string, chosen int) [][]Button {
	rows := make([][]Button, 0, len(opts))
	for i, o := range opts {
		if i == chosen {
			o = "✅ " + o
		}
		rows = append(rows, []Button{{Text: o, Data: action("poll", fmt.Sprintf("%d:%d", id, i))}})
	}
	return rows
}

// pollAction is a customer's tap on an answer: recorded (changeable) and
// confirmed in place.
func pollAction(s *Session, value string) error {
	ids, idx, _ := strings.Cut(value, ":")
	id, err1 := strconv.ParseInt(ids, 10, 64)
	option, err2 := strconv.Atoi(idx)
	if err1 != nil || err2 != nil {
		s.Toast("error.stale_button")
		return nil
	}
	b, err := s.e.Service.AnswerPoll(s.Ctx, s.Tx, s.Customer, id, option)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Toast(v.Reason)
		if v.Reason == "broadcast.poll.closed" || v.Reason == "broadcast.poll.closed_promotion" ||
			v.Reason == "broadcast.poll.closed_promotion_over" {
			// The answers go from under the message, lest they be tapped
			// again; the way out of offers stays.
			b, err := s.Tx.FindBroadcast(s.Ctx, id)
			if err != nil {
				return err
			}
			rows, err := pollWaysOut(s, b)
			if err != nil {
				return err
			}
			s.Edit(Reply{Inline: rows})
		}
		return nil
	} else if err != nil {
		return err
	}
	ways, err := pollWaysOut(s, b)
	if err != nil {
		return err
	}
	rows := append(pollButtons(b.ID, b.Options, option), ways...)
	s.callbackText = s.T("broadcast.poll.answered", map[string]any{"Answer": b.Options[option]})
	s.Edit(Reply{Inline: rows})
	return nil
}

// pollWaysOut are the buttons under a poll's answers: the way out of
// offers (or, the consent withdrawn, the way back).
func pollWaysOut(s *Session, b *domain.Broadcast) ([][]Button, error) {
	if !s.Customer.Marketing {
		// The consent withdrawn: the way back stays, as editWaysOut left it.
		t, _ := s.e.Business.Topic(b.Topic)
		return [][]Button{{{Text: s.T("privacy.marketing.on", nil), Data: action("topics", topicBack+":"+t.ID)}}}, nil
	}
	if t, ok := s.e.Business.Topic(b.Topic); ok {
		choices, err := s.Tx.ListTopicChoices(s.Ctx, s.Customer.ID)
		if err != nil {
			return nil, err
		}
		return s.e.marketingButtons(s.loc, t.ID, t.TitleIn(s.Lang), !t.Subscribed(choices)), nil
	}
	return s.e.marketingButtons(s.loc, "", "", false), nil
}

// pollTally is the tally lines of a poll, "" for a broadcast that is not.
func (e *Engine) pollTally(ctx context.Context, tx domain.Tx, loc *i18n.Localizer, b *domain.Broadcast) (string, error) {
	if len(b.Options) == 0 {
		return "", nil
	}
	counts, err := tx.PollTally(ctx, b.ID, len(b.Options))
	if err != nil {
		return "", err
	}
	text := "\n" + e.translate(loc, "broadcast.poll.tally", nil)
	for i, o := range b.Options {
		text += fmt.Sprintf("\n%s: %d", o, counts[i])
	}
	return text, nil
}

// exportPollAction sends an owner, or the manager who sent the poll, who
// answered what, as CSV.
func exportPollAction(s *Session, value string) error {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	b, err := s.Tx.FindBroadcast(s.Ctx, id)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && (len(b.Options) == 0 || !ownsBroadcast(s.Staff, b))) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	answers, err := s.Tx.ListPollAnswers(s.Ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w, err := domain.NewSpreadsheetCSV(&buf, s.Lang)
	if err != nil {
		return err
	}
	loc := staffLocation(s)
	_ = w.Write([]string{"first_name", "answer", "answered_at"})
	// Names for owners only, as /export has them (domain.StartExport):
	// a store's manager reaches everyone with a poll, not their names.
	personal := s.Staff.Role == domain.RoleOwner
	for _, a := range answers {
		name := ""
		if personal {
			name = a.FirstName
		}
		_ = w.Write([]string{name, b.Options[a.Option], a.At.In(loc).Format("2006-01-02 15:04")})
	}
	w.Flush()
	s.Send(Reply{Text: s.T("broadcast.poll.export_caption", map[string]any{"Count": len(answers)}),
		Document: &Document{Name: fmt.Sprintf("poll-%d.csv", id), Data: buf.Bytes()}})
	return nil
}

func init() {
	registerAction("poll", pollAction)
	registerAction("pollcsv", exportPollAction)
}
