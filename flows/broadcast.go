package flows

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowBroadcast = "broadcast"

// Broadcast steps. Ids are stored in conversations: never rename one.
const (
	stepBcCompose  = "compose"  // the text, optionally a photo
	stepBcAudience = "audience" // a topic, or everyone who consented
	stepBcConfirm  = "confirm"  // how many, a preview, send
	stepBcWhen     = "when"     // optional: the date and time to send at
)

// Telegram's limits: a text message, and a photo's caption.
const (
	maxBroadcastText    = 4000
	maxBroadcastCaption = 1000
)

// broadcast is /broadcast for owners and managers: compose, choose who,
// see how many and a preview, confirm. Sending queues one outbox row per
// recipient in one statement; the shared sender delivers them, and the
// "📊 Progress" button counts what became of them.
type broadcast struct{}

func (broadcast) Name() string { return flowBroadcast }

func startBroadcast(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	s.Conv.Reset()
	return s.Enter(flowBroadcast, stepBcCompose)
}

func (broadcast) Ask(s *Session) error {
	cancel := []Button{{Text: s.T("broadcast.cancel", nil), Data: s.cb(flowBroadcast, s.Conv.Step, "cancel")}}
	switch s.Conv.Step {
	case stepBcCompose:
		s.Send(Reply{Text: s.T("broadcast.compose.ask", nil), Inline: [][]Button{cancel}})
	case stepBcAudience:
		var rows [][]Button
		for _, t := range s.e.Business.Topics {
			rows = append(rows, []Button{{Text: "📣 " + t.TitleIn(s.Lang), Data: s.cb(flowBroadcast, stepBcAudience, "t:"+t.ID)}})
		}
		rows = append(rows, []Button{{Text: s.T("broadcast.audience.all", nil), Data: s.cb(flowBroadcast, stepBcAudience, "all")}}, cancel)
		s.Send(Reply{Text: s.T("broadcast.audience.ask", nil), Inline: rows})
	case stepBcConfirm:
		return askConfirmBroadcast(s, cancel)
	case stepBcOptions:
		askPollOptions(s, cancel)
	case stepBcWhen:
		s.Send(Reply{Text: s.T("broadcast.schedule.ask", map[string]any{"Zone": staffLocation(s).String()}),
			Inline: [][]Button{cancel}})
	}
	return nil
}

// askConfirmBroadcast shows the message as customers will see it and how
// many will get it.
func askConfirmBroadcast(s *Session, cancel []Button) error {
	a, err := s.e.Service.AudienceOf(s.Data("topic"))
	if err != nil {
		return err
	}
	n, err := s.Tx.CountAudience(s.Ctx, a)
	if err != nil {
		return err
	}
	s.Say("broadcast.preview", nil)
	if s.Data(broadcastTextKey(s.Lang)) != "" {
		s.Say("broadcast.preview.languages", nil)
	}
	preview := s.e.Marketing(s.Lang, s.Data("topic"), Reply{Text: s.Data("text"), Photo: s.Data("photo"),
		Inline: pollButtons(0, pollOptions(s), -1)})
	preview.Inline = inertButtons(preview.Inline)
	s.Send(preview)
	back := []Button{{Text: s.T("broadcast.confirm.other_audience", nil), Data: s.cb(flowBroadcast, stepBcConfirm, "back")}}
	schedule := []Button{{Text: s.T("broadcast.confirm.schedule", nil), Data: s.cb(flowBroadcast, stepBcConfirm, "schedule")}}
	at, scheduled := scheduledAt(s)
	if n == 0 && !scheduled {
		// Nobody now: not sent at once, but a scheduled one goes to
		// whoever is subscribed at its time.
		s.Send(Reply{Text: s.T("broadcast.confirm.nobody", nil), Inline: [][]Button{schedule, back, cancel}})
		return nil
	}
	ask, when := s.T("broadcast.confirm.ask", map[string]any{"Count": n}), schedule
	send := s.T("broadcast.confirm.send", map[string]any{"Count": n})
	if scheduled {
		ask = s.T("broadcast.confirm.ask_at", map[string]any{"Count": n, "When": showWhen(s, at)})
		when = []Button{{Text: s.T("broadcast.confirm.now", nil), Data: s.cb(flowBroadcast, stepBcConfirm, "now")}}
		if n == 0 {
			ask = s.T("broadcast.confirm.ask_at_nobody", map[string]any{"When": showWhen(s, at)})
			send, when = s.T("broadcast.confirm.schedule_it", nil), nil
		}
	}
	var poll []Button
	if len(pollOptions(s)) == 0 {
		poll = []Button{{Text: s.T("broadcast.confirm.poll", nil), Data: s.cb(flowBroadcast, stepBcConfirm, "poll")}}
	}
	text := s.T("broadcast.confirm.to", map[string]any{"Audience": audienceName(s, a)}) + "\n" + ask
	rows := [][]Button{{{Text: send, Data: s.cb(flowBroadcast, stepBcConfirm, "send")}}}
	if when != nil {
		rows = append(rows, when)
	}
	if poll != nil {
		rows = append(rows, poll)
	}
	s.Send(Reply{Text: text, Inline: append(rows, back, cancel)})
	return nil
}

