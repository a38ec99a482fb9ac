package flows

import (
	"slices"
)

// askLanguage offers the business's languages as buttons. The buttons are
// stateless: a tap works whatever the chat is doing.
func askLanguage(s *Session) {
	var row []Button
	for _, l := range s.e.Business.Languages {
		row = append(row, Button{Text: s.e.translate(s.e.localizer(l), "language.name", nil), Data: action("lang", l)})
	}
	s.Send(Reply{Text: s.T("language.ask", nil), Inline: [][]Button{row}})
}

// setLanguage stores the choice (on the customer, or in the conversation
// before they have joined) and asks the pending question again in it.
func setLanguage(s *Session, lang string) error {
	if !slices.Contains(s.e.Business.Languages, lang) {
		s.Toast("error.stale_button")
		return nil
	}
	if s.Customer != nil {
		if err := s.e.Service.SetLanguage(s.Ctx, s.Tx, s.Customer, lang); err != nil {
			return err
		}
	} else {
		s.SetData("lang", lang)
	}
	s.SetLang(lang)
	s.Edit(Reply{Text: s.T("language.set", nil)})
	return s.e.resume(s)
}

func init() {
	registerCommand("language", MenuCustomer, 60, func(s *Session) error {
		askLanguage(s)
		return nil
	})
	registerAction("lang", setLanguage)
}
