package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowCodeWord = "codeword"

// Steps of starting a code word. Ids are stored in conversations: never
// rename one.
const (
	stepCodeWordWord    = "word"    // the word
	stepCodeWordPoints  = "points"  // its points
	stepCodeWordEnd     = "end"     // until when
	stepCodeWordUses    = "uses"    // how many members at most
	stepCodeWordConfirm = "confirm" // Start or Cancel
)

// codeWordFlow starts a code word (domain.StartCodeWord) for an owner:
// the word, its points, its last day, how many members may use it, then
// a confirmation. /codes lists the words and stops a running one.
type codeWordFlow struct{}

func (codeWordFlow) Name() string { return flowCodeWord }

// codeWordDays are the terms offered, in days from today (the last day
// included).
var codeWordDays = []int{7, 14, 30}

// maxCodeWordsListed bounds /codes' list (and its Stop buttons).
const maxCodeWordsListed = 20

// codesCommand is /codes for owners: the code words running and ended in
// the last 30 days, a Stop button under each running one, and a button
// to start one.
func codesCommand(s *Session) error {
	if !s.Staff.IsOwner() {
		s.Say("staff.only_owners", nil)
		return s.e.resume(s)
	}
	r, err := codesList(s)
	if err != nil {
		return err
	}
	s.Send(r)
	return s.e.resume(s)
}

// codesList is /codes' message.
func codesList(s *Session) (Reply, error) {
	words, err := s.e.Service.CodeWords(s.Ctx, s.Tx, s.Staff, maxCodeWordsListed)
	if err != nil {
		return Reply{}, err
	}
	now := s.e.Service.Now()
	loc := staffLocation(s)
	lines := []string{s.T("codeword.list.title", nil)}
	var rows [][]Button
	for i := range words {
		w := &words[i]
		data := s.codeWordData(w, loc)
		id := "codeword.list.running"
		switch {
		case !w.Running(now):
			id = "codeword.list.ended"
		case w.Full():
			id = "codeword.list.full"
		}
		lines = append(lines, s.T(id, data))
		if w.Uses > 0 {
			lines = append(lines, "   "+s.T("codeword.list.bought", data))
		}
		if id == "codeword.list.ended" {
			continue
		}
		if p := w.StartPayload(); p != "" {
			lines = append(lines, "   "+DeepLink(s.e.BotUsername, p))
		}
		rows = append(rows, []Button{{Text: s.T("codeword.button.stop", data),
			Data: action("codes", "stop"+strconv.FormatInt(w.ID, 10))}})
	}
	if len(words) == 0 {
		lines = append(lines, s.T("codeword.list.none", nil))
	}
	rows = append(rows, []Button{{Text: s.T("codeword.button.new", nil), Data: action("codes", "new")}})
	return Reply{Text: strings.Join(lines, "\n"), Inline: rows}, nil
}

// codeWordData is what the messages about word w say.
func (s *Session) codeWordData(w *domain.CodeWord, loc *time.Location) map[string]any {
	return map[string]any{"Word": w.Word, "Points": s.points(w.Points), "Until": lastDay(w.End, loc),
		"Ended": w.Ended().Add(-time.Second).In(loc).Format("02.01"), "Uses": s.num(int64(w.Uses)), "Max": s.num(int64(w.MaxUses)),
		"Limited": w.MaxUses > 0, "NewOnly": w.NewOnly, "Joined": s.num(int64(w.Joined)), "Buyers": s.num(int64(w.Buyers)),
		"Purchases": s.num(int64(w.Purchases)), "Revenue": s.e.money(w.Revenue, s.Lang)}
}

// notifyCodeWordStarted tells the owners, but the one who started it,
// of a new code word, as of a live promotion: it gives points away.
func (e *Engine) notifyCodeWordStarted(ctx context.Context, tx domain.Tx, ev domain.CodeWordStarted) error {
	owners, err := e.ownersToTell(ctx, tx, ev.By.ID)
	if err != nil {
		return err
	}
	w := ev.Word
	for _, st := range owners {
		lang := e.staffLang(ctx, tx, &st)
		l := e.localizer(lang)
		data := map[string]any{"Name": ev.By.FirstName, "Word": w.Word, "Points": e.points(l, w.Points),
			"Until": lastDay(w.End, e.staffZone(ctx, tx, &st)), "NewOnly": w.NewOnly}
		if err := e.queue(ctx, tx, Reply{ChatID: st.ChatID, Text: e.translate(l, "codeword.owner_notice", data)}); err != nil {
			return err
		}
	}
	return nil
}

