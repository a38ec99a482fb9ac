package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

const flowAdjust = "adjust"

// Correction steps. Ids are stored in conversations: never rename one.
const (
	stepAdjustPoints  = "points"  // how many, with a sign
	stepAdjustReason  = "reason"  // why: the customer reads it
	stepAdjustConfirm = "confirm" // Confirm or Cancel
)

// adjustFlow is a manual correction from the customer card (owners and
// managers): points a customer should have had (bought without the card,
// a promise at the counter) or points given by mistake, with a reason.
// domain.Service.AdjustPoints does it; the customer is told (react).
type adjustFlow struct{}

func (adjustFlow) Name() string { return flowAdjust }

// adjustAction starts a correction from the customer card's button
// ("c<customer id>").
func adjustAction(s *Session, value string) error {
	idText, ok := strings.CutPrefix(value, "c")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || !s.Staff.CanManage() {
		s.Toast("error.stale_button")
		return nil
	}
	c, err := s.Tx.FindCustomerByID(s.Ctx, id)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && (c.Erased || !c.Member())) {
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	if err := domain.CustomerOfStaff(s.Ctx, s.Tx, s.Staff, c); isNotFound(err) {
		// Another store's customer (a card opened before a move): as if
		// there were none, no name, no balance.
		s.Toast("error.stale_button")
		return nil
	} else if err != nil {
		return err
	}
	if c.TelegramID == s.In.User.ID {
		// Their own card: a colleague corrects it, as at the register.
		s.Say("adjust.own", nil)
		return nil
	}
	s.Conv.Reset()
	key := make([]byte, 8)
	rand.Read(key)
	s.SetData("customer", strconv.FormatInt(c.ID, 10))
	s.SetData("name", c.FirstName)
	s.SetData("key", hex.EncodeToString(key))
	return s.Enter(flowAdjust, stepAdjustPoints)
}

func (adjustFlow) Ask(s *Session) error {
	cancel := []Button{{Text: s.T("checkout.cancel", nil), Data: s.cb(flowAdjust, s.Conv.Step, "cancel")}}
	switch s.Conv.Step {
	case stepAdjustPoints:
		card, err := s.Tx.FindCardByCustomer(s.Ctx, s.adjustedCustomer())
		if err != nil {
			return err
		}
		s.Send(Reply{Text: s.T("adjust.ask.points", map[string]any{"Name": s.Data("name"), "Balance": s.num(card.Balance),
			"Count": card.Balance}), Inline: [][]Button{cancel}})
	case stepAdjustReason:
		s.Send(Reply{Text: s.T("adjust.ask.reason", map[string]any{"Max": domain.MaxAdjustReasonRunes}),
			Inline: [][]Button{cancel}})
	case stepAdjustConfirm:
		s.Send(Reply{Text: s.T(s.adjustMessage("adjust.confirm."), s.adjustData()), Inline: [][]Button{{
			{Text: s.T("adjust.confirm.yes", nil), Data: s.cb(flowAdjust, stepAdjustConfirm, "yes")},
			cancel[0],
		}}})
	default:
		return fmt.Errorf("adjust: unknown step %q", s.Conv.Step)
	}
	return nil
}

func (f adjustFlow) Handle(s *Session) error {
	if s.leftStaffFlow(s.Staff.CanManage(), "staff.revoked", "adjust.cancelled") {
		return nil
	}
	switch s.Conv.Step {
	case stepAdjustPoints:
		if s.In.Kind != InputText {
			return f.Ask(s)
		}
		n, err := domain.ParseAdjustment(s.In.Text)
		if err != nil {
			return sayInvalid(s, err, f)
		}
		s.SetData("points", strconv.FormatInt(n, 10))
		return s.Goto(stepAdjustReason)
	case stepAdjustReason:
		if s.In.Kind != InputText {
			return f.Ask(s)
		}
		reason, err := domain.ParseAdjustReason(s.In.Text)
		if err != nil {
			s.Say("error.adjust.reason", map[string]any{"Max": domain.MaxAdjustReasonRunes})
			return f.Ask(s)
		}
		s.SetData("reason", reason)
		return s.Goto(stepAdjustConfirm)
	case stepAdjustConfirm:
		if s.In.Kind != InputCallback || s.tapValue() != "yes" {
			return f.Ask(s)
		}
		return f.confirm(s)
	}
	return fmt.Errorf("adjust: unknown step %q", s.Conv.Step)
}

// confirm makes the correction and says what it did.
func (f adjustFlow) confirm(s *Session) error {
	points, _ := strconv.ParseInt(s.Data("points"), 10, 64)
	row, _, err := s.e.Service.AdjustPoints(s.Ctx, s.Tx, s.Staff, s.adjustedCustomer(), points, s.Data("reason"), s.Data("key"))
	data := s.adjustData()
	var v *domain.ValidationError
	switch {
	case errors.As(err, &v):
		s.Leave()
		s.Edit(Reply{Text: s.T(v.Reason, nil)})
		return nil
	case errors.Is(err, domain.ErrAdjustTooMuch):
		// The balance moved since the question (a purchase, expiry):
		// ask again with the balance as it is.
		s.Edit(Reply{Text: s.T("adjust.too_much", map[string]any{"Name": data["Name"], "Points": data["Points"],
			"Balance": s.num(row.BalanceAfter)})})
		return s.Goto(stepAdjustPoints)
	case errors.Is(err, domain.ErrNotFound):
		s.Leave()
		s.Edit(Reply{Text: s.T("adjust.gone", nil)})
		return nil
	case err != nil:
		return err
	}
	done := s.adjustMessage("adjust.done.")
	s.Leave()
	data["Balance"] = s.num(row.BalanceAfter)
	s.Edit(Reply{Text: s.T(done, data)})
	return nil
}

// adjustedCustomer is the id of the customer being corrected (not the
// session's own Customer: the staff member's).
func (s *Session) adjustedCustomer() int64 {
	id, _ := strconv.ParseInt(s.Data("customer"), 10, 64)
	return id
}

// adjustMessage picks the adding or the taking variant of a message
// ("adjust.done." → "adjust.done.add").
func (s *Session) adjustMessage(prefix string) string {
	if points, _ := strconv.ParseInt(s.Data("points"), 10, 64); points < 0 {
		return prefix + "take"
	}
	return prefix + "add"
}

// adjustData is what the confirmation and the result name.
func (s *Session) adjustData() map[string]any {
	points, _ := strconv.ParseInt(s.Data("points"), 10, 64)
	return map[string]any{"Name": s.Data("name"), "Points": s.num(abs(points)), "Count": abs(points), "Reason": s.Data("reason")}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// notifyAdjusted tells the customer about a correction of their points,
// and why, in their language.
func (e *Engine) notifyAdjusted(ctx context.Context, tx domain.Tx, ev domain.PointsAdjusted) error {
	c := ev.Customer
	if c.ChatID == 0 || c.Unreachable {
		return nil
	}
	lang := e.Business.Language(c.Language, "")
	id := "adjust.customer.add"
	if ev.Entry.Amount < 0 {
		id = "adjust.customer.take"
	}
	return e.queue(ctx, tx, Reply{ChatID: c.ChatID, Text: e.translate(e.localizer(lang), id, map[string]any{
		"Business": e.Business.Name, "Points": e.num(abs(ev.Entry.Amount), lang), "Count": abs(ev.Entry.Amount),
		"Reason": ev.Reason, "Balance": e.num(ev.Entry.BalanceAfter, lang)})})
}

func init() {
	registerFlow(adjustFlow{})
	registerAction("adjust", adjustAction)
}
