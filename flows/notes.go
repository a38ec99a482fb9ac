package flows

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowNote = "note"

// stepNoteText waits for the note's text. Stored in conversations: never
// rename it.
const stepNoteText = "text"

// auditShown is how many entries /audit lists.
const auditShown = 30

// note is a staff note about a customer ("prefers oat milk"): typed after
// a checkout by the cashier, or from the customer card by an owner or a
// manager; shown at the register the next time and on the card.
type note struct{}

func (note) Name() string { return flowNote }

func (note) Ask(s *Session) error {
	s.Send(Reply{Text: s.T("note.ask", map[string]any{"Name": s.Data("name"), "Max": domain.MaxNoteRunes}),
		Inline: [][]Button{{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowNote, stepNoteText, "cancel")}}}})
	return nil
}

func (n note) Handle(s *Session) error {
	if !s.Staff.CanCheckout() {
		s.Leave()
		s.Say("staff.revoked", nil)
		return nil
	}
	if s.In.Kind == InputCallback {
		s.Leave()
		s.Edit(Reply{Text: s.T("note.cancelled", nil)})
		return nil
	}
	if s.In.Kind != InputText {
		return n.Ask(s)
	}
	id, _ := strconv.ParseInt(s.Data("customer"), 10, 64)
	_, err := s.e.Service.AddNote(s.Ctx, s.Tx, s.Staff, id, s.In.Text)
	if err != nil {
		return sayInvalid(s, err, n)
	}
	name := s.Data("name")
	s.Leave()
	s.Say("note.saved", map[string]any{"Name": name})
	return nil
}

// noteAction starts a note. Its value names the customer in a way the
// person may act on: "p<purchase>" for a purchase the cashier recorded
// (any purchase for owners and managers), "c<customer id>" from the
// customer card, for owners and managers only. Button data comes from
// the client, so a cashier cannot note just anyone by forging it.
func noteAction(s *Session, value string) error {
	if !s.Staff.CanCheckout() {
		s.Toast("error.stale_button")
		return nil
	}
	var customerID int64
	switch {
	case strings.HasPrefix(value, "p"):
		p, err := s.Tx.FindPurchaseByPublicID(s.Ctx, value[1:])
		if errors.Is(err, domain.ErrNotFound) || (err == nil && p.StaffID != s.Staff.ID && !s.Staff.CanManage()) {
			s.Toast("error.stale_button")
			return nil
		} else if err != nil {
			return err
		}
		customerID = p.CustomerID
	case strings.HasPrefix(value, "c") && s.Staff.CanManage():
		customerID, _ = strconv.ParseInt(value[1:], 10, 64)
	default:
		s.Toast("error.stale_button")
		return nil
	}
	c, err := s.Tx.FindCustomerByID(s.Ctx, customerID)
	if err == nil && !c.Erased {
		// Another store's customer (a button from before a move) is as
		// unknown as an erased one.
		err = domain.CustomerOfStaff(s.Ctx, s.Tx, s.Staff, c)
	}
	if errors.Is(err, domain.ErrNotFound) || (err == nil && c.Erased) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	s.Conv.Reset()
	s.SetData("customer", strconv.FormatInt(c.ID, 10))
	s.SetData("name", c.FirstName)
	return s.Enter(flowNote, stepNoteText)
}

// sayNotes shows the register the customer's newest notes, if any.
func sayNotes(s *Session, customerID int64) error {
	notes, err := s.Tx.ListNotes(s.Ctx, customerID, domain.CheckoutNotes)
	if err != nil || len(notes) == 0 {
		return err
	}
	s.Say("checkout.notes", map[string]any{"Notes": s.noteLines(notes)})
	return nil
}

// auditCommand is /audit: the owners' log of who viewed which customer
// card and who exported what.
func auditCommand(s *Session) error {
	entries, err := s.e.Service.ReadAudit(s.Ctx, s.Tx, s.Staff, auditShown)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Say(v.Reason, nil)
		return s.e.resume(s)
	} else if err != nil {
		return err
	}
	if len(entries) == 0 {
		s.Say("audit.empty", nil)
		return s.e.resume(s)
	}
	loc := staffLocation(s)
	lines := []string{s.T("audit.title", map[string]any{"Count": len(entries)})}
	for _, a := range entries {
		data := map[string]any{"At": a.At.In(loc).Format("02.01 15:04"), "Staff": a.StaffName,
			"Role": s.T("role."+string(a.StaffRole), nil), "ID": a.CustomerID}
		id := "audit.view"
		switch a.Action {
		case domain.AuditAdjust:
			id, data["Detail"] = "audit.adjust", a.Detail
		case domain.AuditCardMove:
			id = "audit.card_move"
		case domain.AuditMessage:
			id = "audit.message"
		case domain.AuditPromotion:
			id = promotionAudit(a.Detail, data, loc)
		case domain.AuditCodeWord:
			id = s.codeWordAudit(a.Detail, data, loc)
		}
		switch a.Action {
		case domain.AuditPromotion, domain.AuditCodeWord: // about no customer
		case domain.AuditExport:
			kind, personal := strings.CutSuffix(a.Detail, " personal")
			data["Kind"] = s.T("export.button."+kind, nil)
			id = "audit.export"
			if personal {
				id = "audit.export_personal"
			}
		default:
			if c, err := s.Tx.FindCustomerByID(s.Ctx, a.CustomerID); err == nil {
				data["Name"] = orDash(c.FirstName)
			}
		}
		lines = append(lines, s.T(id, data))
	}
	s.Send(Reply{Text: clip(strings.Join(lines, "\n"), maxCardRunes)})
	return s.e.resume(s)
}

// promotionAudit reads a live promotion's audit detail ("start live-3
// x2 until <RFC 3339>", with " from <RFC 3339>" when scheduled; "stop
// live-3") into data and names its message.
func promotionAudit(detail string, data map[string]any, loc *time.Location) string {
	f := strings.Fields(detail)
	if len(f) >= 2 {
		data["ID"] = f[1]
	}
	at := func(s string) string {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.In(loc).Format("02.01 15:04")
		}
		return s
	}
	if (len(f) == 5 || len(f) == 7) && f[0] == "start" {
		data["Multiplier"] = strings.TrimPrefix(f[2], "x")
		data["Until"] = at(f[4])
		if len(f) == 7 { // scheduled: "… from <RFC 3339>"
			data["From"] = at(f[6])
			return "audit.promotion.schedule"
		}
		return "audit.promotion.start"
	}
	return "audit.promotion.stop"
}

// codeWordAudit reads a code word's audit detail ("start AUTUMN 50
// until <RFC 3339> max 100", " new" after it for new members only;
// "stop AUTUMN") into data and names its message.
func (s *Session) codeWordAudit(detail string, data map[string]any, loc *time.Location) string {
	f := strings.Fields(detail)
	if len(f) >= 2 {
		data["Word"] = f[1]
	}
	if len(f) >= 5 && f[0] == "start" {
		points, _ := strconv.ParseInt(f[2], 10, 64)
		data["Points"] = s.points(points)
		if t, err := time.Parse(time.RFC3339, f[4]); err == nil {
			data["Until"] = lastDay(t, loc)
		}
		data["NewOnly"] = f[len(f)-1] == "new"
		return "audit.codeword.start"
	}
	return "audit.codeword.stop"
}

func init() {
	registerFlow(note{})
	registerAction("note", noteAction)
	registerCommand("audit", MenuOwner, 38, auditCommand)
}