// inertButtons are a preview's buttons, shown as customers will see them
// but answering nothing: in a staff member's chat "🛑 Stop all offers"
// would withdraw their own consent, were they a member too. No action
// has this name: a tap is a stale button.
func inertButtons(rows [][]Button) [][]Button {
	out := make([][]Button, len(rows))
	for i, row := range rows {
		out[i] = make([]Button, len(row))
		for j, b := range row {
			out[i][j] = Button{Text: b.Text, Data: action("preview", "")}
		}
	}
	return out
}

// audienceName says who a broadcast goes to, in the session's language.
func audienceName(s *Session, a domain.Audience) string {
	if t, ok := s.e.Business.Topic(a.Topic); ok {
		return s.T("broadcast.audience.topic", map[string]any{"Title": t.TitleIn(s.Lang)})
	}
	return s.T("broadcast.audience.everyone", nil)
}

func (b broadcast) Handle(s *Session) error {
	if s.leftStaffFlow(s.Staff.CanManage(), "staff.only_managers", "broadcast.cancelled") {
		return nil
	}
	switch s.Conv.Step {
	case stepBcCompose:
		return b.compose(s)
	case stepBcAudience:
		v, ok := tapped(s, "common.use_buttons")
		if !ok {
			return b.Ask(s)
		}
		topic, isTopic := strings.CutPrefix(v, "t:")
		if _, known := s.e.Business.Topic(topic); (isTopic && !known) || (!isTopic && v != "all") {
			return b.Ask(s)
		}
		if !isTopic {
			topic = "" // everyone who consented
		}
		s.SetData("topic", topic)
		// The question keeps a record of the answer, and no buttons to
		// tap again.
		if a, err := s.e.Service.AudienceOf(topic); err == nil {
			s.Edit(Reply{Text: s.T("broadcast.confirm.to", map[string]any{"Audience": audienceName(s, a)}), Inline: [][]Button{}})
		}
		return s.Goto(stepBcConfirm)
	case stepBcConfirm:
		v, ok := tapped(s, "common.use_buttons")
		if !ok {
			return b.Ask(s)
		}
		if v == "back" || v == "schedule" || v == "poll" || v == "now" {
			// The next step (or the confirmation without its time) asks
			// anew: a Send left here would say the old time.
			s.Edit(Reply{Inline: [][]Button{}})
		}
		if v == "back" {
			return s.Goto(stepBcAudience)
		}
		switch v {
		case "send":
			return sendBroadcast(s)
		case "schedule":
			return s.Goto(stepBcWhen)
		case "poll":
			return s.Goto(stepBcOptions)
		case "now":
			s.SetData("at", "")
		}
	case stepBcWhen:
		return b.schedule(s)
	case stepBcOptions:
		return b.takePollOption(s)
	}
	return b.Ask(s)
}

// compose takes the text, or a photo with or without a caption (then the
// text comes next).
func (b broadcast) compose(s *Session) error {
	if s.In.Photo != "" {
		s.SetData("photo", s.In.Photo)
		if strings.TrimSpace(s.In.Text) == "" {
			s.Say("broadcast.compose.photo_added", nil)
			return nil
		}
	} else if s.In.Kind != InputText {
		return b.Ask(s)
	}
	text := strings.TrimSpace(s.In.Text)
	limit := maxBroadcastText
	if s.Data("photo") != "" {
		limit = maxBroadcastCaption
	}
	// Counted as Telegram counts (UTF-16 code units: an emoji is two), or
	// the adapter would cut the text to fit, unseen by the sender.
	if n := utf16Len(text); n == 0 || n > limit {
		s.Say("broadcast.compose.too_long", map[string]any{"Count": limit})
		return nil
	}
	s.SetData("text", text)
	return s.Goto(stepBcAudience)
}

