package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// botProcess is the bot running as a child process (see runChildIfAsked).
type botProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// startBotProcess runs serve in a child process with env and waits until
// it is up.
func startBotProcess(t *testing.T, env map[string]string) *botProcess {
	t.Helper()
	b := &botProcess{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	b.cmd = exec.Command(os.Args[0], "-test.run=^$")
	b.cmd.Env = append(os.Environ(), childVar+"=serve")
	for k, v := range env {
		b.cmd.Env = append(b.cmd.Env, k+"="+v) // the last value of a key wins
	}
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.cmd.Wait(); close(b.exited) }()
	t.Cleanup(func() { b.kill() })
	waitFor(t, b.stdout, regexp.MustCompile(`health on http://(\S+)/healthz`), b.stderr)
	return b
}

// kill sends SIGKILL and waits for the process to be gone.
func (b *botProcess) kill() {
	b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.exited
}

// TestFaultKill9DuringCheckoutsAndBroadcast kills the bot (a real child
// process on a private cluster) with SIGKILL while a broadcast is half
// sent, a checkout's confirmation is being sent, a cashier has typed an
// amount and a customer is half way through joining, then starts it again.
// Exactly two messages are in flight at the kill: Telegram took them but
// the bot never heard so (their answers are held). After the restart, and
// once the outbox leases of the dead process have lapsed, the broadcast
// reaches every recipient, the rest of every chat's messages arrive, the
// two conversations carry on from where they were, every purchase is
// recorded once with its ledger rows and its message, and no message is
// sent twice but the ones in flight, each at most once more (the window
// README's "Once, and the one window" describes).
func TestFaultKill9DuringCheckoutsAndBroadcast(t *testing.T) {
	pg := pgtest.NewCluster(t)
	fake := startFake(t)
	proxy := newHoldProxy(t, fake.URL())
	env := faultEnv(fake, pg.URL())
	env["TELEGRAM_API_URL"] = proxy.URL()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard against hanging
	defer cancel()
	pool, err := pgxpool.New(ctx, pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	first := startBotProcess(t, env)
	defer func() {
		if t.Failed() {
			t.Logf("first run's log:\n%s", first.stderr)
		}
	}()
	owner, kate, lena := fake.User(4001, "Olga", "en"), fake.User(5001, "Kate", "en"), fake.User(5002, "Lena", "en")
	link := lastLine(t, env, "invite", "--role", "owner", "--bot", faultBot)
	_, payload, _ := strings.Cut(link, "?start=")
	must(t, step(ctx, fake, owner, "owner invite", send(owner, "/start "+payload), "owner"))
	hireCashier(t, ctx, fake, env, kate)
	hireCashier(t, ctx, fake, env, lena)
	members := make([]*tgfake.User, 5)
	var wg sync.WaitGroup
	errs := make(chan error, len(members))
	for i := range members {
		members[i] = fake.User(int64(6001+i), fmt.Sprintf("Member%d", i), "en")
		wg.Add(1)
		go func() { defer wg.Done(); errs <- join(ctx, fake, members[i], true) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}

	// Conversations in progress: a customer half way through joining, a
	// cashier who typed an amount, another about to confirm.
	nina := fake.User(7001, "Nina", "en")
	must(t, step(ctx, fake, nina, "start", send(nina, "/start s_central"), "personal data"))
	must(t, step(ctx, fake, nina, "consent", tap(nina, "✅ I agree"), "phone number"))
	must(t, step(ctx, fake, lena, "scan", send(lena, "/start c_"+cardToken(t, pool, members[1].ID)), "Receipt amount?"))
	must(t, step(ctx, fake, lena, "amount", send(lena, "300"), "Accrue"))
	must(t, step(ctx, fake, kate, "scan", send(kate, "/start c_"+cardToken(t, pool, members[0].ID)), "Receipt amount?"))
	must(t, step(ctx, fake, kate, "amount", send(kate, "200"), "Accrue"))
	must(t, step(ctx, fake, kate, "accrue", tapPrefix(kate, "➕ Accrue"), "Check before confirming"))

	// The broadcast: its third recipient's message is taken by Telegram
	// and its answer held, which stops the one-at-a-time background
	// sender there.
	const text = "Autumn tasting on Saturday"
	must(t, step(ctx, fake, owner, "/broadcast", send(owner, "/broadcast"), "Send the text"))
	must(t, step(ctx, fake, owner, "text", send(owner, text), "Who should get it"))
	must(t, step(ctx, fake, owner, "audience", tap(owner, "👥 Everyone who agreed to offers"), "will get it"))
	heldChat := members[2].ID
	proxy.Hold("sendMessage", heldChat)
	must(t, step(ctx, fake, owner, "send", tapPrefix(owner, "✅ Send to"), "📤 Sending"))
	// The checkout: confirmed and recorded, its "Done" taken by Telegram,
	// the answer held.
	proxy.Hold("editMessageText", kate.ID)
	must(t, step(ctx, fake, kate, "confirm", tap(kate, "✅ Confirm"), "✅ Done"))
	const inFlight = 2
	quiet := fmt.Sprintf(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL
		AND chat_id IN (%d, %d, %d)`, owner.ID, lena.ID, nina.ID)
	waitUntil(t, ctx, "the two calls held and the other chats quiet", func() bool { return proxy.Held() == inFlight && sqlInt(t, pool, quiet) == 0 })

	first.kill()
	proxy.Release() // to nobody: the process is gone
	sentAtKill := sqlInt(t, pool, `SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`)
	// The dead process's leases lapse (a minute, claimHold): let that
	// minute pass at once rather than wait for it.
	if _, err := pool.Exec(ctx, `UPDATE outbox SET claimed_until = now() - interval '1 second'
		WHERE claimed_until > now()`); err != nil {
		t.Fatal(err)
	}
	second := startBotProcess(t, env)
	defer func() {
		if t.Failed() {
			t.Logf("second run's log:\n%s", second.stderr)
		}
	}()

	// The conversations resume where they were.
	must(t, step(ctx, fake, nina, "contact", func() error { nina.ShareContact("+79997001000"); return nil }, "What should we call you"))
	must(t, step(ctx, fake, nina, "name", tap(nina, "Nina"), "personal offers"))
	must(t, step(ctx, fake, nina, "marketing", tap(nina, "No, thanks"), "You're in"))
	must(t, step(ctx, fake, lena, "accrue", tapPrefix(lena, "➕ Accrue"), "Check before confirming"))
	must(t, step(ctx, fake, lena, "confirm", tap(lena, "✅ Confirm"), "✅ Done"))

	// Everything queued goes out.
	waitUntil(t, ctx, "the outbox empty", func() bool {
		return sqlInt(t, pool, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL`) == 0
	})
	if n := sqlInt(t, pool, `SELECT count(*) FROM outbox WHERE dropped_at IS NOT NULL`); n != 0 {
		t.Errorf("%d messages given up on", n)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`); n <= sentAtKill {
		t.Errorf("nothing sent after the restart (%d rows sent at the kill, %d now)", sentAtKill, n)
	}

	// The broadcast completes once: one broadcast, one row per member,
	// all sent, each member has it, only the one in flight twice at most.
	if n := sqlInt(t, pool, `SELECT count(*) FROM broadcasts`); n != 1 {
		t.Errorf("%d broadcasts, want 1", n)
	}
	if n := sqlInt(t, pool, `SELECT count(DISTINCT chat_id) FROM outbox WHERE broadcast_id IS NOT NULL AND sent_at IS NOT NULL`); n != len(members) {
		t.Errorf("the broadcast was sent to %d chats, want %d", n, len(members))
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL`); n != len(members) {
		t.Errorf("the broadcast was queued %d times, want once for each of %d members", n, len(members))
	}
	dups := 0
	for _, u := range append([]*tgfake.User{owner, kate, lena, nina}, members...) {
		d := duplicates(u)
		dups += d
		if d > 0 && u.ID != heldChat && u.ID != kate.ID {
			t.Errorf("chat %d (%s) got %d duplicate messages with nothing of it in flight at the kill:\n%s", u.ID, u.FirstName, d, texts(u))
		}
		if d > 1 {
			t.Errorf("chat %d (%s) got %d duplicates of its one message in flight:\n%s", u.ID, u.FirstName, d, texts(u))
		}
	}
	if dups > inFlight {
		t.Errorf("%d duplicate messages, more than the %d in flight at the kill", dups, inFlight)
	}
	t.Logf("duplicates: %d (in flight at the kill: %d)", dups, inFlight)
	for _, m := range members {
		if n := strings.Count(texts(m), text); n < 1 {
			t.Errorf("%s never got the broadcast", m.FirstName)
		}
	}

	// Checkouts: each once, whole, with its message.
	if n := sqlInt(t, pool, `SELECT count(*) FROM purchases`); n != 2 {
		t.Errorf("%d purchases, want 2 (Kate's and Lena's)", n)
	}
	checkBooks(t, pool)
	for _, m := range members[:2] {
		if n := purchaseNotices(m); n != 1 {
			t.Errorf("%s got %d purchase messages, want 1:\n%s", m.FirstName, n, texts(m))
		}
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM dead_updates`); n != 0 {
		t.Errorf("%d updates set aside", n)
	}
	if n := sqlInt(t, pool, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates unhandled", n)
	}
}

// waitUntil polls cond (a database state: nothing in the fake Telegram
// changes when it comes true) until it holds or ctx ends.
func waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// duplicates counts the messages of a chat that repeat an earlier one
// exactly (text, caption and buttons); none of the chats here has a
// message that should come twice.
func duplicates(u *tgfake.User) int {
	seen, n := map[string]bool{}, 0
	for _, m := range u.Messages() {
		k := m.Text + "\x00" + m.Caption + "\x00" + strings.Join(m.Buttons(), "\x00")
		if seen[k] {
			n++
		}
		seen[k] = true
	}
	return n
}

// texts lists a chat's messages, for failure messages.
func texts(u *tgfake.User) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		fmt.Fprintf(&b, "  %q\n", m.Text+m.Caption)
	}
	return b.String()
}