// ownersToTell lists the active owners the bot can write to, but the one
// with staff id except (0: none), for a notice of what someone did.
func (e *Engine) ownersToTell(ctx context.Context, tx domain.Tx, except int64) ([]domain.Staff, error) {
	staff, err := tx.ListStaff(ctx, 0)
	if err != nil {
		return nil, err
	}
	var owners []domain.Staff
	for _, st := range staff {
		if st.IsOwner() && st.ID != except && st.ChatID != 0 {
			owners = append(owners, st)
		}
	}
	return owners, nil
}

// notifyCodeWordExhausted tells whoever started a code word (or, when
// they are no longer on the team, every owner) that its last use is
// taken.
func (e *Engine) notifyCodeWordExhausted(ctx context.Context, tx domain.Tx, ev domain.CodeWordExhausted) error {
	var to []domain.Staff
	if st, err := tx.FindStaffByID(ctx, ev.Word.CreatedBy); err == nil && st.IsOwner() {
		if st.ChatID != 0 {
			to = append(to, *st)
		}
	} else if err != nil && !isNotFound(err) {
		return err
	} else if to, err = e.ownersToTell(ctx, tx, 0); err != nil {
		return err
	}
	for _, st := range to {
		lang := e.staffLang(ctx, tx, &st)
		text := e.translate(e.localizer(lang), "codeword.exhausted", map[string]any{"Word": ev.Word.Word,
			"Max": e.num(int64(ev.Word.MaxUses), lang)})
		if err := e.queue(ctx, tx, Reply{ChatID: st.ChatID, Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// lastDay is the last day a term ending at end (exclusive) covers.
func lastDay(end time.Time, loc *time.Location) string {
	return end.Add(-time.Second).In(loc).Format("02.01.2006")
}

// codesAction is /codes' buttons: "new" starts the flow, "stop<id>"
// stops a word and shows the list again in place.
func codesAction(s *Session, value string) error {
	if !s.Staff.IsOwner() {
		s.Toast("error.stale_button")
		return nil
	}
	if value == "new" {
		s.Conv.Reset()
		return s.Enter(flowCodeWord, stepCodeWordWord)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(value, "stop"), 10, 64)
	if !strings.HasPrefix(value, "stop") || err != nil {
		s.Toast("error.stale_button")
		return nil
	}
	_, err = s.e.Service.StopCodeWord(s.Ctx, s.Tx, s.Staff, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.Toast("error.stale_button")
		return nil
	case errors.Is(err, domain.ErrPromotionOver):
		s.Toast("codeword.over")
	case err != nil:
		return err
	default:
		s.Toast("codeword.stopped")
	}
	r, err := codesList(s)
	if err != nil {
		return err
	}
	s.Edit(r)
	return nil
}

func (codeWordFlow) Ask(s *Session) error {
	cancel := []Button{{Text: s.T("codeword.cancel", nil), Data: s.cb(flowCodeWord, s.Conv.Step, "cancel")}}
	loc := staffLocation(s)
	switch s.Conv.Step {
	case stepCodeWordWord:
		s.Send(Reply{Text: s.T("codeword.ask.word", map[string]any{"Min": domain.MinCodeWordRunes,
			"Max": domain.MaxCodeWordRunes}), Inline: [][]Button{cancel}})
	case stepCodeWordPoints:
		var row []Button
		for _, n := range []int64{50, 100, 200} {
			row = append(row, Button{Text: s.num(n), Data: s.cb(flowCodeWord, stepCodeWordPoints, strconv.FormatInt(n, 10))})
		}
		s.Send(Reply{Text: s.T("codeword.ask.points", map[string]any{"Word": s.Data("word"),
			"Max": s.num(domain.MaxCodeWordPoints)}), Inline: [][]Button{row, cancel}})
	case stepCodeWordEnd:
		var row []Button
		for _, d := range codeWordDays {
			end := codeWordEnd(s.e.Service.Now(), d, loc)
			row = append(row, Button{Text: s.T("codeword.end.days", map[string]any{"Days": d, "Date": lastDay(end, loc)[:5]}),
				Data: s.cb(flowCodeWord, stepCodeWordEnd, strconv.Itoa(d))})
		}
		s.Send(Reply{Text: s.T("codeword.ask.end", map[string]any{"Days": domain.MaxCodeWordDays}),
			Inline: [][]Button{row, cancel}})
	case stepCodeWordUses:
		row := []Button{{Text: s.T("codeword.uses.any", nil), Data: s.cb(flowCodeWord, stepCodeWordUses, "0")}}
		for _, n := range []int64{100, 500} {
			row = append(row, Button{Text: s.num(n), Data: s.cb(flowCodeWord, stepCodeWordUses, strconv.FormatInt(n, 10))})
		}
		s.Send(Reply{Text: s.T("codeword.ask.uses", nil), Inline: [][]Button{row, cancel}})
	case stepCodeWordConfirm:
		s.Send(codeWordConfirm(s, cancel[0], loc))
	default:
		return fmt.Errorf("codeword: unknown step %q", s.Conv.Step)
	}
	return nil
}

// codeWordConfirm is the confirmation: Start, Cancel, and the toggle
// between every member and new members only. Start and the toggle carry
// the audience their message shows ("yes1": start it for new members
// only; "new0": show it for every member), so a tap on an older
// confirmation of the same draft does what that message said.
func codeWordConfirm(s *Session, cancel Button, loc *time.Location) Reply {
	w := s.draftCodeWord()
	toggle, shown, other := "codeword.button.new_only", "0", "1"
	if w.NewOnly {
		toggle, shown, other = "codeword.button.everyone", "1", "0"
	}
	return Reply{Text: s.T("codeword.confirm", s.codeWordData(&w, loc)), Inline: [][]Button{
		{{Text: s.T("codeword.confirm.yes", nil), Data: s.cb(flowCodeWord, stepCodeWordConfirm, "yes"+shown)}, cancel},
		{{Text: s.T(toggle, nil), Data: s.cb(flowCodeWord, stepCodeWordConfirm, "new"+other)}}}}
}

// setNewOnly keeps the audience a confirmation's button carries.
func setNewOnly(s *Session, flag string) {
	if flag == "1" {
		s.SetData("new", "1")
	} else {
		s.SetData("new", "")
	}
}

// codeWordEnd is the end of a term of days days counted from today in
// loc, today the first: midnight after its last day.
func codeWordEnd(now time.Time, days int, loc *time.Location) time.Time {
	d := now.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days, 0, 0, 0, 0, loc)
}

// draftCodeWord is the word the steps chose so far.
func (s *Session) draftCodeWord() domain.CodeWord {
	end, _ := time.Parse(time.RFC3339, s.Data("end"))
	return domain.CodeWord{Word: s.Data("word"), Points: s.dataInt("points"), End: end, MaxUses: int(s.dataInt("uses")),
		NewOnly: s.Data("new") != ""}
}

func (f codeWordFlow) Handle(s *Session) error {
	if s.leftStaffFlow(s.Staff.IsOwner(), "staff.only_owners", "codeword.cancelled") {
		return nil
	}
	now := s.e.Service.Now()
	typed := strings.TrimSpace(s.In.Text)
	if s.In.Kind != InputText && s.In.Kind != InputCallback {
		return f.Ask(s)
	}
	switch s.Conv.Step {
	case stepCodeWordWord:
		if s.In.Kind != InputText {
			return f.Ask(s)
		}
		word, err := domain.ParseCodeWord(typed)
		if err != nil {
			s.Say("codeword.error.word", map[string]any{"Min": domain.MinCodeWordRunes, "Max": domain.MaxCodeWordRunes})
			return f.Ask(s)
		}
		if w, err := s.e.Service.RunningCodeWord(s.Ctx, s.Tx, word); err != nil {
			return err
		} else if w != nil {
			s.Say("codeword.error.taken", map[string]any{"Word": w.Word})
			return f.Ask(s)
		}
		s.SetData("word", word)
		return s.Goto(stepCodeWordPoints)
	case stepCodeWordPoints:
		text := typed
		if s.In.Kind == InputCallback {
			text = s.tapValue()
		}
		n, err := domain.ParsePoints(text, domain.MaxCodeWordPoints)
		if err != nil {
			s.Say("codeword.error.points", map[string]any{"Max": s.num(domain.MaxCodeWordPoints)})
			return f.Ask(s)
		}
		s.SetData("points", strconv.FormatInt(n, 10))
		return s.Goto(stepCodeWordEnd)
	case stepCodeWordEnd:
		loc := staffLocation(s)
		var end time.Time
		if s.In.Kind == InputCallback {
			d, err := strconv.Atoi(s.tapValue())
			if err != nil || d < 1 {
				return f.Ask(s)
			}
			end = codeWordEnd(now, d, loc)
		} else {
			// A typed last day, "31.12" or "31.12.2026": the word runs
			// through it.
			day, err := domain.ParseDateTime(typed+" 00:00", now, loc)
			if err != nil {
				s.Say("codeword.error.end", map[string]any{"Days": domain.MaxCodeWordDays})
				return f.Ask(s)
			}
			end = day.AddDate(0, 0, 1)
		}
		if !end.After(now) || end.Sub(now) > domain.MaxCodeWordDays*24*time.Hour {
			s.Say("codeword.error.end", map[string]any{"Days": domain.MaxCodeWordDays})
			return f.Ask(s)
		}
		s.SetData("end", end.UTC().Format(time.RFC3339))
		return s.Goto(stepCodeWordUses)
	case stepCodeWordUses:
		text := typed
		if s.In.Kind == InputCallback {
			text = s.tapValue()
		}
		n, err := domain.ParsePoints(text, domain.MaxCodeWordUses)
		if text != "0" && err != nil {
			s.Say("codeword.error.uses", map[string]any{"Max": s.num(domain.MaxCodeWordUses)})
			return f.Ask(s)
		}
		s.SetData("uses", strconv.FormatInt(n, 10))
		return s.Goto(stepCodeWordConfirm)
	case stepCodeWordConfirm:
		if s.In.Kind != InputCallback {
			return f.Ask(s)
		}
		if flag, ok := strings.CutPrefix(s.tapValue(), "new"); ok {
			setNewOnly(s, flag)
			s.Edit(codeWordConfirm(s, Button{Text: s.T("codeword.cancel", nil),
				Data: s.cb(flowCodeWord, stepCodeWordConfirm, "cancel")}, staffLocation(s)))
			return nil
		}
		flag, ok := strings.CutPrefix(s.tapValue(), "yes")
		if !ok {
			return f.Ask(s)
		}
		setNewOnly(s, flag)
		return f.start(s)
	}
	return fmt.Errorf("codeword: unknown step %q", s.Conv.Step)
}

// start starts the word the steps chose.
func (f codeWordFlow) start(s *Session) error {
	d := s.draftCodeWord()
	w, err := s.e.Service.StartCodeWord(s.Ctx, s.Tx, s.Staff, domain.CodeWordRequest{Word: d.Word, Points: d.Points,
		End: d.End, MaxUses: d.MaxUses, NewOnly: d.NewOnly})
	var v *domain.ValidationError
	if errors.As(err, &v) {
		data := map[string]any{"Word": d.Word, "Min": domain.MinCodeWordRunes, "Max": domain.MaxCodeWordRunes,
			"Days": domain.MaxCodeWordDays}
		s.Edit(Reply{Text: s.T(v.Reason, data)})
		if v.Reason == "codeword.error.end" { // waited past the last day chosen
			return s.Goto(stepCodeWordEnd)
		}
		s.Leave()
		return nil
	} else if err != nil {
		return err
	}
	s.Leave()
	text := s.T("codeword.started", s.codeWordData(w, staffLocation(s)))
	if p := w.StartPayload(); p != "" {
		text += "\n\n" + s.T("codeword.started.link", map[string]any{"Link": DeepLink(s.e.BotUsername, p)})
	}
	s.Edit(Reply{Text: text})
	return nil
}

// useCodeWord reads a member's text outside any step as a code word:
// true, having said what it gave, when it is one.
func useCodeWord(s *Session, text string) (bool, error) {
	out, err := s.e.Service.UseCodeWord(s.Ctx, s.Tx, s.Customer, text, false)
	if err != nil || out.Word == nil {
		return false, err
	}
	sayCodeWord(s, out)
	return true, nil
}

// sayCodeWord tells a member what a code word gave.
func sayCodeWord(s *Session, out domain.CodeWordOutcome) {
	data := map[string]any{"Word": out.Word.Word, "Points": s.points(out.Word.Points), "Balance": s.points(out.Balance)}
	switch out.Result {
	case domain.CodeWordCredited:
		s.Say("codeword.credited", data)
	case domain.CodeWordUsed:
		s.Say("codeword.used", data)
	case domain.CodeWordEnded:
		s.Say("codeword.ended", data)
	case domain.CodeWordFull:
		s.Say("codeword.full", data)
	case domain.CodeWordNewOnly:
		s.Say("codeword.new_only", data)
	}
}

// openCodeWord handles a code word's p_ link: a member gets its points
// (or hears why not) and the kind is kept, so /start says no more; a
// newcomer is told the word's points come with the card. A word that is
// unknown, long over or over for a newcomer is a plain /start.
func openCodeWord(s *Session, p domain.StartPayload) (domain.StartPayload, error) {
	if s.Customer.Member() {
		out, err := s.e.Service.UseCodeWord(s.Ctx, s.Tx, s.Customer, p.Value, false)
		if err != nil || out.Word == nil {
			return noPayload, err
		}
		sayCodeWord(s, out)
		return p, nil
	}
	return runningCodeWord(s, p.Value)
}

// runningCodeWord is the payload that keeps the code word text is for a
// newcomer's joining, when it is one that still gives points.
func runningCodeWord(s *Session, text string) (domain.StartPayload, error) {
	w, err := s.e.Service.FindCodeWordIn(s.Ctx, s.Tx, text)
	if err != nil || w == nil || w.Over(s.e.Service.Now()) {
		return noPayload, err
	}
	return domain.StartPayload{Kind: domain.StartCodeWord, Value: w.Word}, nil
}

// codeWordOfNewcomer is the running code word a newcomer's first
// message is, if it is one: their joining starts with it remembered.
func codeWordOfNewcomer(s *Session) (domain.StartPayload, error) {
	if s.In.Kind != InputText {
		return noPayload, nil
	}
	return runningCodeWord(s, s.In.Text)
}

// codeWordInFlow takes a code word written in the middle of a
// customer's flow (a newcomer's joining, a rating's comment left open
// since yesterday, a question being written): a member gets its points,
// a newcomer has it kept for their card, and the step is asked again.
// Staff in a flow of theirs type words for other reasons (a new code
// word among them): their text is left to the flow.
func codeWordInFlow(s *Session, f Flow) (bool, error) {
	if s.In.Kind != InputText || s.Staff.CanCheckout() {
		return false, nil
	}
	if s.Customer.Member() {
		// A word answered in this step already is the step's answer when
		// written again (a city, a name that is also a code word): the
		// step is not asked again and again.
		w, err := s.e.Service.FindCodeWordIn(s.Ctx, s.Tx, s.In.Text)
		if err != nil || w == nil {
			return false, err
		}
		said := f.Name() + "/" + s.Conv.Step + "/" + w.Word
		if s.Data("codeword_said") == said {
			return false, nil
		}
		used, err := useCodeWord(s, s.In.Text)
		if !used || err != nil {
			return false, err
		}
		s.SetData("codeword_said", said)
		return true, f.Ask(s)
	}
	if f.Name() != flowOnboarding {
		return false, nil
	}
	p, err := runningCodeWord(s, s.In.Text)
	if err != nil || p.Kind != domain.StartCodeWord {
		return false, err
	}
	if slices.Contains(strings.Fields(s.Data("codeword")), p.Value) {
		// Kept already: written again (their name tapped at the name
		// step), it is the step's answer.
		return false, nil
	}
	if err := rememberCodeWord(s, p.Value); err != nil {
		return true, err
	}
	return true, f.Ask(s)
}

// maxJoinCodeWords bounds the code words one joining keeps.
const maxJoinCodeWords = 3

// rememberCodeWord keeps a newcomer's code word for their joining (with
// any kept before it, up to maxJoinCodeWords) and says its points come
// with the card.
func rememberCodeWord(s *Session, word string) error {
	w, err := s.e.Service.FindCodeWordIn(s.Ctx, s.Tx, word)
	if err != nil || w == nil {
		return err
	}
	kept := strings.Fields(s.Data("codeword"))
	if !slices.Contains(kept, w.Word) {
		if len(kept) == maxJoinCodeWords {
			return nil // not promised: written again once a member, it pays then
		}
		s.SetData("codeword", strings.Join(append(kept, w.Word), " "))
	}
	s.Say("codeword.join_hint", map[string]any{"Word": w.Word, "Points": s.points(w.Points)})
	return nil
}

func init() {
	registerFlow(codeWordFlow{})
	registerAction("codes", codesAction)
	registerCommand("codes", MenuOwner, 37, codesCommand)
}