// broadcastTextKey is the conversation key of a broadcast's text in
// lang, when the bot wrote one per language; typed ones have one text.
func broadcastTextKey(lang string) string { return "text." + lang }

// sendBroadcast queues the broadcast in every language the business
// offers and shows its progress, to be refreshed in place.
func sendBroadcast(s *Session) error {
	b := &domain.Broadcast{Topic: s.Data("topic"), Text: s.Data("text"), Photo: s.Data("photo"), Options: pollOptions(s),
		Promotion: s.Data("promo")}
	if len(b.Options) > 0 { // its buttons carry its id
		id, err := s.Tx.ReserveBroadcastID(s.Ctx)
		if err != nil {
			return err
		}
		b.ID = id
	}
	// A promotion's announcement goes while it runs or before: not once
	// it has been stopped, nor scheduled for after its end.
	if _, over, err := promoAnnouncementEnd(s); err != nil {
		return err
	} else if over {
		s.Leave()
		s.Say("promo.over", nil)
		return nil
	}
	if at, ok := scheduledAt(s); ok {
		if refused, err := refuseTime(s, at); err != nil {
			return err
		} else if refused { // confirmed too late
			return s.Goto(stepBcWhen)
		}
		b.NotBefore = at
	}
	p := domain.BroadcastPayloads{ByLanguage: map[string]json.RawMessage{}, Default: s.e.Business.DefaultLanguage}
	for _, lang := range s.e.Business.Languages {
		text := b.Text
		if t := s.Data(broadcastTextKey(lang)); t != "" {
			text = t // written by the bot in each language (tellPromotion)
		}
		payload, err := s.e.Marketing(lang, b.Topic, Reply{Text: text, Photo: b.Photo,
			Inline: pollButtons(b.ID, b.Options, -1)}).encode()
		if err != nil {
			return err
		}
		p.ByLanguage[lang] = payload
	}
	if err := s.e.Service.SendBroadcast(s.Ctx, s.Tx, s.Staff, b, p); err != nil {
		var v *domain.ValidationError
		if errors.As(err, &v) {
			s.Leave()
			s.Say(v.Reason, nil)
			return nil
		}
		return err
	}
	s.Leave()
	// The rows are the background sender's: wake it after commit.
	if mark, ok := s.Ctx.Value(queuedKey{}).(*bool); ok {
		*mark = true
	}
	return showProgress(s, b.ID)
}

// showProgress counts what became of a broadcast's messages, with a
// refresh button while some are pending; the last count is the report.
// A poll adds its tally and the export of its answers.
func showProgress(s *Session, id int64) error {
	p, err := s.Tx.BroadcastProgress(s.Ctx, id)
	if err != nil {
		return err
	}
	b, err := s.Tx.FindBroadcast(s.Ctx, id)
	if err != nil {
		return err
	}
	msg := "broadcast.progress"
	data := map[string]any{"Queued": s.num(int64(p.Queued)), "Sent": s.num(int64(p.Sent)), "Blocked": s.num(int64(p.Blocked)), "Failed": s.num(int64(p.Failed)),
		"Pending": s.num(int64(p.Pending)), "When": showWhen(s, b.NotBefore)}
	switch {
	case p.Queued == 0 && !p.Waiting: // the audience left between the count and Send
		msg = "broadcast.nobody_left"
	case p.Done():
		msg = "broadcast.report"
	case b.NotBefore.After(s.e.Now()) || p.Waiting: // its audience is taken at its time
		msg = "broadcast.scheduled"
	}
	tally, err := s.e.pollTally(s.Ctx, s.Tx, s.loc, b)
	if err != nil {
		return err
	}
	tally = s.e.withdrawnLine(s.loc, p) + tally
	var rows [][]Button // a poll's answers keep coming after the last message
	if !p.Done() || len(b.Options) > 0 {
		rows = append(rows, []Button{{Text: s.T("broadcast.progress.refresh", nil), Data: action("broadcast", strconv.FormatInt(id, 10))}})
	}
	if !p.Done() && (s.Staff.IsOwner() || s.Staff.ID == b.StaffID) {
		rows = append(rows, []Button{{Text: s.T("broadcast.stop", nil), Data: action("bccancel", strconv.FormatInt(id, 10))}})
	}
	if len(b.Options) > 0 {
		rows = append(rows, []Button{{Text: s.T("broadcast.poll.export", nil), Data: action("pollcsv", strconv.FormatInt(id, 10))}})
	}
	s.Edit(Reply{Text: s.T(msg, data) + tally, Inline: rows})
	return nil
}

