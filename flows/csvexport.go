package flows

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/loyaltybot/loyaltybot/domain"
)

// exportCommand is /export: owners and managers pick a CSV document with
// a button. Cashiers get nothing: the customer base is not theirs to take.
func exportCommand(s *Session) error {
	if !s.Staff.CanManage() {
		s.Say("staff.only_managers", nil)
		return s.e.resume(s)
	}
	id := "export.ask.anonymous"
	if s.Staff.Role == domain.RoleOwner {
		id = "export.ask.personal"
	}
	var rows [][]Button
	for _, k := range domain.ExportKinds {
		rows = append(rows, []Button{{Text: s.T("export.button."+k, nil), Data: action("export", k)}})
	}
	s.Send(Reply{Text: s.T(id, nil), Inline: rows})
	return s.e.resume(s)
}

// exportAction starts the export tapped: the right is checked and the
// export written to the audit log now, in this transaction; the document
// is queued for the background sender, which streams it from the
// database as it uploads (Engine.WriteExport). The tap is answered with
// a toast only: a message here would queue ahead of nothing and behind
// the document.
func exportAction(s *Session, kind string) error {
	if coming, err := fileOnItsWay(s, map[string]any{"export": map[string]any{"scope": domain.ExportScope{Kind: kind}}}); coming || err != nil {
		return err
	}
	sc, err := s.e.Service.StartExport(s.Ctx, s.Tx, s.Staff, kind)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	sc.Lang = s.Lang // ';' and decimal commas for the spreadsheets of a decimal-comma language
	caption := "export.caption.anonymous"
	if sc.Personal {
		caption = "export.caption.personal"
	}
	doc := &ExportDoc{Name: s.e.Service.ExportFileName(kind, staffLocation(s)), Scope: sc, TooLarge: s.T("export.too_large", nil)}
	s.Toast("export.preparing")
	return s.e.queue(s.Ctx, s.Tx, Reply{ChatID: s.In.ChatID, Text: s.T(caption, nil), Export: doc})
}

// fileOnItsWay answers a second tap for a file still on its way to the
// chat (a queued row whose payload holds match) with a toast, and says
// so: it builds no second one. Once the file is sent (or given up), a
// tap sends a new one.
func fileOnItsWay(s *Session, match any) (bool, error) {
	b, err := json.Marshal(match)
	if err != nil {
		return false, err
	}
	coming, err := s.Tx.Awaits(s.Ctx, s.In.ChatID, b)
	if coming && err == nil {
		s.Toast("export.pending")
	}
	return coming, err
}

// withdrawExports takes back the exports still on their way to staff
// member st's chat: asked for with a right they have lost since (a
// revocation, a move to another store), they must not bring them the
// data. One a sender is uploading already goes.
func withdrawExports(s *Session, st *domain.Staff) error {
	return s.Tx.WithdrawAwaiting(s.Ctx, st.ChatID, []byte(`{"export": {}}`), s.e.Now())
}

// WriteExport writes an export's CSV to w, row by row from the database:
// the bot adapter calls it while it uploads the document.
func (e *Engine) WriteExport(ctx context.Context, doc ExportDoc, w io.Writer) error {
	return e.Service.WriteExport(ctx, e.Store, doc.Scope, w)
}

func init() {
	registerCommand("export", MenuManager, 36, exportCommand)
	registerAction("export", exportAction)
}
