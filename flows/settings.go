package flows

import (
	"errors"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// /settings is where a member says when the business may write to them
// (the seeds' "when the customer can be contacted"): preset windows as
// buttons, saved at the tap and shown in place, or a window of their own
// typed as "10:00-20:00". Scheduled messages (nudges, "How was your
// visit?") wait for the window; what the customer asks for and the notice
// of a purchase come at once. The language is one tap away.

const flowSettings = "settings"

// Settings steps. Ids are stored in conversations: never rename one.
const stepSettingsWindow = "window" // typing a window of one's own

// Values of the "settings" action; a preset id follows "w:".
const (
	settingsPreset   = "w"
	settingsOther    = "other"
	settingsLanguage = "lang"
)

// settingsMessage is the conversation data key of the /settings message
// turned into the "type your window" prompt, whose Back button a saved
// window takes away.
const settingsMessage = "msg"

// settingsCommand is /settings; it also gives up a window being typed.
func settingsCommand(s *Session) error {
	if s.Conv.Flow == flowSettings {
		s.Leave()
	}
	return showSettings(s, "")
}

// showSettings shows the member's window with the presets (the current
// one ticked), "other time" and the language; on a tap it edits the
// message in place. note, if any, heads the message.
func showSettings(s *Session, note string) error {
	w, err := s.Tx.FindContactWindow(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	text := s.T("settings.title", map[string]any{"Window": windowLocal(s, w)})
	if q := s.e.Business.Nudges; q.QuietStart != q.QuietEnd {
		text += "\n" + s.T("settings.quiet", map[string]any{
			"From": domain.ClockText(q.QuietStart), "To": domain.ClockText(q.QuietEnd)})
	}
	if note != "" {
		text = note + "\n\n" + text
	}
	var rows [][]Button
	var row []Button
	for _, p := range s.e.Service.ContactPresets() {
		label := s.T("settings.preset."+p.ID, map[string]any{"Window": windowText(s, p.Window)})
		if p.Window == w {
			label = "✅ " + label
		}
		row = append(row, Button{Text: label, Data: action("settings", settingsPreset+":"+p.ID)})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if row != nil {
		rows = append(rows, row)
	}
	rows = append(rows, []Button{{Text: s.T("settings.other", nil), Data: action("settings", settingsOther)}})
	if s.e.choosesLanguage() {
		rows = append(rows, []Button{{Text: s.T("settings.language", nil), Data: action("settings", settingsLanguage)}})
	}
	r := Reply{Text: text, Inline: rows}
	if s.In.Kind == InputCallback {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// windowText shows a window as "09:00–12:00", or "any time".
func windowText(s *Session, w domain.ContactWindow) string {
	if w.Any() {
		return s.T("settings.window.any_time", nil)
	}
	return domain.ClockText(w.From) + "–" + domain.ClockText(w.To)
}

// windowLocal is windowText saying whose clock a window is on.
func windowLocal(s *Session, w domain.ContactWindow) string {
	if w.Any() {
		return windowText(s, w)
	}
	return s.T("settings.window.local", map[string]any{"Window": windowText(s, w)})
}

// settingsAction handles the buttons of /settings. They are stateless (a
// /settings message stays usable whatever the chat does later), so each
// tap checks that a member taps it and that the preset is offered.
func settingsAction(s *Session, value string) error {
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	what, id, _ := strings.Cut(value, ":")
	switch what {
	case settingsPreset:
		for _, p := range s.e.Service.ContactPresets() {
			if p.ID != id {
				continue
			}
			if err := s.e.Service.SetContactWindow(s.Ctx, s.Tx, s.Customer, p.Window); err != nil {
				return err
			}
			if s.Conv.Flow == flowSettings {
				s.Leave()
			}
			s.Toast("settings.saved")
			return showSettings(s, "")
		}
	case settingsOther:
		s.Leave()
		s.SetData(settingsMessage, strconv.FormatInt(s.In.Callback.MessageID, 10))
		return s.Enter(flowSettings, stepSettingsWindow)
	case settingsLanguage:
		askLanguage(s)
		return nil
	}
	s.Toast("error.stale_button")
	return nil
}

// settings is the one-step conversation of a window typed by hand.
type settings struct{}

func (settings) Name() string { return flowSettings }

// Ask asks for the window, in place of /settings when "other time" was
// just tapped, with a way back to the presets.
func (settings) Ask(s *Session) error {
	r := Reply{Text: s.T("settings.custom.ask", nil),
		Inline: [][]Button{{{Text: s.T("settings.custom.back", nil), Data: s.cb(flowSettings, stepSettingsWindow, "back")}}}}
	if s.In.Kind == InputCallback {
		s.Edit(r)
	} else {
		s.Send(r)
	}
	return nil
}

// Handle takes the typed window: saved at once and confirmed with the
// settings shown anew, or a clear error with an example (the question and
// its Back button stay above it).
func (settings) Handle(s *Session) error {
	if s.tapValue() == "back" {
		s.Leave()
		return showSettings(s, "")
	}
	if s.In.Kind != InputText {
		s.Say("error.settings.window.format", nil)
		return nil
	}
	w, err := domain.ParseContactWindow(s.In.Text)
	if err == nil {
		err = s.e.Service.SetContactWindow(s.Ctx, s.Tx, s.Customer, w)
	}
	var v *domain.ValidationError
	if errors.As(err, &v) {
		q := s.e.Business.Nudges
		s.Say(v.Reason, map[string]any{"From": domain.ClockText(q.QuietStart), "To": domain.ClockText(q.QuietEnd)})
		return nil
	}
	if err != nil {
		return err
	}
	if id, _ := strconv.ParseInt(s.Data(settingsMessage), 10, 64); id != 0 {
		s.Send(Reply{EditMessageID: id, Inline: [][]Button{}})
	}
	s.Leave()
	return showSettings(s, s.T("settings.saved_window", map[string]any{"Window": windowLocal(s, w)}))
}

func init() {
	registerFlow(settings{})
	registerCommand("settings", MenuCustomer, 80, membersOnly(settingsCommand))
	registerAction("settings", settingsAction)
}
