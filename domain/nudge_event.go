package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A rule of kind NudgeEvent reacts to the online shop (POST
// /api/v1/events): Delay after an event of type Event, the customer gets
// the rule's message, unless something in UnlessEvents (another event
// type, or UnlessPurchase) came after the event by then. The occurrence
// is the event's id, so each event is nudged at most once; a later event
// of the same type takes the earlier one's place (a customer who abandons
// two carts in an hour hears once, about the second), and the frequency
// cap keeps marketing ones rare. Window days after it was due the event
// is no longer worth a message.

// validateEvent checks an event rule's own fields.
func (r NudgeRule) validateEvent(bad func(field, problem string) error) error {
	if !slices.Contains(ShopEventTypes, r.Event) {
		return bad("event", fmt.Sprintf("%q is not one of %v", r.Event, ShopEventTypes))
	}
	if r.Delay < 0 || r.Delay > 30*24*time.Hour {
		return bad("delay", fmt.Sprintf("must be between 0 and 720h, got %s", r.Delay))
	}
	if r.Unless != "" {
		return bad("unless", "an event rule lists what spares the customer: unless = [\"order_placed\", \"purchase\"]")
	}
	for _, u := range r.UnlessEvents {
		switch {
		case u == string(r.Event):
			return bad("unless", fmt.Sprintf("%q is the rule's own event: a later one replaces the earlier anyway", u))
		case u != UnlessPurchase && !slices.Contains(ShopEventTypes, ShopEventType(u)):
			return bad("unless", fmt.Sprintf("%q is not %s or one of %v", u, UnlessPurchase, ShopEventTypes))
		}
	}
	return nil
}

// whyEvent says what made an event rule due, for a dry run.
func (r NudgeRule) whyEvent(d NudgeDue) string {
	s := fmt.Sprintf("%s at least %s ago (event %s)", r.Event, r.Delay, d.Occurrence)
	if len(r.UnlessEvents) > 0 {
		s += ", no " + strings.Join(r.UnlessEvents, " or ") + " since"
	}
	return s
}
