package domain

import (
	"context"
	"fmt"
)

// Event is something that happened in the business, recorded by a use case
// in its own transaction. What follows it (the customer's chat message, a
// profile offer, an owners' alert; later a feedback request, a badge, a
// nudge's attribution) is a Reaction, written once, whoever caused the
// event: a cashier in the chat, the POS API, the CLI or a job.
type Event interface{ eventName() string }

// PurchaseRecorded: a new purchase was written (a repeated request that
// found an earlier purchase records no event).
type PurchaseRecorded struct{ Result *PurchaseResult }

// PurchaseCancelled: a purchase was reversed now (cancelling it again
// records no event, so the customer is told once).
type PurchaseCancelled struct{ Result *PurchaseResult }

// PurchaseReturned: part of a purchase (or all that stood of it) was
// returned now (a repeated request records no event).
type PurchaseReturned struct{ Result *ReturnResult }

func (PurchaseRecorded) eventName() string  { return "purchase_recorded" }
func (PurchaseReturned) eventName() string  { return "purchase_returned" }
func (PurchaseCancelled) eventName() string { return "purchase_cancelled" }

// EventName names an event for logs and metrics.
func EventName(ev Event) string { return ev.eventName() }

// Reaction handles an event inside the transaction that recorded it: what
// it writes (outbox rows, offers) commits with the event or not at all,
// and a failing reaction rolls the use case back.
type Reaction func(ctx context.Context, tx Tx, ev Event) error

// Reactions is the list of reactions a Service runs, in registration order.
type Reactions struct {
	list []Reaction
	late []Reaction
}

// On registers a reaction to every event; it picks the ones it cares about
// with a type switch.
func (r *Reactions) On(fn Reaction) { r.list = append(r.list, fn) }

// After registers a reaction that runs after every On reaction, for one
// whose own events must follow what the others said: a badge a purchase
// earned is announced after the purchase itself.
func (r *Reactions) After(fn Reaction) { r.late = append(r.late, fn) }

// emit runs every reaction to ev.
func (r *Reactions) emit(ctx context.Context, tx Tx, ev Event) error {
	for _, fn := range append(r.list[:len(r.list):len(r.list)], r.late...) {
		if err := fn(ctx, tx, ev); err != nil {
			return fmt.Errorf("react to %s: %w", ev.eventName(), err)
		}
	}
	return nil
}
