package flows

import (
	"errors"
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// An owner's or a manager's own message to a customer: ✉️ Write under
// the customer card starts the relay (feedback_relay.go) with the data
// "direct", the customer gets it signed with the business name with ↩️
// Answer, and their answer reaches whoever wrote, with Reply. Each
// message from the shop is in the audit log (domain.MessageCustomer).

// startDirect is ✉️ Write under a customer card (value: the customer's
// id), or Reply under the customer's answer ("r" and the id): the staff
// member's next message goes to the customer.
func startDirect(s *Session, value string) error {
	value, reply := strings.CutPrefix(value, "r")
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || s.Staff == nil {
		s.Toast("error.stale_button")
		return nil
	}
	c, err := s.e.Service.MessageCustomer(s.Ctx, s.Tx, s.Staff, id, false)
	if ok, err := directRefused(s, c, err); !ok {
		return err
	}
	s.Leave()
	s.SetData("direct", value)
	s.SetData("customer", value) // erasure ends the step
	s.SetData("name", customerName(c))
	if reply {
		s.SetData("replying", "1")
	}
	return s.Enter(flowFeedbackReply, stepRelayText)
}

// directRefused says why a message to the customer cannot go, reporting
// false then; any other error is returned.
func directRefused(s *Session, c *domain.Customer, err error) (ok bool, _ error) {
	var v *domain.ValidationError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &v):
		s.Say(v.Reason, nil)
	case isNotFound(err):
		s.Say("direct.gone", nil)
	case errors.Is(err, domain.ErrCustomerUnreachable):
		s.Say("direct.unreachable", map[string]any{"Name": customerName(c)})
	default:
		return false, err
	}
	return false, nil
}

// relayDirectToCustomer sends the staff member's words to the customer,
// recorded in the audit log, with Answer addressed to the writer.
func relayDirectToCustomer(s *Session, customerID int64, text string) error {
	c, err := s.e.Service.MessageCustomer(s.Ctx, s.Tx, s.Staff, customerID, true)
	if ok, err := directRefused(s, c, err); !ok {
		return err
	}
	return sendToCustomer(s, c, action("dmanswer", strconv.FormatInt(s.Staff.ID, 10)), text, Reply{})
}

// startDirectAnswer is Answer under the shop's own message (value: the
// writer's staff id): the member's next message goes back to them.
func startDirectAnswer(s *Session, value string) error {
	if !s.Customer.Member() || s.Customer.Erased {
		s.Toast("error.stale_button")
		return nil
	}
	s.Leave()
	s.SetData("direct", value)
	return s.Enter(flowFeedbackAnswer, stepRelayText)
}

// relayDirectToStaff sends the member's answer to the staff member who
// wrote, with Reply to go on.
func relayDirectToStaff(s *Session, staffID int64, text string) error {
	if !s.Customer.Member() {
		s.Say("relay.unreachable", nil)
		return nil
	}
	return sendToHandler(s, staffID, 0, action("dm", "r"+strconv.FormatInt(s.Customer.ID, 10)), text)
}

func init() {
	registerAction("dm", startDirect)
	registerAction("dmanswer", startDirectAnswer)
}
