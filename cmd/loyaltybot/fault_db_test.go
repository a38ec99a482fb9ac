package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestFaultPostgresRestartUnderLoad stops and starts PostgreSQL (a private
// cluster) while customers join, a cashier checks out in the chat and a
// POS records purchases, all against the real serve command. While the
// database is down /healthz says 503 and the POS API answers 503 with
// Retry-After; afterwards the bot carries on by itself: every update
// anyone sent is handled once (none set aside, none left), every chat step
// gets its answer, every receipt is recorded once however often the POS
// retried it, and the books balance.
func TestFaultPostgresRestartUnderLoad(t *testing.T) {
	pg := pgtest.NewCluster(t)
	fake := startFake(t)
	env := faultEnv(fake, pg.URL())
	key := lastLine(t, env, "apikey", "create", "--store", "central")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // a guard against hanging
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	serveCtx, stopServe := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(serveCtx, []string{"serve"}, envFunc(env), stdout, stderr) }()
	defer func() {
		stopServe()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", stderr)
		}
	}()
	addr := waitFor(t, stdout, regexp.MustCompile(`health on http://(\S+)/healthz`), stderr)
	pool, err := pgxpool.New(ctx, pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	cashier := fake.User(5001, "Kate", "en")
	hireCashier(t, ctx, fake, env, cashier)
	members := make([]*tgfake.User, 3)
	tokens := make([]string, len(members))
	for i := range members {
		members[i] = fake.User(int64(6001+i), fmt.Sprintf("Member%d", i), "en")
		if err := join(ctx, fake, members[i], false); err != nil {
			t.Fatal(err)
		}
		tokens[i] = cardToken(t, pool, members[i].ID)
	}

	// The load: new customers joining, the cashier's checkouts, the POS.
	const joiners, checkouts, posPurchases = 3, 4, 8
	var (
		wg       sync.WaitGroup
		errs     = make(chan error, joiners+3)
		posDone  atomic.Int32
		pos503   atomic.Int32
		pause    = 150 * time.Millisecond // spreads the load over the outage
		joinedUs = make([]*tgfake.User, joiners)
	)
	for i := range joiners {
		joinedUs[i] = fake.User(int64(7001+i), fmt.Sprintf("Joiner%d", i), "en")
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * pause)
			errs <- join(ctx, fake, joinedUs[i], false)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range checkouts {
			if err := checkout(ctx, fake, cashier, tokens[i%len(tokens)], "150"); err != nil {
				errs <- fmt.Errorf("checkout %d: %w", i, err)
				return
			}
			time.Sleep(pause)
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range posPurchases {
			receipt := "R-" + strconv.Itoa(i)
			for {
				a, err := postPurchase(ctx, addr, key, tokens[i%len(tokens)], receipt, 20000)
				if err == nil && (a.status == 201 || a.status == 200) {
					break
				}
				if err == nil && a.status == 503 {
					pos503.Add(1)
				}
				if err == nil && a.status != 503 && a.status != 500 || ctx.Err() != nil {
					errs <- fmt.Errorf("POS %s: %+v %v", receipt, a, err)
					return
				}
				wait, _ := strconv.Atoi(a.retryAfter)
				time.Sleep(max(time.Duration(wait)*time.Second, 100*time.Millisecond))
			}
			posDone.Add(1)
			time.Sleep(pause)
		}
	}()

	// The fault, once the load is under way.
	for posDone.Load() < 2 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	// An update in hand when the database goes: Member0's /card waits on
	// a lock on their conversation, so its transaction is cut off by the
	// shutdown for sure (the load alone hits one only now and then).
	lock, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(context.Background()) //nolint:errcheck // the server is gone by then
	if _, err := lock.Exec(ctx, `SELECT 1 FROM conversations WHERE chat_id = $1 FOR UPDATE`, members[0].ID); err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- step(ctx, fake, members[0], "/card in hand at the restart", send(members[0], "/card"), "Code for the register")
	}()
	for sqlInt(t, pool, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = $1
		AND query LIKE '%conversations%'`, pgtest.ClusterDB) == 0 {
		if ctx.Err() != nil {
			t.Fatal("the /card never waited on its conversation's lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	pg.Stop()
	waitHealth(t, addr, 503)
	a, err := postPurchase(ctx, addr, key, tokens[0], "R-down", 30000)
	if err != nil || a.status != 503 || a.code != "unavailable" || a.retryAfter == "" {
		t.Errorf("a purchase while the database is down: %+v %v, want 503 unavailable with Retry-After", a, err)
	}
	time.Sleep(time.Second) // the load keeps coming meanwhile
	pg.Start()
	waitHealth(t, addr, 200)

	// The same receipt again, now: recorded once, then answered as a repeat.
	first, err := postPurchase(ctx, addr, key, tokens[0], "R-down", 30000)
	if err != nil || first.status != 201 {
		t.Fatalf("the retried purchase: %+v %v, want 201", first, err)
	}
	again, err := postPurchase(ctx, addr, key, tokens[0], "R-down", 30000)
	if err != nil || again.status != 200 || again.purchaseID != first.purchaseID {
		t.Errorf("the purchase retried once more: %+v %v, want 200 with %s", again, err, first.purchaseID)
	}

	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("POS requests answered 503 during the outage: %d (besides the direct one)", pos503.Load())

	// Nothing lost, nothing half-done.
	fakeUpdates := fake.UpdateCount()
	if n := sqlInt(t, pool, `SELECT count(*) FROM updates`); n != fakeUpdates {
		t.Errorf("%d updates stored, the fake Telegram sent %d", n, fakeUpdates)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates left unhandled", n)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM dead_updates`); n != 0 {
		t.Errorf("%d updates set aside", n)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM purchases WHERE source = 'pos'`); n != posPurchases+1 {
		t.Errorf("%d POS purchases recorded, want %d", n, posPurchases+1)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM purchases WHERE source = 'bot'`); n != checkouts {
		t.Errorf("%d checkouts recorded, want %d", n, checkouts)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM customers WHERE joined_at IS NOT NULL`); n != len(members)+joiners {
		t.Errorf("%d members, want %d", n, len(members)+joiners)
	}
	checkBooks(t, pool)
	// Every purchase's message reaches its customer, without waiting for
	// a lease to lapse (claimHold, a minute): the sender's bookkeeping
	// must have survived the outage, not merely timed out.
	wctx, wcancel := context.WithTimeout(ctx, 40*time.Second)
	defer wcancel()
	if err := fake.WaitFor(wctx, func() bool {
		n := 0
		for _, m := range members {
			n += purchaseNotices(m)
		}
		return n == posPurchases+1+checkouts
	}); err != nil {
		for _, m := range members {
			t.Errorf("%s: %d purchase messages, %d purchases", m.FirstName, purchaseNotices(m),
				sqlInt(t, pool, `SELECT count(*) FROM purchases p JOIN customers c ON c.id = p.customer_id WHERE c.telegram_id = $1`, m.ID))
		}
	}
}