// withdrawnLine is the line under a broadcast's count that says how many
// of its messages were taken back before they went ("" for none): by the
// customers (opted out, erased) and by the sender (cancelled).
func (e *Engine) withdrawnLine(l *i18n.Localizer, p domain.BroadcastProgress) string {
	line := ""
	if p.Withdrawn > 0 {
		line += "\n" + e.translate(l, "broadcast.withdrawn", map[string]any{"Count": p.Withdrawn})
	}
	if p.Cancelled > 0 {
		line += "\n" + e.translate(l, "broadcast.stopped", map[string]any{"Count": p.Cancelled})
	}
	return line
}

// ReportBroadcasts runs the broadcast report job: the final count of every
// finished broadcast goes to its sender (Service.ReportBroadcasts), in
// their language.
func (e *Engine) ReportBroadcasts(ctx context.Context) (int, error) {
	return e.Service.ReportBroadcasts(ctx, e.Store, func(ctx context.Context, tx domain.Tx, to *domain.Staff, f domain.FinishedBroadcast) (json.RawMessage, error) {
		lang := e.staffLang(ctx, tx, to)
		p, loc := f.Progress, e.localizer(lang)
		b, err := tx.FindBroadcast(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		tally, err := e.pollTally(ctx, tx, loc, b)
		if err != nil {
			return nil, err
		}
		msg := "broadcast.report"
		if p.Queued == 0 { // the audience left between the count and Send
			msg = "broadcast.nobody_left"
		}
		text := e.translate(loc, msg,
			map[string]any{"Queued": e.num(int64(p.Queued), lang), "Sent": e.num(int64(p.Sent), lang),
				"Blocked": e.num(int64(p.Blocked), lang), "Failed": e.num(int64(p.Failed), lang)}) + e.withdrawnLine(loc, p)
		r := Reply{ChatID: to.ChatID, Text: text + tally}
		if len(b.Options) > 0 {
			id := strconv.FormatInt(b.ID, 10)
			r.Inline = [][]Button{{{Text: e.translate(loc, "broadcast.progress.refresh", nil), Data: action("broadcast", id)}},
				{{Text: e.translate(loc, "broadcast.poll.export", nil), Data: action("pollcsv", id)}}}
		}
		return r.encode()
	})
}

// progressAction is the "📊 Progress" button: owners and the manager who
// sent it only.
func progressAction(s *Session, value string) error {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	b, err := s.Tx.FindBroadcast(s.Ctx, id)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && !ownsBroadcast(s.Staff, b)) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	return showProgress(s, id)
}

// ownsBroadcast says whether st may follow broadcast b and read its
// answers: its sender or an owner, as for its cancel
// (domain.Service.CancelBroadcast); another manager's or an owner's is not
// a manager's to read.
func ownsBroadcast(st *domain.Staff, b *domain.Broadcast) bool {
	return st.CanManage() && (st.IsOwner() || st.ID == b.StaffID)
}

// cancelAction is "🗑 Cancel the broadcast" under its progress (value:
// its id), then "Yes, cancel it" (the id and ".yes"): what has not gone
// yet is taken back, and the progress says so.
func cancelAction(s *Session, value string) error {
	idText, sure := strings.CutSuffix(value, ".yes")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	if !sure {
		s.Edit(Reply{Inline: [][]Button{{
			{Text: s.T("broadcast.stop.yes", nil), Data: action("bccancel", idText+".yes")},
			{Text: s.T("broadcast.stop.no", nil), Data: action("broadcast", idText)},
		}}})
		return nil
	}
	_, err = s.e.Service.CancelBroadcast(s.Ctx, s.Tx, s.Staff, id)
	var v *domain.ValidationError
	switch {
	case isNotFound(err):
		s.Toast("error.stale_button")
		return nil
	case errors.As(err, &v):
		s.Toast(v.Reason)
		return nil
	case err != nil:
		return err
	}
	return showProgress(s, id)
}

func init() {
	registerFlow(broadcast{})
	registerCommand("broadcast", MenuManager, 20, startBroadcast)
	registerAction("broadcast", progressAction)
	registerAction("bccancel", cancelAction)
}

// utf16Len is the length of s in UTF-16 code units, as Telegram counts a
// message's or a caption's length.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
