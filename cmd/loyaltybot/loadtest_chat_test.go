package main

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"
)

// TestChatLoadIsConsistent runs the chat load briefly, by long polling and
// by webhook, with a POS client alongside: every customer joins and has a
// card, every checkout a cashier saw confirmed is one chat purchase with
// its ledger row, nothing fails and no update is set aside. It asserts
// nothing about speed; the run lasts until it has seen checkouts and a
// rating, however long that takes.
func TestChatLoadIsConsistent(t *testing.T) {
	for _, webhook := range []bool{false, true} {
		name := map[bool]string{false: "polling", true: "webhook"}[webhook]
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			o := chatOptions{Duration: 500 * time.Millisecond, Customers: 6, Cashiers: 2, POS: 1, POSCards: 5,
				Webhook: webhook, Sample: 100 * time.Millisecond, NoSync: true, MinCheckouts: 4, MinRatings: 1}
			rep, err := chatLoad(ctx, envFunc(map[string]string{}), o, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Errors != 0 {
				t.Errorf("%d errors; first: %s", rep.Errors, rep.FirstError)
			}
			if !rep.Consistent {
				t.Errorf("inconsistent: %s", rep.Inconsistency)
			}
			if rep.Probe.Syscall <= 0 || rep.Probe.RoundTrip <= 0 {
				t.Errorf("the machine not probed: %+v", rep.Probe)
			}
			if rep.Joins != 6 || rep.Members != 6 {
				t.Errorf("%d joins, %d with a card; want all 6", rep.Joins, rep.Members)
			}
			if rep.Checkouts < 4 || rep.Purchases != rep.Checkouts || rep.Checkout.n != rep.Checkouts {
				t.Errorf("%d checkouts, %d purchases, %d timings", rep.Checkouts, rep.Purchases, rep.Checkout.n)
			}
			if rep.Ratings < 1 || rep.Cards < 1 {
				t.Errorf("%d ratings, %d /card", rep.Ratings, rep.Cards)
			}
			if rep.POS == nil || rep.POS.Requests == 0 || rep.POS.Errors != 0 {
				t.Errorf("POS API alongside: %+v", rep.POS)
			}
			byWhat := map[string]int64{}
			for _, a := range rep.Actions {
				byWhat[a.What] = a.L.n
			}
			for _, what := range []string{"join: poster link", "join: marketing, card", "/card", "checkout: card", "checkout: confirm", "rate", "rate: skip"} {
				if byWhat[what] == 0 {
					t.Errorf("no answer time for %q in %v", what, byWhat)
				}
			}
			if byWhat["checkout: confirm"] != rep.Checkout.n || byWhat["join: poster link"] != rep.Joins {
				t.Errorf("%d confirms timed for %d checkouts, %d poster links for %d joins", byWhat["checkout: confirm"], rep.Checkout.n, byWhat["join: poster link"], rep.Joins)
			}
			if len(rep.Samples) == 0 {
				t.Error("no memory sample")
			}
			if n := len(rep.Samples); n > 0 && runtime.GOOS == "linux" {
				if c := rep.Samples[n-1].CPU; c.Busy == 0 || c.Total <= c.Busy {
					t.Errorf("the machine's CPU time not read: %+v", c)
				}
				// The process's and PostgreSQL's own, both busy by then, and
				// each less than the whole machine's.
				first, last := rep.Samples[0], rep.Samples[n-1]
				if last.Self == 0 || last.DB == 0 || last.DB <= first.DB && n > 1 {
					t.Errorf("this process's or PostgreSQL's CPU not read: %+v, %+v", first, last)
				}
				if self, db := last.Self-first.Self, last.DB-first.DB; self+db > last.CPU.Busy-first.CPU.Busy+uint64(n) {
					t.Errorf("this process (%d ticks) and PostgreSQL (%d) used more than the machine (%d)", self, db, last.CPU.Busy-first.CPU.Busy)
				}
			}
		})
	}
}
